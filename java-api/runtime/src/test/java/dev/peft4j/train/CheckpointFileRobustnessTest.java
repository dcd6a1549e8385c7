package dev.peft4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.io.SafeTensors;
import dev.peft4j.io.SafeTensorsContent;
import dev.peft4j.io.TensorData;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hand-edited checkpoint whose checksum was recomputed (so the CRC check passes) but whose metadata is wrong: every
 * field is checked for its kind and a problem is a CheckpointException naming the file and the field, never a stack
 * overflow on a deeply nested array, never a value unwrapped from an array.
 */
class CheckpointFileRobustnessTest {
    @TempDir
    Path dir;

    private static final String DEEP = "[".repeat(100_000) + "3" + "]".repeat(100_000);

    private static TrainingCheckpoint small() {
        List<String> names = List.of("w", "b");
        List<int[]> shapes = List.of(new int[] {2, 3}, new int[] {3});
        float[][] values = {{1, 2, 3, 4, 5, 6}, {7, 8, 9}};
        float[][] m = {{0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f}, {0.7f, 0.8f, 0.9f}};
        float[][] v = {{1e-3f, 2e-3f, 3e-3f, 4e-3f, 5e-3f, 6e-3f}, {7e-3f, 8e-3f, 9e-3f}};
        float[][] best = {{6, 5, 4, 3, 2, 1}, {9, 8, 7}};
        List<Metrics> history = List.of(new Metrics(0.69, 0.5, 0.4, 16), new Metrics(Double.NaN, 0.75, 0.7, 16));
        return new TrainingCheckpoint("fp", 2, 1, 3, 4096, new float[] {0.7f, 0.6f}, names, shapes, values, m, v,
                history, new Metrics(0.5, 0.75, 0.7, 16), best, 1);
    }

    /** Writes a good checkpoint, applies {@code edit} to its metadata and tensors, and re-signs it with a fresh CRC. */
    private Path edited(Consumer<Map<String, String>> editMeta, Consumer<Map<String, TensorData>> editTensors) throws Exception {
        Path file = dir.resolve("run.ckpt");
        CheckpointFile.write(file, small());
        SafeTensorsContent c = SafeTensors.read(file);
        Map<String, String> meta = new TreeMap<>(c.metadata());
        Map<String, TensorData> tensors = new LinkedHashMap<>(c.tensors());
        meta.remove("crc32");
        editMeta.accept(meta);
        editTensors.accept(tensors);
        meta.put("crc32", Long.toString(CheckpointFile.crc(tensors, meta)));
        SafeTensors.write(file, tensors, meta);
        return file;
    }

    private Path editedMeta(Consumer<Map<String, String>> editMeta) throws Exception {
        return edited(editMeta, t -> {});
    }

    private static void refused(Path file, String... mustContain) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointFile.read(file));
        String m = e.getMessage();
        assertTrue(m.contains(file.toString()), "names the file: " + m);
        for (String s : mustContain) {
            assertTrue(m.contains(s), "message lacks '" + s + "': " + m);
        }
        assertTrue(m.length() < 1000, "a short message, got " + m.length() + " characters");
    }

    @Test
    void aGoodCheckpointRoundTripsNaNMetricsIncluded() throws Exception {
        TrainingCheckpoint back = CheckpointFile.read(editedMeta(meta -> {}));
        TrainingCheckpoint c = small();
        assertEquals(c.step(), back.step());
        assertEquals(c.names(), back.names());
        assertArrayEquals(c.adamV()[1], back.adamV()[1]);
        assertEquals(c.history().get(0), back.history().get(0));
        assertTrue(Double.isNaN(back.history().get(1).loss()), "a NaN loss (gson writes the bare literal) reads back");
        assertEquals(c.best(), back.best());
    }

    @Test
    void aWrongTypeIsNamed() throws Exception {
        refused(editedMeta(m -> m.put("step", "twelve")), "step", "whole number", "twelve");
        refused(editedMeta(m -> m.put("epoch", "1.5")), "epoch", "whole number");
        refused(editedMeta(m -> m.put("micro", "99999999999")), "micro", "int range");
        refused(editedMeta(m -> m.put("names", "[\"w\", 5]")), "names[1]", "expected a string");
        refused(editedMeta(m -> m.put("names", "{\"w\": 1}")), "names", "expected an array");
        refused(editedMeta(m -> m.put("history", "[{\"loss\":\"low\",\"accuracy\":0.5,\"macro_f1\":0.4,\"count\":16}]")),
                "history[0].loss", "expected a number");
        refused(editedMeta(m -> m.put("history", "[{\"loss\":0.6,\"accuracy\":0.5,\"macro_f1\":0.4,\"count\":16.5}]")),
                "history[0].count", "whole number");
        refused(editedMeta(m -> m.put("history", "[7]")), "history[0]", "expected an object");
        refused(editedMeta(m -> m.put("best", "[0.5, 0.75, 0.7, 16]")), "best", "expected an object");
        refused(editedMeta(m -> m.put("history", "[{\"loss\":")), "history", "not JSON");
    }

    @Test
    void aNumberWrappedInArraysIsRefusedNotUnwrapped() throws Exception {
        refused(editedMeta(m -> m.put("best", "{\"loss\":[0.5],\"accuracy\":0.75,\"macro_f1\":0.7,\"count\":16}")),
                "best.loss", "an array of 1 entries");
        refused(editedMeta(m -> m.put("names", "[[\"w\"], \"b\"]")), "names[0]", "an array of 1 entries");
    }

    @Test
    void aDeeplyNestedArrayInPlaceOfAValueFailsCleanly() throws Exception {
        refused(editedMeta(m -> m.put("history", "[{\"loss\":0.6,\"accuracy\":0.5,\"macro_f1\":0.4,\"count\":" + DEEP + "}]")),
                "history[0].count", "an array of 1 entries");
        refused(editedMeta(m -> m.put("best", "{\"loss\":" + DEEP + ",\"accuracy\":0.75,\"macro_f1\":0.7,\"count\":16}")),
                "best.loss", "an array of 1 entries");
        refused(editedMeta(m -> m.put("names", "[" + DEEP.replace("3", "\"w\"") + "]")), "names[0]", "an array of 1 entries");
        refused(editedMeta(m -> m.put("step", DEEP)), "step", "whole number");
        refused(editedMeta(m -> m.put("history", "[".repeat(100_000))), "history", "not JSON");
    }

    /** Was {@code arraycopy: last source index 999999 out of bounds for float[4]}, naming no file. */
    @Test
    void positionsOutOfRangeAreRefusedWithTheFileAndField() throws Exception {
        refused(editedMeta(m -> m.put("step", "999999")), "step is 999999", "losses", "[2]");
        refused(editedMeta(m -> m.put("step", "-1")), "step is -1", "≥ 0");
        refused(editedMeta(m -> m.put("epoch", "-3")), "epoch is -3");
        refused(editedMeta(m -> m.put("micro", "-1")), "micro is -1");
        refused(editedMeta(m -> m.put("tokens", "-5")), "tokens is -5");
        refused(editedMeta(m -> m.put("since_best", "-2")), "since_best is -2");
        refused(edited(m -> {}, t -> t.put("losses", new TensorData(new int[] {1, 2}, new float[2]))), "losses",
                "[1, 2]");
    }

    @Test
    void nonFiniteWeightsAreRefusedNamingTheTensorAndIndex() throws Exception {
        refused(edited(m -> {}, t -> t.put("value/w", new TensorData(new int[] {2, 3}, new float[] {1, 2, 3, 4, Float.NaN, 6}))),
                "value/w", "[1, 1]", "flat index 4", "NaN");
        refused(edited(m -> {}, t -> t.put("adam_v/b", new TensorData(new int[] {3},
                new float[] {0, Float.POSITIVE_INFINITY, 0}))), "adam_v/b", "[1]", "Infinity");
    }

    @Test
    void aMissingFieldOrTensorIsNamed() throws Exception {
        for (String key : List.of("fingerprint", "step", "epoch", "micro", "tokens", "since_best", "names", "history")) {
            refused(editedMeta(m -> m.remove(key)), "metadata field " + key + " is missing");
        }
        refused(editedMeta(m -> m.put("history", "[{\"loss\":0.6,\"macro_f1\":0.4,\"count\":16}]")),
                "history[0].accuracy is missing");
        refused(edited(m -> {}, t -> t.remove("adam_v/b")), "tensor adam_v/b is missing");
        refused(edited(m -> {}, t -> t.remove("losses")), "tensor losses is missing");
        refused(edited(m -> {}, t -> t.put("adam_m/w", new TensorData(new int[] {3, 2}, new float[6]))),
                "adam_m/w", "[3, 2]", "[2, 3]");
    }
}
