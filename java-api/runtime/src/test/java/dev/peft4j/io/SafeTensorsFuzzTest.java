package dev.peft4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded, deterministic mutation fuzzing of {@link SafeTensors#read}. Each case mutates one of two valid files
 * (one written by {@link SafeTensors#write}, one with F16/BF16/F32/F64 tensors made by hand) and requires that
 * the read either succeeds with content that an independent decoder of the same bytes agrees with, or throws
 * {@link SafeTensorsFormatException} whose message names the file. Anything else (OutOfMemoryError,
 * NegativeArraySizeException, IndexOutOfBoundsException, NumberFormatException, StackOverflowError, ...) fails
 * the test with the case number, its seed and the mutation.
 */
class SafeTensorsFuzzTest {
    static final long SEED = 0x5AFE_7E45_0001L;
    static final int CASES = 3000;

    @TempDir
    Path dir;

    /** Several F32 tensors (matrix, vector, scalar, empty) and metadata, as the writer lays them out. */
    private byte[] writtenSeed() throws IOException {
        Map<String, TensorData> t = new LinkedHashMap<>();
        t.put("a.weight", new TensorData(new int[] {2, 3}, new float[] {1, -2, 3.5f, 0.25f, -0f, 1e-3f}));
        t.put("b.bias", new TensorData(new int[] {3}, new float[] {0.1f, 0.2f, 0.3f}));
        t.put("scalar", new TensorData(new int[] {}, new float[] {7}));
        t.put("empty", new TensorData(new int[] {0, 2}, new float[0]));
        Path p = dir.resolve("seed-written.safetensors");
        SafeTensors.write(p, t, Map.of("format", "pt"));
        return Files.readAllBytes(p);
    }

    /** F16 [2,2], BF16 [3], F32 [1,2] and F64 [] written by hand, with metadata. */
    private static byte[] handMadeSeed() {
        ByteBuffer d = ByteBuffer.allocate(8 + 6 + 8 + 8).order(ByteOrder.LITTLE_ENDIAN);
        d.putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x3555).putShort((short) 0x7C00);
        d.putShort((short) 0x3F80).putShort((short) 0x4049).putShort((short) 0xBF00);
        d.putFloat(1.5f).putFloat(-3f);
        d.putDouble(0.1);
        String h = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[8,14]},"
                + "\"f\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[14,22]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[22,30]}}";
        return SafeTensorsMutator.pack(h.getBytes(StandardCharsets.UTF_8), d.array());
    }

    @Test
    void seedsAreValid() throws IOException {
        for (byte[] seed : List.of(writtenSeed(), handMadeSeed())) {
            Path p = dir.resolve("seed.safetensors");
            Files.write(p, seed);
            SafeTensorsContent c = SafeTensors.read(p);
            assertEquals(4, c.tensors().size());
            assertEquals("pt", c.metadata().get("format"));
            checkAgainstIndependentDecode(seed, c);
        }
    }

    @Test
    void mutatedFilesAreReadConsistentlyOrRejectedWithTheFileName() throws IOException {
        byte[][] seeds = {writtenSeed(), handMadeSeed()};
        SafeTensorsMutator.Kind[] kinds = SafeTensorsMutator.Kind.values();
        List<String> failures = new ArrayList<>();
        int accepted = 0;
        int rejected = 0;
        for (int i = 0; i < CASES; i++) {
            long caseSeed = SEED + i;
            Random r = new Random(caseSeed);
            byte[] seed = seeds[r.nextInt(seeds.length)];
            SafeTensorsMutator.Kind kind = kinds[i % kinds.length];
            SafeTensorsMutator.Mutant m = SafeTensorsMutator.mutate(kind, seed, r);
            String label = "case " + i + " (seed " + caseSeed + ", " + kind + ": " + m.description() + ")";
            String outcome = readOne(i, m.bytes());
            if (outcome == null) {
                accepted++;
            } else if (outcome.isEmpty()) {
                rejected++;
            } else {
                failures.add(label + ": " + outcome);
            }
        }
        System.out.println("safetensors fuzz: " + CASES + " cases, " + accepted + " read, " + rejected + " rejected");
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + CASES + " mutated files broke the reader's contract:\n"
                    + String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
        }
        assertTrue(accepted > CASES / 20, "too few mutants were still readable (" + accepted + "): fuzz is degenerate");
        assertTrue(rejected > CASES / 2, "too few mutants were rejected (" + rejected + "): fuzz is degenerate");
    }

    @Test
    void everyTruncationIsRejectedWithTheFileName() throws IOException {
        for (byte[] seed : List.of(writtenSeed(), handMadeSeed())) {
            for (int n = 0; n < seed.length; n++) {
                Path p = dir.resolve("truncated-" + n + ".safetensors");
                Files.write(p, java.util.Arrays.copyOf(seed, n));
                SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.read(p),
                        "truncation to " + n + " of " + seed.length + " bytes");
                assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
                Files.delete(p);
            }
        }
    }

    /**
     * Reads {@code bytes} as a file: null when read and consistent, "" when rejected as the contract allows,
     * otherwise a description of the violation.
     */
    private String readOne(int i, byte[] bytes) throws IOException {
        Path p = dir.resolve("fuzz-" + i + ".safetensors");
        Files.write(p, bytes);
        try {
            SafeTensorsContent c = SafeTensors.read(p);
            checkAgainstIndependentDecode(bytes, c);
            return null;
        } catch (SafeTensorsFormatException e) {
            return e.getMessage() != null && e.getMessage().contains(p.toString())
                    ? "" : "message does not name the file: " + e.getMessage();
        } catch (Throwable t) {
            return stackTop(t);
        } finally {
            Files.delete(p);
        }
    }

    /**
     * The oracle for accepted files: the test's own reading of the header (names, dtype, shape, offsets) and
     * element decoding must agree with the reader, tensor by tensor, bit for bit.
     */
    private static void checkAgainstIndependentDecode(byte[] file, SafeTensorsContent c) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) b.getLong(0);
        JsonObject h = JsonParser.parseString(new String(file, 8, n, StandardCharsets.UTF_8)).getAsJsonObject();
        int dataStart = 8 + n;
        int tensors = 0;
        for (Map.Entry<String, JsonElement> e : h.entrySet()) {
            if (e.getKey().equals(SafeTensorsHeader.METADATA_KEY)) {
                continue;
            }
            tensors++;
            JsonObject o = e.getValue().getAsJsonObject();
            TensorData t = c.get(e.getKey());
            int[] shape = new int[o.getAsJsonArray("shape").size()];
            long numel = 1;
            for (int k = 0; k < shape.length; k++) {
                shape[k] = o.getAsJsonArray("shape").get(k).getAsInt();
                numel *= shape[k];
            }
            assertArrayEquals(shape, t.shape(), e.getKey());
            assertEquals(numel, t.data().length, e.getKey() + ": data length = numel");
            int at = dataStart + o.getAsJsonArray("data_offsets").get(0).getAsInt();
            String dtype = o.get("dtype").getAsString();
            for (int k = 0; k < numel; k++) {
                float expected = switch (dtype) {
                    case "F32" -> b.getFloat(at + 4 * k);
                    case "F64" -> (float) b.getDouble(at + 8 * k);
                    case "F16" -> Float.float16ToFloat(b.getShort(at + 2 * k));
                    case "BF16" -> Float.intBitsToFloat((b.getShort(at + 2 * k) & 0xFFFF) << 16);
                    default -> throw new AssertionError(e.getKey() + ": accepted dtype " + dtype);
                };
                assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(t.data()[k]), e.getKey() + "[" + k + "]");
            }
        }
        assertEquals(tensors, c.tensors().size(), "tensor count");
    }

    /** The exception and its first frames, plus the first frames of peft4j code (deep in a StackOverflowError). */
    static String stackTop(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        List<String> out = new ArrayList<>();
        String[] lines = w.toString().split("\n");
        for (int k = 0; k < lines.length && out.size() < 10; k++) {
            if (k < 4 || lines[k].contains("dev.peft4j") && !out.contains(lines[k])) {
                out.add(lines[k].strip());
            }
        }
        return String.join("\n    ", out);
    }
}
