package dev.peft4j.testing;

import dev.peft4j.tensor.Tensor;
import java.util.Arrays;

/**
 * Error measures for comparing a kernel's output with a reference (DESIGN.md §6): ‖out − ref‖₂/‖ref‖₂,
 * computed in double. A NaN or infinity anywhere in either argument gives +∞, so it fails every
 * {@code error ≤ tolerance} comparison; NaN never passes.
 */
public final class Errors {
    private Errors() {}

    /**
     * ‖out − ref‖₂/‖ref‖₂; 0 when both are all zero; +∞ when ref is all zero but out is not, when the lengths
     * differ, or when any element of either is not finite.
     */
    public static double relativeError(float[] out, float[] ref) {
        if (out.length != ref.length) {
            return Double.POSITIVE_INFINITY;
        }
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < out.length; i++) {
            if (!Float.isFinite(out[i]) || !Float.isFinite(ref[i])) {
                return Double.POSITIVE_INFINITY;
            }
            double d = (double) out[i] - ref[i];
            diff += d * d;
            norm += (double) ref[i] * ref[i];
        }
        if (diff == 0) {
            return 0;
        }
        return norm == 0 ? Double.POSITIVE_INFINITY : Math.sqrt(diff / norm);
    }

    /** {@link #relativeError(float[], float[])} of two tensors of the same shape, on any device. */
    public static double relativeError(Tensor out, Tensor ref) {
        if (!Arrays.equals(out.shape(), ref.shape())) {
            return Double.POSITIVE_INFINITY;
        }
        return relativeError(out.toArray(), ref.toArray());
    }

    /** Index of the element with the largest |out − ref| (a non-finite one first), for failure messages. */
    public static int worstIndex(float[] out, float[] ref) {
        int worst = 0;
        double worstDiff = -1;
        for (int i = 0; i < Math.min(out.length, ref.length); i++) {
            double d = Math.abs((double) out[i] - ref[i]);
            if (!Double.isFinite(d)) {
                return i;
            }
            if (d > worstDiff) {
                worstDiff = d;
                worst = i;
            }
        }
        return worst;
    }

    /** Fails with the error, the tolerance and the worst element unless relativeError(out, ref) ≤ tolerance. */
    public static void assertClose(String what, float[] out, float[] ref, double tolerance) {
        double err = relativeError(out, ref);
        if (!(err <= tolerance)) {
            int i = worstIndex(out, ref);
            String at = out.length == ref.length && out.length > 0
                    ? "; worst element [" + i + "]: got " + out[i] + ", expected " + ref[i] : "";
            throw new AssertionError(what + ": relative error " + err + " exceeds " + tolerance
                    + " (lengths " + out.length + " vs " + ref.length + ")" + at);
        }
    }

    /** {@link #assertClose(String, float[], float[], double)} for tensors (shapes must match too). */
    public static void assertClose(String what, Tensor out, Tensor ref, double tolerance) {
        if (!Arrays.equals(out.shape(), ref.shape())) {
            throw new AssertionError(what + ": shape " + Arrays.toString(out.shape()) + " differs from the reference "
                    + Arrays.toString(ref.shape()));
        }
        assertClose(what, out.toArray(), ref.toArray(), tolerance);
    }
}
