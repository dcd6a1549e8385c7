package dev.peft4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Regression tests for the reader bugs the fuzzing found, and the memory guard. */
class SafeTensorsRobustnessTest {

    @TempDir
    Path dir;

    private Path file(String name, String header, int dataBytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, SafeTensorsMutator.pack(header.getBytes(StandardCharsets.UTF_8), new byte[dataBytes]));
        return p;
    }

    private static SafeTensorsFormatException rejected(Path p, String... fragments) {
        SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.read(p));
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' missing from: " + e.getMessage());
        }
        return e;
    }

    @Test
    void hundredGigabyteTensorIsRejectedBeforeAllocating() throws IOException {
        Path p = file("huge.safetensors",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[50000,500000],\"data_offsets\":[0,100000000000]}}", 16);
        rejected(p, "'w'", "data_offsets", "beyond the data section of 16 bytes");
    }

    /** Was a NumberFormatException from BigDecimal (exponent too large) with no file name. */
    @Test
    void numbersBeyondBigDecimalRangeAreFormatErrors() throws IOException {
        rejected(file("exp1.safetensors",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1e99999999999],\"data_offsets\":[0,4]}}", 4), "'w'", "shape[0]");
        rejected(file("exp2.safetensors",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,1e10000]}}", 4), "'w'", "data_offsets[1]");
        rejected(file("digits.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1" + "0".repeat(12000)
                + "],\"data_offsets\":[0,4]}}", 4), "'w'", "shape[0]");
    }

    /** Was a StackOverflowError: the error message printed the nested value recursively. */
    @Test
    void deeplyNestedValuesAreReportedWithoutOverflowingTheStack() throws IOException {
        String nest = "[".repeat(100_000) + "1" + "]".repeat(100_000);
        String objects = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000);
        rejected(file("nested-shape.safetensors",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":" + nest + ",\"data_offsets\":[0,4]}}", 4), "'w'", "shape");
        rejected(file("nested-entry.safetensors", "{\"w\":" + nest + "}", 4), "'w'", "an array of 1 entries");
        rejected(file("nested-dtype.safetensors",
                "{\"w\":{\"dtype\":" + objects + ",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "'w'", "dtype");
        rejected(file("nested-meta.safetensors", "{\"__metadata__\":{\"k\":" + nest + "}}", 0), "__metadata__.k");
    }

    @Test
    void longValuesAreCutInMessages() throws IOException {
        String dtype = "X".repeat(5000);
        SafeTensorsFormatException e = rejected(file("long.safetensors",
                "{\"w\":{\"dtype\":\"" + dtype + "\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "unknown dtype");
        assertFalse(e.getMessage().contains(dtype), "the 5000-character dtype is abbreviated");
        assertTrue(e.getMessage().length() < 1000, e.getMessage());
    }

    @Test
    void tensorsLargerThanTheHeapLimitAreRefusedBeforeAllocating() throws IOException {
        Path p = dir.resolve("big.safetensors");
        // 26 F32 values need 104 bytes as float32
        SafeTensors.write(p, Map.of("w", new TensorData(new int[] {26}, new float[26])), Map.of());
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(p, 100));
        assertFalse(e instanceof SafeTensorsFormatException, "the file is valid, only too large");
        assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("104 bytes")
                && e.getMessage().contains("-Xmx"), e.getMessage());
        assertArrayEquals(new float[26], SafeTensors.read(p, 104).get("w").data(), "exactly at the limit it reads");

        Path h = file("half.safetensors", "{\"h\":{\"dtype\":\"F16\",\"shape\":[13],\"data_offsets\":[0,26]}}", 26);
        IOException eh = assertThrows(IOException.class, () -> SafeTensors.read(h, 51));
        assertTrue(eh.getMessage().contains("52 bytes"), "F16 counts at float32 size: " + eh.getMessage());
    }
}
