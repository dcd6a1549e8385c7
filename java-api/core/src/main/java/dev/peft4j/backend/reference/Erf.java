package dev.peft4j.backend.reference;

/**
 * The error function in double precision, written out so the oracle depends on no outside library.
 *
 * <ul>
 *   <li>|x| &lt; 3: the everywhere-convergent series with positive terms only (no cancellation),
 *       erf(x) = (2/√π)·e^(−x²)·Σ_{n≥0} 2ⁿ x^(2n+1) / (1·3·5···(2n+1)) (Abramowitz–Stegun 7.1.6);
 *       summed until a term no longer changes the sum. Relative error a few ulp.</li>
 *   <li>|x| ≥ 3 for erf, and x ≥ 1 for erfc: erfc(x) = (e^(−x²)/√π)·1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))
 *       (A&amp;S 7.1.14), a continued fraction evaluated bottom-up at a fixed depth of 200, which has converged to
 *       double precision for x ≥ 1 (deeper evaluation changes nothing); then erf = 1 − erfc. Using it for erfc
 *       from x = 1 on keeps erfc accurate in relative terms where 1 − erf would cancel.</li>
 * </ul>
 */
final class Erf {
    private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);
    private static final double ONE_OVER_SQRT_PI = 1.0 / Math.sqrt(Math.PI);
    private static final double SERIES_LIMIT = 3.0;
    private static final double ERFC_FRACTION_LIMIT = 1.0;
    private static final int FRACTION_DEPTH = 200;

    private Erf() {}

    static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double a = Math.abs(x);
        double r = a < SERIES_LIMIT ? series(a) : 1.0 - erfcFraction(a);
        return x < 0 ? -r : r;
    }

    /** erfc(x) = 1 − erf(x), accurate in relative terms for large positive x too. */
    static double erfc(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        if (x >= ERFC_FRACTION_LIMIT) {
            return erfcFraction(x);
        }
        if (x <= -ERFC_FRACTION_LIMIT) {
            return 2.0 - erfcFraction(-x);
        }
        return 1.0 - erf(x);
    }

    private static double series(double a) {
        double x2 = a * a;
        double term = a;
        double sum = a;
        for (int n = 1; n < 1000; n++) {
            term *= 2.0 * x2 / (2 * n + 1);
            double next = sum + term;
            if (next == sum) {
                break;
            }
            sum = next;
        }
        return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
    }

    /** The continued fraction of A&amp;S 7.1.14 for a ≥ 1; partial numerators are k/2, k = 1, 2, 3... */
    private static double erfcFraction(double a) {
        if (a > 27.3) {
            return 0.0; // e^(−a²) underflows: erfc(27.3) < 1e-324
        }
        double tail = a;
        for (int k = FRACTION_DEPTH; k >= 1; k--) {
            tail = a + (k / 2.0) / tail;
        }
        return ONE_OVER_SQRT_PI * Math.exp(-a * a) / tail;
    }
}
