package dev.peft4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {

    @TempDir
    Path dir;

    /** A file made by hand: little-endian header length, the header text, then {@code data}. */
    private Path handMade(String name, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    private static byte[] shortsLE(int... v) {
        ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            b.putShort((short) x);
        }
        return b.array();
    }

    @Test
    void roundTripKeepsShapesValuesAndMetadata() throws IOException {
        Map<String, TensorData> in = new LinkedHashMap<>();
        in.put("b.weight", new TensorData(new int[] {2, 3}, new float[] {1, -2, 3.5f, Float.NaN, Float.POSITIVE_INFINITY, -0f}));
        in.put("a.bias", new TensorData(new int[] {3}, new float[] {0.1f, 0.2f, 0.3f}));
        in.put("scalar", new TensorData(new int[] {}, new float[] {7}));
        in.put("empty", new TensorData(new int[] {0, 4}, new float[0]));
        Path p = dir.resolve("model.safetensors");
        SafeTensors.write(p, in, Map.of("format", "pt"));

        SafeTensorsContent out = SafeTensors.read(p);
        assertEquals(Map.of("format", "pt"), out.metadata());
        assertEquals(in.keySet(), out.tensors().keySet());
        Map<String, int[]> shapes = SafeTensors.shapes(p);
        assertEquals(List.copyOf(out.tensors().keySet()), List.copyOf(shapes.keySet()), "shapes(): the file's order");
        for (String k : in.keySet()) {
            assertArrayEquals(in.get(k).shape(), out.get(k).shape(), k);
            assertArrayEquals(in.get(k).shape(), shapes.get(k), "shapes(): " + k);
            assertArrayEquals(in.get(k).data(), out.get(k).data(), k);
        }
    }

    @Test
    void writtenBytesFollowTheFormat() throws IOException {
        Path p = dir.resolve("one.safetensors");
        SafeTensors.write(p, Map.of("x", new TensorData(new int[] {2}, new float[] {1f, -2f})), Map.of());
        byte[] bytes = Files.readAllBytes(p);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, n % 8, "header padded to 8 bytes");
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8).strip();
        assertEquals("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", header);
        // 1.0f = 0x3F800000 and -2.0f = 0xC0000000, little-endian
        byte[] data = java.util.Arrays.copyOfRange(bytes, 8 + (int) n, bytes.length);
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3F, 0, 0, 0, (byte) 0xC0}, data);
    }

    @Test
    void readsHalfBfloatAndDouble() throws IOException {
        // F16: 0x3C00 = 1, 0xC000 = -2, 0x3555 = 0.333251953125, 0x7C00 = +inf, 0x0001 = 2^-24
        // BF16: 0x3F80 = 1, 0x4049 = 3.140625, 0xBF00 = -0.5
        byte[] f16 = shortsLE(0x3C00, 0xC000, 0x3555, 0x7C00, 0x0001);
        byte[] bf16 = shortsLE(0x3F80, 0x4049, 0xBF00);
        ByteBuffer f64 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.1);
        byte[] data = new byte[10 + 6 + 8];
        System.arraycopy(f16, 0, data, 0, 10);
        System.arraycopy(bf16, 0, data, 10, 6);
        System.arraycopy(f64.array(), 0, data, 16, 8);
        Path p = handMade("mixed.safetensors", "{\"h\":{\"dtype\":\"F16\",\"shape\":[5],\"data_offsets\":[0,10]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1,3],\"data_offsets\":[10,16]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[16,24]},"
                + "\"__metadata__\":{\"format\":\"pt\"}}", data);
        SafeTensorsContent c = SafeTensors.read(p);
        assertArrayEquals(new float[] {1f, -2f, 0.333251953125f, Float.POSITIVE_INFINITY, 0x1p-24f}, c.get("h").data());
        assertArrayEquals(new int[] {1, 3}, c.get("b").shape());
        assertArrayEquals(new float[] {1f, 3.140625f, -0.5f}, c.get("b").data());
        assertArrayEquals(new float[] {0.1f}, c.get("d").data());
        assertEquals("pt", c.metadata().get("format"));
    }

    /** read() and, for a header problem, shapes() refuse the file with a message naming it and the fragments. */
    private void assertRejected(String header, byte[] data, String... fragments) throws IOException {
        assertRejected(true, header, data, fragments);
    }

    private void assertRejected(boolean byShapesToo, String header, byte[] data, String... fragments) throws IOException {
        Path p = handMade("bad.safetensors", header, data);
        List<org.junit.jupiter.api.function.Executable> readers = byShapesToo
                ? List.of(() -> SafeTensors.read(p), () -> SafeTensors.shapes(p)) : List.of(() -> SafeTensors.read(p));
        for (org.junit.jupiter.api.function.Executable reader : readers) {
            SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class, reader);
            assertTrue(e.getMessage().contains("bad.safetensors"), e.getMessage());
            for (String f : fragments) {
                assertTrue(e.getMessage().contains(f), "'" + f + "' missing from: " + e.getMessage());
            }
        }
    }

    @Test
    void rejectsInvalidHeaders() throws IOException {
        byte[] eight = new byte[8];
        assertRejected("{\"w\":{\"dtype\":\"F33\",\"shape\":[2],\"data_offsets\":[0,8]}}", eight, "'w'", "dtype", "F33");
        assertRejected("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,16]}}", eight, "'w'",
                "data_offsets", "beyond");
        assertRejected("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", eight, "'w'",
                "data_offsets", "needs 12");
        assertRejected("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", eight, "'w'", "begin 8 > end 4");
        assertRejected("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", eight, "'w'", "shape");
        assertRejected("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", eight, "'w'", "shape");
        assertRejected("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", eight, "'w'", "shape");
        assertRejected("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", eight, "'w'", "data_offsets");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight, "overlaps", "data_offsets");
        // a valid header whose dtype read() cannot convert: shapes() reads it
        assertRejected(false, "{\"w\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}", eight, "'w'", "I32");
        assertRejected("{\"__metadata__\":{\"n\":3}}", eight, "__metadata__.n");
        assertRejected("{not json", eight, "not valid JSON");
        assertRejected("[1,2]", eight, "not a JSON object");
    }

    /** A repeated key was read silently, the last copy winning. */
    @Test
    void rejectsDuplicateKeys() throws IOException {
        byte[] eight = new byte[8];
        assertRejected("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight, "'w'", "twice");
        assertRejected("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,8]}}", eight,
                "'dtype'", "'w'", "twice");
        assertRejected("{\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"}}", eight, "'a'", "twice");
    }

    /** NaN and Inf weights loaded silently (predictions became NaN). */
    @Test
    void readWeightsRefusesNonFiniteValuesNamingTensorAndIndex() throws IOException {
        Path p = dir.resolve("nan.safetensors");
        SafeTensors.write(p, Map.of("ok", new TensorData(new int[] {2}, new float[] {1, 2}),
                "w", new TensorData(new int[] {2, 3}, new float[] {0, 1, 2, 3, Float.NEGATIVE_INFINITY, 5})), Map.of());
        SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.readWeights(p));
        for (String part : List.of(p.toString(), "'w'", "[1, 1]", "flat index 4", "-Infinity")) {
            assertTrue(e.getMessage().contains(part), part + " missing from " + e.getMessage());
        }
        assertEquals(Float.NEGATIVE_INFINITY, SafeTensors.read(p).get("w").data()[4], "the format itself holds any float");
        SafeTensors.write(p, Map.of("w", new TensorData(new int[] {1}, new float[] {Float.NaN})), Map.of());
        assertTrue(assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.readWeights(p)).getMessage()
                .contains("NaN"));
    }

    @Test
    void rejectsHeaderLengthBeyondFile() throws IOException {
        Path p = dir.resolve("short.safetensors");
        Files.write(p, ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
        SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.read(p));
        assertTrue(e.getMessage().contains("short.safetensors") && e.getMessage().contains("header length 1000"),
                e.getMessage());
        Path q = dir.resolve("tiny.safetensors");
        Files.write(q, new byte[5]);
        assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.read(q));
    }

    @Test
    void interruptedWriteLeavesTheOldFileIntact() throws IOException {
        Path p = dir.resolve("adapter.safetensors");
        TensorData old = new TensorData(new int[] {2}, new float[] {1, 2});
        SafeTensors.write(p, Map.of("w", old), Map.of("format", "pt"));
        byte[] before = Files.readAllBytes(p);

        TensorData fresh = new TensorData(new int[] {3}, new float[] {4, 5, 6});
        RuntimeException crash = new RuntimeException("simulated crash before rename");
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> SafeTensors.write(p, Map.of("w", fresh), Map.of(), () -> { throw crash; }));
        assertEquals(crash, e);
        assertArrayEquals(before, Files.readAllBytes(p));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(p), files.toList(), "no temporary file left behind");
        }
        SafeTensors.write(p, Map.of("w", fresh), Map.of());
        assertArrayEquals(fresh.data(), SafeTensors.read(p).get("w").data());
    }
}
