package dev.peft4j.backend.reference;

import dev.peft4j.backend.Activation;
import dev.peft4j.tensor.Tensor;

/**
 * Pointwise activations and their derivatives in double precision.
 * <pre>
 *   IDENTITY   f = z                                   f' = 1
 *   RELU       f = max(z, 0)                           f' = [z &gt; 0]
 *   GELU       f = z·Φ(z), Φ(z) = erfc(−z/√2)/2       f' = Φ(z) + z·φ(z), φ(z) = e^(−z²/2)/√(2π)
 *   GELU_TANH  f = z/2·(1 + t), t = tanh(u), u = c(z + 0.044715 z³), c = √(2/π)
 *              f' = (1 + t)/2 + z/2·(1 − t²)·c·(1 + 3·0.044715 z²)
 *   SWISH      f = z·σ(z)                              f' = σ(z)·(1 + z·(1 − σ(z)))
 *   TANH       f = tanh(z)                             f' = 1 − tanh²(z)
 * </pre>
 */
final class ReferenceActivations {
    private static final double SQRT_HALF = Math.sqrt(0.5);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);
    private static final double TANH_C = Math.sqrt(2.0 / Math.PI);
    private static final double TANH_K = 0.044715;

    private ReferenceActivations() {}

    static double value(Activation f, double z) {
        return switch (f) {
            case IDENTITY -> z;
            case RELU -> z > 0 ? z : 0.0;
            case GELU -> z * normalCdf(z);
            case GELU_TANH -> 0.5 * z * (1.0 + Math.tanh(TANH_C * (z + TANH_K * z * z * z)));
            case SWISH -> z * sigmoid(z);
            case TANH -> Math.tanh(z);
        };
    }

    static double derivative(Activation f, double z) {
        return switch (f) {
            case IDENTITY -> 1.0;
            case RELU -> z > 0 ? 1.0 : 0.0;
            case GELU -> normalCdf(z) + z * INV_SQRT_2PI * Math.exp(-0.5 * z * z);
            case GELU_TANH -> {
                double t = Math.tanh(TANH_C * (z + TANH_K * z * z * z));
                yield 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * TANH_C * (1.0 + 3.0 * TANH_K * z * z);
            }
            case SWISH -> {
                double s = sigmoid(z);
                yield s * (1.0 + z * (1.0 - s));
            }
            case TANH -> {
                double t = Math.tanh(z);
                yield 1.0 - t * t;
            }
        };
    }

    /** Φ(z) = erfc(−z/√2)/2, accurate for large negative z too. */
    static double normalCdf(double z) {
        return 0.5 * Erf.erfc(-z * SQRT_HALF);
    }

    static double sigmoid(double z) {
        return z >= 0 ? 1.0 / (1.0 + Math.exp(-z)) : Math.exp(z) / (1.0 + Math.exp(z));
    }

    /** y = f(x); y may alias x (each element is read before it is written). */
    static void forward(Activation f, Tensor x, Tensor y) {
        float[] xs = x.data();
        float[] ys = y.data();
        for (int i = 0; i < xs.length; i++) {
            ys[i] = (float) value(f, xs[i]);
        }
    }

    /** dx = dy ⊙ f'(x); dx may alias dy. */
    static void backward(Activation f, Tensor dy, Tensor x, Tensor dx) {
        float[] g = dy.data();
        float[] xs = x.data();
        float[] out = dx.data();
        for (int i = 0; i < xs.length; i++) {
            out[i] = (float) (g[i] * derivative(f, xs[i]));
        }
    }
}
