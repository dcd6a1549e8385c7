package dev.peft4j.model;

import java.util.Arrays;

/** A host copy of one named weight as a file holds it: shape and row-major float32 data. */
public record WeightData(int[] shape, float[] data) {
    public WeightData {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
        }
    }
}
