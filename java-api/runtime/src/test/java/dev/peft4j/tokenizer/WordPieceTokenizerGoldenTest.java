package dev.peft4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.peft4j.io.onnx.OnnxWeights;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Compares the tokenizer with ids produced by Hugging Face's own tokenizers library from the same
 * tokenizer.json (tools/gen-tokenizer-golden.mjs writes tokenizer/minilm-golden.json).
 */
class WordPieceTokenizerGoldenTest {
    static WordPieceTokenizer tokenizer;
    static JsonObject golden;

    @BeforeAll
    static void load() throws IOException {
        ClassLoader cl = WordPieceTokenizerGoldenTest.class.getClassLoader();
        try (InputStream in = OnnxWeights.openResource(OnnxWeights.MINILM_L6_V2_TOKENIZER, cl)) {
            tokenizer = WordPieceTokenizer.fromJson(in);
        }
        try (InputStream in = cl.getResourceAsStream("tokenizer/minilm-golden.json")) {
            golden = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        }
    }

    private static int[] ints(JsonElement a) {
        return new Gson().fromJson(a, int[].class);
    }

    private static String nullable(JsonObject o, String key) {
        return o.get(key) == null || o.get(key).isJsonNull() ? null : o.get(key).getAsString();
    }

    @TestFactory
    Stream<DynamicTest> everyGoldenCaseMatchesExactly() {
        JsonArray cases = golden.getAsJsonArray("cases");
        assertTrue(cases.size() >= 40, "golden file has " + cases.size() + " cases");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement e : cases) {
            JsonObject c = e.getAsJsonObject();
            String text = c.get("text").getAsString();
            String pair = nullable(c, "pair");
            int max = c.get("maxLength").isJsonNull() ? Integer.MAX_VALUE : c.get("maxLength").getAsInt();
            String label = (text.length() > 40 ? text.substring(0, 40) + "…" : text)
                    + (pair == null ? "" : " | " + (pair.length() > 20 ? pair.substring(0, 20) + "…" : pair))
                    + (max == Integer.MAX_VALUE ? "" : " @" + max);
            tests.add(DynamicTest.dynamicTest("#" + tests.size() + " " + label, () -> {
                Encoding enc = tokenizer.encode(text, pair, max);
                List<String> expectedTokens = List.of(new Gson().fromJson(c.get("tokens"), String[].class));
                assertEquals(expectedTokens, enc.tokens());
                assertArrayEquals(ints(c.get("ids")), enc.ids());
                assertArrayEquals(ints(c.get("typeIds")), enc.typeIds());
                assertArrayEquals(ints(c.get("attentionMask")), enc.attentionMask());
            }));
        }
        return tests.stream();
    }

    @Test
    void paddedBatchMatches() {
        JsonObject b = golden.getAsJsonObject("batch");
        List<String> texts = new ArrayList<>();
        b.getAsJsonArray("texts").forEach(t -> texts.add(t.getAsString()));
        BatchEncoding enc = tokenizer.encodeBatch(texts, b.get("maxLength").getAsInt(), Padding.LONGEST);
        JsonArray ids = b.getAsJsonArray("ids");
        assertEquals(ids.size(), enc.batchSize());
        for (int i = 0; i < ids.size(); i++) {
            assertArrayEquals(ints(ids.get(i)), enc.inputIds()[i], "ids " + i);
            assertArrayEquals(ints(b.getAsJsonArray("attentionMask").get(i)), enc.attentionMask()[i], "mask " + i);
            assertArrayEquals(ints(b.getAsJsonArray("typeIds").get(i)), enc.tokenTypeIds()[i], "types " + i);
        }
    }

    @Test
    void maxLengthPaddingFillsEveryRow() {
        BatchEncoding enc = tokenizer.encodeBatch(List.of("hello", "a b"), List.of("x", "y z"), 10, Padding.MAX_LENGTH);
        assertEquals(10, enc.sequenceLength());
        // [CLS] hello [SEP] x [SEP] then padding
        assertArrayEquals(new int[] {101, 7592, 102, 1060, 102, 0, 0, 0, 0, 0}, enc.inputIds()[0]);
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 0, 0, 0, 0, 0}, enc.tokenTypeIds()[0]);
        assertArrayEquals(new int[] {1, 1, 1, 1, 1, 0, 0, 0, 0, 0}, enc.attentionMask()[0]);
    }
}
