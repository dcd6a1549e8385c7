package dev.peft4j.conformance;

import java.util.Arrays;

/** A tensor's contents on the host: what every backend receives through {@code fromHost}. */
record HostTensor(float[] data, int[] shape) {
    HostTensor {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
        }
    }

    @Override
    public String toString() {
        return Arrays.toString(shape);
    }
}
