package dev.peft4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link FloatErf} against erf's Taylor series in double, and at the ends of float's range. */
class FloatErfTest {
    @Test
    void erfIsAccurateAgainstDoubleSeries() {
        for (int i = -4000; i <= 4000; i++) {
            double x = i / 1000.0;
            double exact = erfSeries(x);
            float got = FloatErf.erf((float) x);
            double err = Math.abs(got - exact) / Math.max(Math.abs(exact), 1e-30);
            if (x != 0) {
                assertTrue(err <= 1.5e-6, "erf(" + x + ") rel err " + err);
            }
        }
    }

    @Test
    void phiIsAccurateInTheLeftTail() {
        // Φ(−x) = erfc(x/√2)/2; erfc by the series would cancel, so compare with a known value: Φ(−5) = 2.8665157e-7
        assertEquals(2.8665157e-7, FloatErf.phi(-5f), 2.8665157e-7 * 2e-6);
        assertEquals(0.5f, FloatErf.phi(0f));
    }

    @Test
    void extremeInputsStayFiniteAndNaNStaysNaN() {
        for (float x : new float[] {14f, 20f, 1e19f, 3e19f, 1e30f, Float.MAX_VALUE, Float.POSITIVE_INFINITY}) {
            assertEquals(1f, FloatErf.phi(x), "Φ(" + x + ")");
            float left = FloatErf.phi(-x);
            assertTrue(left >= 0f && left < 1e-40f, "Φ(" + -x + ") = " + left);
            assertEquals(1f, FloatErf.erf(x), "erf(" + x + ")");
            assertEquals(-1f, FloatErf.erf(-x), "erf(" + -x + ")");
        }
        assertTrue(Float.isNaN(FloatErf.phi(Float.NaN)));
        assertTrue(Float.isNaN(FloatErf.erf(Float.NaN)));
    }

    @Test
    void coefficientCopiesCannotChangeTheFunction() {
        float before = FloatErf.erf(0.5f);
        FloatErf.erfSmallCoefficients()[0] = 0f;
        FloatErf.erfcLargeCoefficients()[0] = 0f;
        assertEquals(before, FloatErf.erf(0.5f));
    }

    /** erf by its Taylor series in double (converges, with cancellation well below float precision, for |x| ≤ 4). */
    private static double erfSeries(double x) {
        double sum = 0;
        double term = x;
        for (int n = 0; n < 200; n++) {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }
}
