package dev.peft4j.cpu;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.FloatErf;

/**
 * Scalar activations and their derivatives; erf and Φ are core's {@link FloatErf}, whose polynomials
 * {@link VectorMath} evaluates on vectors, so the scalar tails of a loop give the vector body's values.
 */
final class ScalarMath {
    static final float SQRT_2_OVER_PI = 0.79788456080286536f;

    private ScalarMath() {}

    static float activation(Activation f, float x) {
        return switch (f) {
            case IDENTITY -> x;
            case RELU -> Math.max(x, 0f);
            case GELU -> x * FloatErf.phi(x);
            // x·(1 + tanh u)/2 = x·σ(2u): no cancellation of 1 + tanh u in the left tail
            case GELU_TANH -> x / (1f + (float) Math.exp(-2f * SQRT_2_OVER_PI * (x + 0.044715f * x * x * x)));
            case SWISH -> x / (1f + (float) Math.exp(-x));
            case TANH -> (float) Math.tanh(x);
        };
    }

    /** f'(x). */
    static float derivative(Activation f, float x) {
        return switch (f) {
            case IDENTITY -> 1f;
            case RELU -> x > 0f ? 1f : 0f;
            case GELU -> FloatErf.phi(x) + x * FloatErf.INV_SQRT_2PI * (float) Math.exp(-0.5f * x * x);
            case GELU_TANH -> {
                // with s = σ(2u) = (1 + tanh u)/2: f' = s + 2x·s(1 − s)·u', u' = c(1 + 3·0.044715 x²); beyond |x| = 10
                // f' is 1 or 0 in float, so a finite x is clamped there (no ∞·0); ±∞ gives NaN like the reference
                float xc = Float.isInfinite(x) ? x : Math.max(-10f, Math.min(10f, x));
                float e = (float) Math.exp(-2f * SQRT_2_OVER_PI * (xc + 0.044715f * xc * xc * xc));
                float sg = 1f / (1f + e);
                yield sg + 2f * xc * sg * (e * sg) * SQRT_2_OVER_PI * (1f + 3f * 0.044715f * xc * xc);
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
