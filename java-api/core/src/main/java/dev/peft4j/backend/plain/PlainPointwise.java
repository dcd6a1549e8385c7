package dev.peft4j.backend.plain;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.DropoutHash;

/**
 * The plain backend's elementwise kernels in float32, the flat element range split over the {@link RowPool}:
 * activations and their derivatives, and dropout. The formulas are the reference's
 * (dev.peft4j.backend.reference.ReferenceActivations and ReferenceElementwise); an element's result depends only
 * on that element, so never on the thread count. Outputs may alias inputs elementwise (each element is read
 * before it is written).
 * <pre>
 *   IDENTITY   f = z                                   f' = 1
 *   RELU       f = max(z, 0)                           f' = [z &gt; 0]
 *   GELU       f = z·Φ(z), Φ(z) = erfc(−z/√2)/2       f' = Φ(z) + z·φ(z), φ(z) = e^(−z²/2)/√(2π)
 *   GELU_TANH  f = z/2·(1 + t), t = tanh(u), u = c(z + 0.044715 z³), c = √(2/π)
 *              f' = (1 + t)/2 + z/2·(1 − t²)·c·(1 + 3·0.044715 z²)
 *   SWISH      f = z·σ(z)                              f' = σ(z)·(1 + z·(1 − σ(z)))
 *   TANH       f = tanh(z)                             f' = 1 − tanh²(z)
 * </pre>
 * erf here is a pair of fitted polynomials in float ({@link #ERF_SMALL}, {@link #ERFC_LARGE}: |x| ≤ 1:
 * erf(x) = x·P(x²), relative error ≤ 2e-7; x &gt; 1: erfc(x) = e^(−x²)·Q(1/x)/x, relative error ≤ 1.1e-6 for
 * x ≤ 4), the same coefficients as the cpu backend's (core cannot depend on that module); the reference sums a
 * series or a continued fraction of depth 200 in double. GELU_TANH is evaluated through (1 + t)/2 = 1/(1 + e^(−2u))
 * and (1 − t²) = 4·(1 + t)/2·(1 − t)/2, the same functions from the exp intrinsic, without the cancellation of
 * 1 + t where t ≈ −1. The scalar arithmetic around an exp or tanh is done in double, which a scalar loop does at
 * the speed of float; inputs and outputs are float.
 */
final class PlainPointwise {
    static final float[] ERF_SMALL = {1.1283791662319127f, -0.37612629764889055f, 0.11283634615577622f,
        -0.026856068889611902f, 0.0051929566785852005f, -0.00080537411741176442f, 8.0068422597256444e-05f};
    static final float[] ERFC_LARGE = {0.56418960819711927f, -2.7783590178182531e-06f, -0.28204462204766578f,
        0.00048613051399626372f, 0.40201213937824726f, 0.24251291029905844f, -2.5059119134488648f,
        4.9788794190734187f, -5.3963550425966549f, 3.5012099151334928f, -1.2822367582237528f, 0.20484461716964086f};
    private static final float INV_SQRT2 = 0.70710678118654752f;
    private static final float INV_SQRT_2PI = 0.39894228040143268f;
    private static final double TANH_C = Math.sqrt(2.0 / Math.PI);
    private static final double TANH_K = 0.044715;

    /** Work per element given to the pool: a few dozen flops and an exp for the costly activations. */
    private static final long ACTIVATION_WORK = 32;
    private static final long DROPOUT_WORK = 8;

    private PlainPointwise() {}

    /** y = f(x) elementwise over n elements. */
    static void activationForward(RowPool pool, Activation f, float[] x, float[] y, int n) {
        pool.forRows(n, ACTIVATION_WORK, (from, to) -> {
            switch (f) {
                case IDENTITY -> System.arraycopy(x, from, y, from, to - from);
                case RELU -> {
                    for (int i = from; i < to; i++) {
                        float z = x[i];
                        y[i] = z > 0f ? z : 0f;
                    }
                }
                case GELU -> {
                    for (int i = from; i < to; i++) {
                        float z = x[i];
                        y[i] = z * phi(z);
                    }
                }
                case GELU_TANH -> {
                    for (int i = from; i < to; i++) {
                        float z = x[i];
                        y[i] = (float) (z * halfOnePlusTanh(z));
                    }
                }
                case SWISH -> {
                    for (int i = from; i < to; i++) {
                        float z = x[i];
                        y[i] = z * sigmoid(z);
                    }
                }
                case TANH -> {
                    for (int i = from; i < to; i++) {
                        y[i] = (float) Math.tanh(x[i]);
                    }
                }
            }
        });
    }

    /** dx = dy ⊙ f'(x) elementwise over n elements. */
    static void activationBackward(RowPool pool, Activation f, float[] dy, float[] x, float[] dx, int n) {
        pool.forRows(n, ACTIVATION_WORK, (from, to) -> {
            switch (f) {
                case IDENTITY -> System.arraycopy(dy, from, dx, from, to - from);
                case RELU -> {
                    for (int i = from; i < to; i++) {
                        dx[i] = x[i] > 0f ? dy[i] : dy[i] * 0f;
                    }
                }
                case GELU -> {
                    for (int i = from; i < to; i++) {
                        float z = x[i];
                        float pdf = INV_SQRT_2PI * (float) Math.exp(-0.5 * z * z); // exponent unrounded
                        dx[i] = dy[i] * (phi(z) + z * pdf);
                    }
                }
                case GELU_TANH -> {
                    for (int i = from; i < to; i++) {
                        double z = x[i];
                        double e = Math.exp(-2.0 * tanhArgument(z));
                        double s = 1.0 / (1.0 + e), sc = 1.0 / (1.0 + 1.0 / e); // (1 + t)/2 and (1 − t)/2
                        double d = s + 2.0 * z * s * sc * TANH_C * (1.0 + 3.0 * TANH_K * z * z);
                        dx[i] = (float) (dy[i] * d);
                    }
                }
                case SWISH -> {
                    for (int i = from; i < to; i++) {
                        float z = x[i];
                        float s = sigmoid(z);
                        dx[i] = dy[i] * (s * (1f + z * (1f - s)));
                    }
                }
                case TANH -> {
                    for (int i = from; i < to; i++) {
                        double t = Math.tanh(x[i]); // 1 − t² in double: in float it is 0 from |z| ≈ 9 on
                        dx[i] = (float) (dy[i] * (1.0 - t * t));
                    }
                }
            }
        });
    }

    /**
     * Inverted dropout: keep[i] = DropoutHash.uniform(seed, i) ≥ p, mask[i] = keep ? 1/(1−p) : 0, y = x ⊙ mask, for
     * the flat index i (mask nullable). The same mask as the reference's bit for bit (the hash is an integer
     * function of (seed, i)), and the same y: the product of two floats is exact in double, so the reference's
     * (float) ((double) x·m) and the float product x·m are one and the same rounding.
     */
    static void dropoutForward(RowPool pool, float[] x, float p, long seed, float[] y, float[] mask, int n) {
        float keepScale = DropoutHash.keepScale(p);
        pool.forRows(n, DROPOUT_WORK, (from, to) -> {
            for (int i = from; i < to; i++) {
                float m = DropoutHash.uniform(seed, i) >= p ? keepScale : 0f;
                if (mask != null) {
                    mask[i] = m;
                }
                y[i] = x[i] * m;
            }
        });
    }

    /** Φ(z) = erfc(−z/√2)/2, accurate in relative terms in the left tail too. */
    static float phi(float z) {
        float s = z * INV_SQRT2;
        if (Math.abs(s) <= 1f) {
            return 0.5f + 0.5f * erfSmall(s);
        }
        float c = 0.5f * erfcLarge(Math.abs(s));
        return s > 0f ? 1f - c : c;
    }

    /** erf(x) for |x| ≤ 1: x·P(x²). */
    private static float erfSmall(float x) {
        float z = x * x;
        float p = ERF_SMALL[ERF_SMALL.length - 1];
        for (int i = ERF_SMALL.length - 2; i >= 0; i--) {
            p = Math.fma(p, z, ERF_SMALL[i]);
        }
        return x * p;
    }

    /**
     * erfc(a) for a &gt; 1, with a² split exactly into hi + lo so e^(−a²) keeps full precision; 0 beyond a = 10
     * (erfc(10) ≈ 2e-45 is below the smallest float), so a² never overflows; NaN stays NaN.
     */
    private static float erfcLarge(float a) {
        if (a > 10f) {
            return 0f;
        }
        float t = 1f / a;
        float q = ERFC_LARGE[ERFC_LARGE.length - 1];
        for (int i = ERFC_LARGE.length - 2; i >= 0; i--) {
            q = Math.fma(q, t, ERFC_LARGE[i]);
        }
        float hi = a * a;
        float lo = Math.fma(a, a, -hi);
        return (float) Math.exp(-hi) * (1f - lo) * q * t;
    }

    /** u = c(z + 0.044715 z³), in double (no overflow of z³, no rounding of the exponent to float). */
    private static double tanhArgument(double z) {
        return TANH_C * (z + TANH_K * z * z * z);
    }

    /**
     * (1 + tanh(u))/2 = 1/(1 + e^(−2u)), the same value as the reference's 1 + tanh(u) halved, but without its
     * cancellation where tanh(u) ≈ −1, so the left tail of GELU_TANH keeps its relative precision.
     */
    private static double halfOnePlusTanh(double z) {
        return 1.0 / (1.0 + Math.exp(-2.0 * tanhArgument(z)));
    }

    /** σ(z) = 1/(1 + e^(−z)), the form that is 0 (not NaN) for very negative z. */
    private static float sigmoid(float z) {
        return (float) (1.0 / (1.0 + Math.exp(-z)));
    }
}
