package dev.peft4j.backend.plain;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.DropoutHash;
import dev.peft4j.backend.FloatErf;

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
 * erf is {@link FloatErf}'s fitted polynomials in float, the same as the cpu backend's; the reference sums a
 * series or a continued fraction of depth 200 in double. GELU_TANH is evaluated through (1 + t)/2 = 1/(1 + e^(−2u))
 * and (1 − t²) = 4·(1 + t)/2·(1 − t)/2, the same functions from the exp intrinsic, without the cancellation of
 * 1 + t where t ≈ −1. The scalar arithmetic around an exp or tanh is done in double, which a scalar loop does at
 * the speed of float; inputs and outputs are float.
 */
final class PlainPointwise {
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
                        y[i] = z * FloatErf.phi(z);
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
                        float pdf = FloatErf.INV_SQRT_2PI * (float) Math.exp(-0.5 * z * z); // exponent unrounded
                        dx[i] = dy[i] * (FloatErf.phi(z) + z * pdf);
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
