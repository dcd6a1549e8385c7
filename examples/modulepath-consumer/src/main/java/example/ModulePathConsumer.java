package example;

import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * A fused LoRA forward, y = x Wᵀ + s·(x Aᵀ) Bᵀ, on the caller's own arrays (wrapped, not copied), by the fastest
 * backend the module graph provides, checked against the float64 reference backend. Exits 1 if they disagree.
 */
public final class ModulePathConsumer {
    public static void main(String[] args) {
        int n = 37, in = 96, out = 80, r = 8;
        float s = 2f;
        SplittableRandom rng = new SplittableRandom(7);
        float[] x = random(rng, n * in), w = random(rng, out * in), a = random(rng, r * in), b = random(rng, out * r);
        final float[] y = new float[n * out], expected = new float[n * out];

        try (Backend fast = Backends.create(); Backend reference = Backends.create("reference")) {
            fast.loraForward(Tensor.wrap(x, 0, n, in), Tensor.wrap(w, 0, out, in), null,
                    Tensor.wrap(a, 0, r, in), Tensor.wrap(b, 0, out, r), s, Tensor.wrap(y, 0, n, out));
            reference.loraForward(Tensor.wrap(x, 0, n, in), Tensor.wrap(w, 0, out, in), null,
                    Tensor.wrap(a, 0, r, in), Tensor.wrap(b, 0, out, r), s, Tensor.wrap(expected, 0, n, out));
            double error = relativeError(y, expected);
            System.out.printf("module path: backend %s, ‖y − y_ref‖/‖y_ref‖ = %.2e%n", fast.name(), error);
            if (!(error < 1e-5) || fast.name().equals("reference")) {
                System.exit(1);
            }
        }
    }

    static float[] random(SplittableRandom rng, int count) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return v;
    }

    static double relativeError(float[] y, float[] ref) {
        double num = 0, den = 0;
        for (int i = 0; i < y.length; i++) {
            num += (y[i] - ref[i]) * (double) (y[i] - ref[i]);
            den += ref[i] * (double) ref[i];
        }
        return Math.sqrt(num / den);
    }
}
