package dev.peft4j.tensor;

import java.util.Arrays;

/** Shape arithmetic shared by tensors and argument checks. */
public final class Shapes {
    private Shapes() {}

    /** A defensive copy of {@code shape}, rejecting null and negative dimensions. */
    public static int[] checkedCopy(int[] shape) {
        if (shape == null) {
            throw new IllegalArgumentException("shape is null");
        }
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
        }
        return shape.clone();
    }

    public static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Product of all dimensions but the last: the number of rows of a tensor seen as a matrix. */
    public static int rows(Tensor t) {
        int[] s = t.shape();
        long n = 1;
        for (int i = 0; i < s.length - 1; i++) {
            n *= s[i];
        }
        return Math.toIntExact(n);
    }

    public static String str(Tensor t) {
        return t == null ? "null" : Arrays.toString(t.shape());
    }
}
