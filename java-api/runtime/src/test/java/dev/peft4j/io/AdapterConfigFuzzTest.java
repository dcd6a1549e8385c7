package dev.peft4j.io;

import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.peft4j.adapter.AdapterIo;
import dev.peft4j.adapter.AdapterModel;
import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.model.BertConfig;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Pooling;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.LoraTarget;
import dev.peft4j.peft.PeftPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of adapter_config.json as {@link AdapterIo#load} reads it, with the peft4j section
 * (exact plan) and without it (plan derived from peft's fields and the tensors). Each mutant must load into a
 * fresh model or fail with an IOException / IllegalArgumentException naming the adapter's config or weights
 * file; anything else fails the test with the case, its seed and the mutation.
 */
class AdapterConfigFuzzTest {
    static final long SEED = 0x0ADA_0001L;
    static final int CASES = 400;
    static final BertConfig BERT = new BertConfig(11, 4, 2, 2, 6, 5, 2, 1e-12f, Activation.GELU, 0f, Pooling.CLS);

    @TempDir
    Path dir;

    @Test
    void mutatedAdapterConfigsLoadOrFailNamingTheFile() throws IOException {
        Path adapter = dir.resolve("adapter");
        List<String> failures = new ArrayList<>();
        try (Backend be = Backends.create("reference")) {
            try (BertModel m = BertModel.random(be, BERT, 1)) {
                m.applyPlan(PeftPlan.lora(2, new LoraSpec(2, 4f, false, 0f, EnumSet.of(LoraTarget.QUERY, LoraTarget.VALUE))), 5);
                AdapterIo.save(adapter, AdapterModel.of(m), "tiny-bert");
            }
            Path config = adapter.resolve(AdapterIo.CONFIG);
            String withPlan = Files.readString(config);
            JsonObject peftOnly = JsonParser.parseString(withPlan).getAsJsonObject();
            peftOnly.remove("peft4j");
            String[] valid = {withPlan, peftOnly.toString()};
            for (String v : valid) { // both seeds load
                Files.writeString(config, v);
                try (BertModel b = BertModel.random(be, BERT, 1)) {
                    AdapterIo.load(adapter, AdapterModel.of(b), 9);
                }
            }
            for (int i = 0; i < CASES; i++) {
                Random r = new Random(SEED + i);
                JsonMutator.Mutant mut = JsonMutator.mutate(valid[i % 2], r);
                Files.writeString(config, mut.text());
                String o;
                try (BertModel b = BertModel.random(be, BERT, 1)) {
                    AdapterIo.load(adapter, AdapterModel.of(b), 9);
                    o = "";
                } catch (IOException | IllegalArgumentException e) {
                    o = e.getMessage() != null && e.getMessage().contains(adapter.toString())
                            ? "" : "message does not name the adapter's files: " + e;
                } catch (Throwable t) {
                    o = SafeTensorsFuzzTest.stackTop(t);
                }
                if (!o.isEmpty()) {
                    failures.add("case " + i + " (seed " + (SEED + i) + ", " + (i % 2 == 0 ? "with plan" : "peft only")
                            + ": " + mut.description() + "): " + o);
                }
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + CASES + " mutated adapter_config.json files broke the reader's contract:\n"
                    + String.join("\n", failures.subList(0, Math.min(25, failures.size()))));
        }
    }
}
