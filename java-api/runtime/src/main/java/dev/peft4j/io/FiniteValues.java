package dev.peft4j.io;

import java.util.Arrays;
import java.util.Map;

/**
 * The check that loaded weights are finite: a NaN or an infinity in an adapter, a checkpoint or a base model would
 * otherwise load silently and turn every prediction into NaN. The problem names the tensor, the element's index
 * (per dimension and flat) and the value; the caller adds the file.
 */
public final class FiniteValues {
    private FiniteValues() {}

    /** The first non-finite element of {@code t}, described, or null when every element is finite. */
    public static String firstProblem(String tensor, TensorData t) {
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            if (!Float.isFinite(d[i])) {
                return "tensor '" + tensor + "' element " + Arrays.toString(multiIndex(t.shape(), i)) + " (flat index "
                        + i + " of " + d.length + ") is " + d[i] + "; weights must be finite";
            }
        }
        return null;
    }

    /** The first problem over every tensor of {@code tensors}, in their order, or null. */
    public static String firstProblem(Map<String, TensorData> tensors) {
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            String p = firstProblem(e.getKey(), e.getValue());
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    private static int[] multiIndex(int[] shape, int flat) {
        int[] idx = new int[shape.length];
        long rest = flat;
        for (int k = shape.length - 1; k >= 0; k--) {
            int d = Math.max(1, shape[k]);
            idx[k] = (int) (rest % d);
            rest /= d;
        }
        return idx;
    }
}
