package dev.peft4j.backend;

/**
 * erf and the standard normal CDF Φ in float32, as every CPU backend computes them (GELU and its derivative), so
 * that the scalar and vector paths agree: |x| ≤ 1: erf(x) = x·P(x²) (degree 6, fitted, relative error ≤ 2e-7);
 * |x| &gt; 1: erfc(x) = e^(−x²)·Q(1/x)/x (degree 11 in 1/x, fitted to erfcx; relative error ≤ 1.1e-6 for x ≤ 4),
 * and erfc(x) = 0 beyond x = 10 (erfc(10) ≈ 2e-45 is at the bottom of float's range), so no input overflows;
 * NaN stays NaN.
 */
public final class FloatErf {
    private static final float[] ERF_SMALL = {1.1283791662319127f, -0.37612629764889055f, 0.11283634615577622f,
        -0.026856068889611902f, 0.0051929566785852005f, -0.00080537411741176442f, 8.0068422597256444e-05f};
    private static final float[] ERFC_LARGE = {0.56418960819711927f, -2.7783590178182531e-06f, -0.28204462204766578f,
        0.00048613051399626372f, 0.40201213937824726f, 0.24251291029905844f, -2.5059119134488648f,
        4.9788794190734187f, -5.3963550425966549f, 3.5012099151334928f, -1.2822367582237528f, 0.20484461716964086f};
    /** 1/√2. */
    public static final float INV_SQRT2 = 0.70710678118654752f;
    /** 1/√(2π), the normal density's factor. */
    public static final float INV_SQRT_2PI = 0.39894228040143268f;

    private FloatErf() {}

    /** P's coefficients, constant term first (a copy, for vectorized evaluations of the same polynomial). */
    public static float[] erfSmallCoefficients() {
        return ERF_SMALL.clone();
    }

    /** Q's coefficients, constant term first (a copy, for vectorized evaluations of the same polynomial). */
    public static float[] erfcLargeCoefficients() {
        return ERFC_LARGE.clone();
    }

    /** erf(x). */
    public static float erf(float x) {
        float a = Math.abs(x);
        if (a <= 1f) {
            return x * horner(ERF_SMALL, x * x);
        }
        return Math.copySign(1f - erfcLarge(a), x);
    }

    /**
     * erfc(a) for a ≥ 1, with a² split exactly into hi + lo so that e^(−a²) keeps full precision; 0 beyond a = 10
     * (erfc(10) ≈ 2e-45 is at the bottom of float's range), so a² never overflows; NaN stays NaN.
     */
    public static float erfcLarge(float a) {
        if (a > 10f) {
            return 0f;
        }
        float t = 1f / a;
        float hi = a * a;
        float lo = Math.fma(a, a, -hi);
        return (float) Math.exp(-hi) * (1f - lo) * horner(ERFC_LARGE, t) * t;
    }

    /** Φ(x) = (1 + erf(x/√2))/2, through erfc in both tails (accurate in relative terms in the left tail too). */
    public static float phi(float x) {
        float z = x * INV_SQRT2;
        if (Math.abs(z) <= 1f) {
            return 0.5f + 0.5f * erf(z);
        }
        float c = 0.5f * erfcLarge(Math.abs(z));
        return z > 0 ? 1f - c : c;
    }

    private static float horner(float[] c, float x) {
        float p = c[c.length - 1];
        for (int i = c.length - 2; i >= 0; i--) {
            p = Math.fma(p, x, c[i]);
        }
        return p;
    }
}
