package dev.peft4j.conformance;

import dev.peft4j.testing.Errors;

/**
 * The conformance error measure: {@link Errors#relativeError} (‖out − ref‖₂/‖ref‖₂; NaN or ∞ anywhere never
 * passes; an all-zero reference demands an all-zero output), extended for the one output whose contract has
 * infinities: the lse of a query that sees no key is −∞. Such reference elements must be matched exactly and
 * are left out of the norms.
 */
final class RelativeError {
    private RelativeError() {}

    static double of(float[] out, float[] ref) {
        if (out.length != ref.length) {
            return Double.POSITIVE_INFINITY;
        }
        int finite = 0;
        for (int i = 0; i < ref.length; i++) {
            if (Float.isInfinite(ref[i])) {
                if (out[i] != ref[i]) {
                    return Double.POSITIVE_INFINITY;
                }
            } else {
                finite++;
            }
        }
        if (finite == ref.length) {
            return Errors.relativeError(out, ref);
        }
        float[] o = new float[finite];
        float[] r = new float[finite];
        for (int i = 0, j = 0; i < ref.length; i++) {
            if (!Float.isInfinite(ref[i])) {
                o[j] = out[i];
                r[j++] = ref[i];
            }
        }
        return Errors.relativeError(o, r);
    }

    /** True when the error is a number within the tolerance; NaN and ∞ never pass. */
    static boolean within(double error, double tolerance) {
        return error <= tolerance;
    }
}
