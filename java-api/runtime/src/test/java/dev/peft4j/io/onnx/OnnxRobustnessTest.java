package dev.peft4j.io.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.io.onnx.ProtoTree.Field;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Regression tests for the ONNX reader bugs the fuzzing found. */
class OnnxRobustnessTest {

    @TempDir
    Path dir;

    private static OnnxTensor floatTensor(long[] dims, ByteBuffer raw, float[] floats) {
        return new OnnxTensor("t", dims, OnnxDataType.FLOAT, raw, floats, new long[0]);
    }

    private static void refused(Runnable r, String... fragments) {
        OnnxFormatException e = assertThrows(OnnxFormatException.class, r::run);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' missing from: " + e.getMessage());
        }
    }

    /** Was an ArithmeticException from Math.multiplyExact. */
    @Test
    void dimsWhoseProductOverflowsAreFormatErrors() {
        OnnxTensor t = floatTensor(new long[] {1L << 40, 1L << 40}, ByteBuffer.allocate(4), null);
        refused(t::numel, "'t'", "overflows");
        refused(t::toTensorData, "'t'", "overflows");
    }

    /** Was an ArithmeticException after 4·(2^62 + 1) wrapped to 4 and matched the 4 raw bytes. */
    @Test
    void elementCountThatWrapsToTheRawSizeIsRefused() {
        OnnxTensor t = floatTensor(new long[] {(1L << 62) + 1}, ByteBuffer.allocate(4), null);
        refused(t::toTensorData, "'t'", "more than one Java array");
    }

    /** Was an ArithmeticException from Math.toIntExact: zero elements, but one dim beyond an int. */
    @Test
    void emptyTensorWithAHugeDimIsRefused() {
        OnnxTensor t = floatTensor(new long[] {0, 1L << 40}, null, null);
        refused(t::toTensorData, "'t'", "dim 1", "does not fit an int");
    }

    /** toLongs ignored the dims and silently dropped a partial trailing value. */
    @Test
    void int64CountMustMatchTheDims() {
        ByteBuffer raw = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 5);
        OnnxTensor partial = new OnnxTensor("s", new long[] {1}, OnnxDataType.INT64, raw, null, null);
        refused(partial::toLongs, "'s'", "raw_data has 12 bytes", "need 8");
        OnnxTensor tooMany = new OnnxTensor("s", new long[] {1}, OnnxDataType.INT64, null, null, new long[] {1, 2});
        refused(tooMany::toLongs, "'s'", "int64_data has 2 values", "need 1");
        OnnxTensor ok = new OnnxTensor("s", new long[] {1}, OnnxDataType.INT64, raw.slice(0, 8), null, null);
        assertArrayEquals(new long[] {5}, ok.toLongs());
    }

    /** The seed model with the tensor name {@code from} replaced by {@code to}. */
    private static byte[] renamed(String from, String to) {
        List<Field> root = ProtoTree.parse(OnnxFuzzTest.seedModel(), ProtoTree.Msg.MODEL);
        int hits = 0;
        for (var e : ProtoTree.all(root)) {
            Field f = e.getValue();
            if (f.wire == 2 && f.children == null && new String(f.bytes, StandardCharsets.UTF_8).equals(from)) {
                f.bytes = to.getBytes(StandardCharsets.UTF_8);
                hits++;
            }
        }
        assertTrue(hits > 0, from + " not in the seed");
        return ProtoTree.write(root);
    }

    /** Was a NumberFormatException from Integer.parseInt. */
    @Test
    void layerNumberBeyondAnIntIsAFormatError() {
        byte[] model = renamed("encoder.layer.0.output.dense.bias", "encoder.layer.99999999999.output.dense.bias");
        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> OnnxWeights.loadBert(new ByteArrayInputStream(model)));
        assertTrue(e.getMessage().contains("99999999999"), e.getMessage());
    }

    /** Errors found after parsing (while mapping BERT parameters) did not name the file. */
    @Test
    void loadBertFromAFileNamesItInEveryError() throws Exception {
        Path p = dir.resolve("no-word-embeddings.onnx");
        Files.write(p, renamed("embeddings.word_embeddings.weight", "something.else"));
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxWeights.loadBert(p));
        assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("embeddings.word_embeddings.weight"),
                e.getMessage());
    }

    /** A NaN initializer loaded silently into the base model (every output then NaN). */
    @Test
    void nonFiniteWeightsAreRefusedNamingTheTensor() throws Exception {
        byte[] model = OnnxFuzzTest.seedModel();
        byte[] ten = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(10f).array();
        int at = -1;
        for (int i = 0; i + 4 <= model.length && at < 0; i++) {
            if (model[i] == ten[0] && model[i + 1] == ten[1] && model[i + 2] == ten[2] && model[i + 3] == ten[3]) {
                at = i;
            }
        }
        assertTrue(at >= 0, "the seed holds the value 10");
        ByteBuffer.wrap(model).order(ByteOrder.LITTLE_ENDIAN).putFloat(at, Float.NaN);
        Path file = dir.resolve("nan.onnx");
        Files.write(file, model);
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxWeights.loadBert(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("NaN")
                && e.getMessage().contains("weights must be finite") && e.getMessage().contains("tensor '"), e.getMessage());
    }
}
