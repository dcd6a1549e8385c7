package dev.peft4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.peft4j.backend.Activation;
import dev.peft4j.peft.AdapterSpec;
import dev.peft4j.peft.BitFitSpec;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.peft.PlanCodec;
import dev.peft4j.peft.PlanFormatException;
import dev.peft4j.peft.PrefixSpec;
import dev.peft4j.testing.TestPlans;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of {@link PlanCodec#parse}: value-level mutants of valid plan files (JsonMutator), every
 * truncation of one, and random token soup. Each document must either read as a plan that round-trips through the
 * codec, or fail with a {@link PlanFormatException} that names the source and either the field or "not valid JSON";
 * any other throwable (NullPointerException, ClassCastException, NumberFormatException, StackOverflowError,
 * OutOfMemoryError...) fails the test with the case and its seed.
 */
class PlanCodecFuzzTest {
    static final long SEED = 0x91A4_C0DEL;
    static final int MUTANTS = 1500;
    static final int SOUP = 500;
    static final String SOURCE = "fuzz/plan.json";

    private static List<String> validDocuments() {
        LayerPlan reparam = LayerPlan.NONE.withPrefix(new PrefixSpec(4, 16, true)).withBitfit(BitFitSpec.QUERY_FFN_IN);
        LayerPlan adapters = LayerPlan.NONE.withLora(LoraSpec.defaults().withGate(true))
                .withParallelAdapter(new AdapterSpec(4, Activation.RELU, 4f, true, true));
        return List.of(PlanCodec.toText(TestPlans.everything()),
                PlanCodec.toText(new PeftPlan(List.of(reparam, adapters, reparam))),
                PlanCodec.toJson(PeftPlan.lora(2, LoraSpec.defaults())).toString());
    }

    private int accepted;

    /** "" when the document met the contract, else what went wrong; counts the documents read as plans. */
    private String check(String text) {
        try {
            PeftPlan plan = PlanCodec.parse(text, SOURCE);
            accepted++;
            PeftPlan again = PlanCodec.parse(PlanCodec.toText(plan), SOURCE);
            return plan.equals(again) ? "" : "accepted, but does not round-trip: " + plan + " vs " + again;
        } catch (PlanFormatException e) {
            String m = e.getMessage();
            boolean named = m.startsWith(SOURCE + ": ") && (m.contains("field ") || m.contains("not valid JSON"));
            return !named ? "message names no source and field: " + m
                    : m.length() > 600 ? "message of " + m.length() + " characters" : "";
        } catch (Throwable t) {
            return SafeTensorsFuzzTest.stackTop(t);
        }
    }

    @Test
    void mutatedTruncatedAndRandomDocumentsReadOrFailNamingTheField() {
        List<String> valid = validDocuments();
        List<String> failures = new ArrayList<>();
        for (String v : valid) {
            assertEquals("", check(v), "a valid document reads");
        }
        for (int i = 0; i < MUTANTS; i++) {
            Random r = new Random(SEED + i);
            JsonMutator.Mutant m = JsonMutator.mutate(valid.get(i % valid.size()), r);
            String o = check(m.text());
            if (!o.isEmpty()) {
                failures.add("mutant " + i + " (seed " + (SEED + i) + ", " + m.description() + "): " + o);
            }
        }
        String doc = valid.get(1);
        for (int cut = 0; cut < doc.length(); cut++) {
            String o = check(doc.substring(0, cut));
            if (!o.isEmpty()) {
                failures.add("truncated at " + cut + ": " + o);
            }
        }
        String[] tokens = {"{", "}", "[", "]", ",", ":", "\"format\"", "\"peft4j-plan\"", "\"version\"", "1", "2",
            "\"layers\"", "\"lora\"", "\"rank\"", "\"targets\"", "\"QUERY\"", "\"prefix\"", "\"length\"", "null", "true",
            "\"bitfit\"", "-7", "1e999", "\"x\"", "NaN"};
        for (int i = 0; i < SOUP; i++) {
            Random r = new Random(SEED ^ (i * 0x9E37_79B9L));
            StringBuilder b = new StringBuilder("{\"format\":\"peft4j-plan\",\"version\":1,\"layers\":[{");
            for (int k = 0, n = 1 + r.nextInt(40); k < n; k++) {
                b.append(tokens[r.nextInt(tokens.length)]);
            }
            String o = check(b.toString());
            if (!o.isEmpty()) {
                failures.add("soup " + i + " (" + b + "): " + o);
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " documents broke the plan reader's contract:\n"
                    + String.join("\n", failures.subList(0, Math.min(25, failures.size()))));
        }
        int mutantsAndCuts = MUTANTS + doc.length() + SOUP;
        assertTrue(accepted > 0 && accepted < mutantsAndCuts / 2,
                "some mutants (a changed size, a removed flag) stay valid, most documents do not; accepted " + accepted);
    }
}
