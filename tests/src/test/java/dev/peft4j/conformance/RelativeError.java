package dev.peft4j.conformance;

/**
 * The conformance error measure ‖out − ref‖₂ / ‖ref‖₂ (DESIGN.md §6), computed in double.
 * <ul>
 *   <li>NaN anywhere in {@code out} gives NaN, which never passes a tolerance test ({@code !(err <= tol)}).</li>
 *   <li>Infinite reference values (the lse of a query that sees no key is −∞) must be matched exactly and
 *       are left out of both norms; a mismatch gives NaN.</li>
 *   <li>An all-zero reference gives the absolute norm ‖out‖₂, so "must be zero" is still tested.</li>
 * </ul>
 */
final class RelativeError {
    private RelativeError() {}

    static double of(float[] out, float[] ref) {
        if (out.length != ref.length) {
            return Double.NaN;
        }
        double num = 0;
        double den = 0;
        for (int i = 0; i < ref.length; i++) {
            float r = ref[i];
            float o = out[i];
            if (Float.isInfinite(r)) {
                if (o != r) {
                    return Double.NaN;
                }
                continue;
            }
            if (Float.isNaN(r) || Float.isNaN(o)) {
                return Double.NaN;
            }
            double d = (double) o - r;
            num += d * d;
            den += (double) r * r;
        }
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }

    /** True when the error is a number within the tolerance; NaN never passes. */
    static boolean within(double error, double tolerance) {
        return error <= tolerance;
    }
}
