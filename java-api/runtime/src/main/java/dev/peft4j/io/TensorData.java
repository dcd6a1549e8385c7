package dev.peft4j.io;

import java.util.Arrays;

/**
 * A host tensor as stored in a file: a row-major float32 array and its shape. Independent of any backend.
 *
 * @param shape dimensions, outermost first; {@code []} is a scalar (one element)
 * @param data  {@code numel(shape)} values in row-major order
 */
public record TensorData(int[] shape, float[] data) {

    public TensorData {
        if (shape == null || data == null) {
            throw new IllegalArgumentException("shape and data must not be null");
        }
        long n = numel(shape);
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " holds " + n + " elements but data has " + data.length);
        }
    }

    /** Product of the dimensions; rejects negative dimensions and overflow. */
    public static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public long numel() {
        return data.length;
    }

    /** The transpose of a 2-D tensor: {@code out[j][i] = in[i][j]}, shape {@code [c, r]} from {@code [r, c]}. */
    public TensorData transpose2d() {
        if (shape.length != 2) {
            throw new IllegalArgumentException("transpose2d needs a 2-D tensor, got shape " + Arrays.toString(shape));
        }
        int r = shape[0];
        int c = shape[1];
        float[] out = new float[data.length];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                out[j * r + i] = data[i * c + j];
            }
        }
        return new TensorData(new int[] {c, r}, out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorData t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "TensorData" + Arrays.toString(shape);
    }
}
