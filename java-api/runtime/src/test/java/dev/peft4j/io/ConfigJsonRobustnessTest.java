package dev.peft4j.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.adapter.AdapterFormatException;
import dev.peft4j.adapter.AdapterIo;
import dev.peft4j.adapter.AdapterModel;
import dev.peft4j.adapter.HfCheckpoint;
import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.model.BertConfig;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Pooling;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.LoraTarget;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.tokenizer.WordPieceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Regression tests for the config.json and tokenizer.json reader bugs the fuzzing found. */
class ConfigJsonRobustnessTest {

    @TempDir
    Path dir;

    private static void assertNames(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
        }
    }

    private Path bertCheckpoint() throws IOException {
        Path d = dir.resolve("bert");
        BertConfig bc = new BertConfig(11, 4, 1, 2, 6, 5, 2, 1e-12f, Activation.GELU, 0f, Pooling.CLS);
        try (Backend be = Backends.create("reference"); BertModel m = BertModel.random(be, bc, 1)) {
            HfCheckpoint.save(d, m);
        }
        return d;
    }

    private static void replaceInConfig(Path d, String from, String to) throws IOException {
        Path c = d.resolve(HfCheckpoint.CONFIG);
        String text = Files.readString(c);
        assertTrue(text.contains(from), from);
        Files.writeString(c, text.replace(from, to));
    }

    /** Was a StackOverflowError: the error message printed the nested value recursively. */
    @Test
    void deeplyNestedConfigValueIsReportedWithoutOverflowingTheStack() throws IOException {
        Path d = bertCheckpoint();
        replaceInConfig(d, "\"hidden_size\": 4", "\"hidden_size\": " + "[".repeat(100_000) + "]".repeat(100_000));
        AdapterFormatException e = assertThrows(AdapterFormatException.class, () -> HfCheckpoint.read(d));
        assertNames(e, d.resolve(HfCheckpoint.CONFIG).toString(), "hidden_size", "an array of 1 entries");
    }

    /** Was a MalformedInputException ("Input length = 1") that named neither the file nor the problem. */
    @Test
    void invalidUtf8ConfigNamesTheFile() throws IOException {
        Path d = bertCheckpoint();
        Files.write(d.resolve(HfCheckpoint.CONFIG), new byte[] {'{', '"', (byte) 0xC3, 0x28, '"', ':', '1', '}'});
        AdapterFormatException e = assertThrows(AdapterFormatException.class, () -> HfCheckpoint.read(d));
        assertNames(e, d.resolve(HfCheckpoint.CONFIG).toString(), "UTF-8");
    }

    /** A base model with an infinite weight loaded silently. */
    @Test
    void nonFiniteBaseWeightsAreRefusedNamingTheTensor() throws IOException {
        Path d = bertCheckpoint();
        Path weights = d.resolve(HfCheckpoint.WEIGHTS);
        SafeTensorsContent c = SafeTensors.read(weights);
        java.util.Map<String, TensorData> t = new java.util.LinkedHashMap<>(c.tensors());
        String key = t.keySet().iterator().next();
        float[] data = t.get(key).data().clone();
        data[0] = Float.POSITIVE_INFINITY;
        t.put(key, new TensorData(t.get(key).shape(), data));
        SafeTensors.write(weights, t, c.metadata());
        SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class, () -> HfCheckpoint.read(d));
        assertNames(e, weights.toString(), "'" + key + "'", "flat index 0", "Infinity");
    }

    /** The shape mismatch between config.json and the weights did not name the checkpoint. */
    @Test
    void configThatDisagreesWithTheWeightsNamesTheFiles() throws IOException {
        Path d = bertCheckpoint();
        replaceInConfig(d, "\"intermediate_size\": 6", "\"intermediate_size\": 8");
        HfCheckpoint c = HfCheckpoint.read(d);
        try (Backend be = Backends.create("reference")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.bert(be).close());
            assertNames(e, d.resolve(HfCheckpoint.WEIGHTS).toString(), HfCheckpoint.CONFIG, "intermediate.dense.weight");
        }
    }

    private IOException tokenizerFailure(String from, String to) throws IOException {
        String json = ConfigJsonFuzzTest.tokenizerJson();
        assertTrue(json.contains(from), from);
        Path p = dir.resolve("tokenizer.json");
        Files.writeString(p, json.replace(from, to));
        IOException e = assertThrows(IOException.class, () -> WordPieceTokenizer.fromJson(p));
        assertNames(e, p.toString());
        return e;
    }

    /** Each was a raw NullPointerException, UnsupportedOperationException or IllegalStateException. */
    @Test
    void malformedTokenizerJsonFailsNamingTheFile() throws IOException {
        tokenizerFailure("\"pair\":[", "\"pear\":[");
        tokenizerFailure("\"##aff\":7", "\"##aff\":{\"a\":1}");
        tokenizerFailure("\"pre_tokenizer\":{\"type\":\"BertPreTokenizer\"}", "\"pre_tokenizer\":{}");
        Path p = dir.resolve("tokenizer.json");
        Files.writeString(p, "\"s\"");
        assertNames(assertThrows(IOException.class, () -> WordPieceTokenizer.fromJson(p)), p.toString());
    }

    /** A template with sequence A twice was accepted and then failed inside encode with an index error. */
    @Test
    void templatesMustHoldEachSequenceOnce() throws IOException {
        IOException e = tokenizerFailure("{\"Sequence\":{\"id\":\"B\",\"type_id\":1}}", "{\"Sequence\":{\"id\":\"A\",\"type_id\":1}}");
        assertNames(e, "post_processor.pair", "A 2 times and B 0 times");
        assertNames(tokenizerFailure("{\"Sequence\":{\"id\":\"B\",\"type_id\":1}}", "{\"Sequence\":{\"id\":\"C\",\"type_id\":1}}"),
                "sequence id must be A or B");
    }

    /** A rank-2 LoRA adapter of a 2-layer BERT, with its config rewritten by {@code edit}; returns the load error. */
    private AdapterFormatException adapterFailure(boolean keepPlan, String from, String to) throws IOException {
        Path a = dir.resolve("adapter");
        BertConfig bc = AdapterConfigFuzzTest.BERT;
        try (Backend be = Backends.create("reference")) {
            try (BertModel m = BertModel.random(be, bc, 1)) {
                m.applyPlan(PeftPlan.lora(2, new LoraSpec(2, 4f, false, 0f, EnumSet.of(LoraTarget.QUERY))), 5);
                AdapterIo.save(a, AdapterModel.of(m), "tiny");
            }
            Path c = a.resolve(AdapterIo.CONFIG);
            com.google.gson.JsonObject cfg = com.google.gson.JsonParser.parseString(Files.readString(c)).getAsJsonObject();
            if (!keepPlan) {
                cfg.remove("peft4j");
            }
            String text = cfg.toString();
            assertTrue(text.contains(from), from + " in " + text);
            Files.writeString(c, text.replace(from, to));
            try (BertModel b = BertModel.random(be, bc, 1)) {
                AdapterFormatException e = assertThrows(AdapterFormatException.class,
                        () -> AdapterIo.load(a, AdapterModel.of(b), 9));
                assertNames(e, a.toString());
                return e;
            }
        }
    }

    /** Was a NegativeArraySizeException (or, for ranks near 10⁸, an OutOfMemoryError) while attaching the plan. */
    @Test
    void loraRankThatDisagreesWithTheFileIsRefusedBeforeAllocating() throws IOException {
        // the top-level r (2) disagrees with the plan's rank before the tensors are even looked at
        assertNames(adapterFailure(true, "\"rank\":2", "\"rank\":2147483647"), "field 'r' is 2", "2147483647");
        assertNames(adapterFailure(true, "\"rank\":2", "\"rank\":100000000"), "field 'r' is 2", "100000000");
        // without the plan, r itself against the tensors' rank
        assertNames(adapterFailure(false, "\"r\":2", "\"r\":2147483647"), "field 'r' says rank 2147483647",
                "lora_A.weight", "has rank 2");
    }

    /** r, lora_alpha and target_modules were never checked against the tensors; all of these loaded. */
    @Test
    void hfLoraFieldsAreCheckedAgainstTheTensors() throws IOException {
        assertNames(adapterFailure(false, "\"r\":2", "\"r\":0"), "field 'r' is 0", "≥ 1");
        assertNames(adapterFailure(false, "\"r\":2", "\"r\":-1"), "field 'r' is -1");
        assertNames(adapterFailure(false, "\"r\":2", "\"r\":16"), "field 'r' says rank 16", "has rank 2");
        assertNames(adapterFailure(false, "\"target_modules\":[\"query\"]", "\"target_modules\":\"(query\""),
                "target_modules", "(query", "not a valid regular expression");
        assertNames(adapterFailure(false, "\"target_modules\":[\"query\"]", "\"target_modules\":[\"value\"]"),
                "target_modules", "does not cover", "attention.self.query");
        assertNames(adapterFailure(false, "\"target_modules\":[\"query\"]", "\"target_modules\":\"value\""),
                "target_modules", "does not cover");
    }

    /** With a peft4j section the top-level fields were ignored entirely, and any format version was accepted. */
    @Test
    void topLevelFieldsMustAgreeWithThePeft4jSectionWhoseVersionIsKnown() throws IOException {
        assertNames(adapterFailure(true, "\"r\":2", "\"r\":8"), "field 'r' is 8", "plan's LoRA rank is 2");
        assertNames(adapterFailure(true, "\"lora_alpha\":4", "\"lora_alpha\":32"), "field 'lora_alpha' is 32.0",
                "plan's LoRA alpha is 4.0");
        assertNames(adapterFailure(true, "\"format_version\":2", "\"format_version\":99"),
                "peft4j.format_version' is 99", "reads 1 to 2");
        assertNames(adapterFailure(true, "\"target_modules\":[\"query\"]", "\"target_modules\":\"[\""),
                "not a valid regular expression");
    }

    /** Was a StackOverflowError: the layer plan was printed recursively into the message. */
    @Test
    void deeplyNestedPlanIsReportedWithoutOverflowingTheStack() throws IOException {
        assertNames(adapterFailure(true, "\"targets\":[\"QUERY\"]",
                "\"targets\":" + "[".repeat(100_000) + "]".repeat(100_000)), AdapterIo.CONFIG, "peft4j.plan: field layers[0].lora.targets", "an array of 1 entries");
    }

    /** Was an IllegalArgumentException from LoraSpec that named no file. */
    @Test
    void invalidPeftFieldNamesTheConfig() throws IOException {
        assertNames(adapterFailure(false, "\"lora_dropout\":0.0", "\"lora_dropout\":3"), AdapterIo.CONFIG, "dropout");
    }
}
