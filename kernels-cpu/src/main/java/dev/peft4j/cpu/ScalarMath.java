package dev.peft4j.cpu;

import dev.peft4j.backend.Activation;

/**
 * Scalar activations and their derivatives, and this backend's own erf (the same polynomials as
 * {@link VectorMath}): |x| ≤ 1: erf(x) = x·P(x²) (degree 6, fitted, relative error ≤ 2e-7 in float);
 * |x| &gt; 1: erfc(x) = e^(−x²)·Q(1/x)/x (degree 11 in 1/x, fitted to erfcx; relative error ≤ 1.1e-6 for x ≤ 4).
 */
final class ScalarMath {
    static final float[] ERF_SMALL = {1.1283791662319127f, -0.37612629764889055f, 0.11283634615577622f,
        -0.026856068889611902f, 0.0051929566785852005f, -0.00080537411741176442f, 8.0068422597256444e-05f};
    static final float[] ERFC_LARGE = {0.56418960819711927f, -2.7783590178182531e-06f, -0.28204462204766578f,
        0.00048613051399626372f, 0.40201213937824726f, 0.24251291029905844f, -2.5059119134488648f,
        4.9788794190734187f, -5.3963550425966549f, 3.5012099151334928f, -1.2822367582237528f, 0.20484461716964086f};
    static final float INV_SQRT2 = 0.70710678118654752f;
    static final float INV_SQRT_2PI = 0.39894228040143268f;
    static final float SQRT_2_OVER_PI = 0.79788456080286536f;

    private ScalarMath() {}

    /** erfc(a) for a ≥ 1, with x² split exactly into hi + lo so e^(−x²) keeps full precision. */
    static float erfcLarge(float a) {
        float t = 1f / Math.min(a, 10f);
        float q = ERFC_LARGE[ERFC_LARGE.length - 1];
        for (int i = ERFC_LARGE.length - 2; i >= 0; i--) {
            q = Math.fma(q, t, ERFC_LARGE[i]);
        }
        float hi = a * a;
        float lo = Math.fma(a, a, -hi);
        return (float) Math.exp(-hi) * (1f - lo) * q * t;
    }

    static float erf(float x) {
        float a = Math.abs(x);
        if (a <= 1f) {
            float z = x * x;
            float p = ERF_SMALL[ERF_SMALL.length - 1];
            for (int i = ERF_SMALL.length - 2; i >= 0; i--) {
                p = Math.fma(p, z, ERF_SMALL[i]);
            }
            return x * p;
        }
        return Math.copySign(1f - erfcLarge(a), x);
    }

    /** Φ(x), the standard normal CDF, accurate in relative terms in the left tail too. */
    static float phi(float x) {
        float z = x * INV_SQRT2;
        if (Math.abs(z) <= 1f) {
            return 0.5f + 0.5f * erf(z);
        }
        float c = 0.5f * erfcLarge(Math.abs(z));
        return z > 0 ? 1f - c : c;
    }

    static float activation(Activation f, float x) {
        return switch (f) {
            case IDENTITY -> x;
            case RELU -> Math.max(x, 0f);
            case GELU -> x * phi(x);
            case GELU_TANH -> 0.5f * x * (1f + (float) Math.tanh(SQRT_2_OVER_PI * (x + 0.044715f * x * x * x)));
            case SWISH -> x / (1f + (float) Math.exp(-x));
            case TANH -> (float) Math.tanh(x);
        };
    }

    /** f'(x). */
    static float derivative(Activation f, float x) {
        return switch (f) {
            case IDENTITY -> 1f;
            case RELU -> x > 0f ? 1f : 0f;
            case GELU -> phi(x) + x * INV_SQRT_2PI * (float) Math.exp(-0.5f * x * x);
            case GELU_TANH -> {
                float inner = SQRT_2_OVER_PI * (x + 0.044715f * x * x * x);
                float th = (float) Math.tanh(inner);
                yield 0.5f * (1f + th) + 0.5f * x * (1f - th * th) * SQRT_2_OVER_PI * (1f + 3f * 0.044715f * x * x);
            }
            case SWISH -> {
                float sg = 1f / (1f + (float) Math.exp(-x));
                yield sg * (1f + x * (1f - sg));
            }
            case TANH -> {
                float th = (float) Math.tanh(x);
                yield 1f - th * th;
            }
        };
    }
}
