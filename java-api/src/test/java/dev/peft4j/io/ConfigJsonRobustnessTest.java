package dev.peft4j.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.adapter.AdapterFormatException;
import dev.peft4j.adapter.HfCheckpoint;
import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.model.BertConfig;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Pooling;
import dev.peft4j.tokenizer.WordPieceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
