package dev.peft4j.testing;

import dev.peft4j.tensor.Tensor;
import java.util.function.DoubleSupplier;

/**
 * Compares an analytic gradient (from a backward kernel) with a finite-difference one
 * ({@link FiniteDifference}).
 *
 * <p>Two conditions must both hold, with scale = max(‖analytic‖, ‖numeric‖):
 * <ol>
 *   <li>‖analytic − numeric‖₂ ≤ tol·scale₂ (the relative error of the whole gradient), and</li>
 *   <li>max_i |analytic_i − numeric_i| ≤ tol·scale_∞ (so one wrong element among many small ones is caught).</li>
 * </ol>
 * The default tolerance {@value #TOLERANCE} sits about two orders of magnitude above the finite-difference
 * error expected from float32 storage with the reference backend's double accumulation (≈1e-5, see
 * {@link FiniteDifference}) and two orders below the error of any structural mistake (a wrong sign, factor,
 * transpose or missing term gives errors of order 1). A gradient that is zero on both sides passes; a
 * non-finite value anywhere fails.
 */
public final class GradientCheck {
    /** Default relative tolerance for float32 tensors (see the class comment). */
    public static final double TOLERANCE = 1e-3;

    /** Set this system property to true to print every check's errors (to see the margin below the tolerance). */
    public static final String VERBOSE_PROPERTY = "peft4j.gradcheck.verbose";

    private GradientCheck() {}

    /** Runs finite differences of objective over input and compares them with analytic; fails with details. */
    public static void check(String what, DoubleSupplier objective, Tensor input, Tensor analytic) {
        double[] numeric = FiniteDifference.gradient(objective, input);
        assertGradient(what, analytic.toArray(), numeric, TOLERANCE);
    }

    /** Throws an AssertionError naming the worst element unless analytic matches numeric within tolerance. */
    public static void assertGradient(String what, float[] analytic, double[] numeric, double tolerance) {
        if (analytic.length != numeric.length) {
            throw new AssertionError(what + ": analytic gradient has " + analytic.length + " elements, numeric "
                    + numeric.length);
        }
        double diff2 = 0;
        double an2 = 0;
        double num2 = 0;
        double diffMax = 0;
        double absMax = 0;
        int worst = 0;
        for (int i = 0; i < analytic.length; i++) {
            double a = analytic[i];
            double n = numeric[i];
            if (!Double.isFinite(a) || !Double.isFinite(n)) {
                throw new AssertionError(what + ": non-finite gradient at [" + i + "]: analytic " + a + ", numeric " + n);
            }
            double d = Math.abs(a - n);
            diff2 += d * d;
            an2 += a * a;
            num2 += n * n;
            absMax = Math.max(absMax, Math.max(Math.abs(a), Math.abs(n)));
            if (d > diffMax) {
                diffMax = d;
                worst = i;
            }
        }
        double scale2 = Math.sqrt(Math.max(an2, num2));
        double relative = diff2 == 0 ? 0 : Math.sqrt(diff2) / scale2;
        boolean ok = relative <= tolerance && diffMax <= tolerance * absMax;
        if (Boolean.getBoolean(VERBOSE_PROPERTY)) {
            System.out.printf("gradient check %-40s relative %.2e, max element %.2e of max |g| %.3g%n",
                    what, relative, diffMax, absMax);
        }
        if (!ok) {
            throw new AssertionError(String.format(
                    "%s: gradient mismatch, relative error %.3e (tolerance %.1e), worst element [%d]: analytic %.8g,"
                            + " finite difference %.8g (max |g| %.4g)",
                    what, relative, tolerance, worst, (double) analytic[worst], numeric[worst], absMax));
        }
    }

    /** The relative error ‖analytic − numeric‖/max(‖analytic‖, ‖numeric‖) alone, for reporting. */
    public static double relativeError(float[] analytic, double[] numeric) {
        double diff2 = 0;
        double an2 = 0;
        double num2 = 0;
        for (int i = 0; i < analytic.length; i++) {
            double d = analytic[i] - numeric[i];
            diff2 += d * d;
            an2 += (double) analytic[i] * analytic[i];
            num2 += numeric[i] * numeric[i];
        }
        return diff2 == 0 ? 0 : Math.sqrt(diff2 / Math.max(an2, num2));
    }
}
