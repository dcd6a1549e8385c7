package dev.peft4j.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

/**
 * Checks whole-model gradients by central differences of the float32 loss. Every trainable parameter is first
 * moved off its initial value (zero-initialised LoRA B or adapter up-projections would make other gradients
 * vanish), then about six entries of each are probed: |fd − analytic| ≤ 3e-4 + 3e-2·|fd| with h = 2e-3, a bound
 * set by float32 rounding of a loss of order 1 (≈1e-7/h ≈ 5e-5) plus the O(h²) truncation of curved activations.
 */
final class FiniteDifferences {
    private FiniteDifferences() {}

    static int check(List<Parameter> trainable, DoubleSupplier loss, Runnable backward) {
        SplittableRandom rng = new SplittableRandom(3);
        for (Parameter p : trainable) {
            float[] v = p.value().toArray();
            for (int i = 0; i < v.length; i++) {
                v[i] += (float) (rng.nextDouble() * 0.4 - 0.2);
            }
            p.value().copyFrom(v);
        }
        loss.getAsDouble();
        backward.run();
        int checked = 0;
        double h = 2e-3;
        for (Parameter p : trainable) {
            Tensor value = p.value();
            float[] grad = p.grad().toArray();
            float[] v = value.toArray();
            int stride = Math.max(1, v.length / 6);
            for (int i = 0; i < v.length; i += stride) {
                float orig = v[i];
                v[i] = (float) (orig + h);
                value.copyFrom(v);
                double up = loss.getAsDouble();
                v[i] = (float) (orig - h);
                value.copyFrom(v);
                double down = loss.getAsDouble();
                v[i] = orig;
                value.copyFrom(v);
                double fd = (up - down) / (2 * h);
                assertTrue(Math.abs(fd - grad[i]) <= 3e-4 + 3e-2 * Math.abs(fd),
                        p.name() + "[" + i + "]: analytic " + grad[i] + " vs finite difference " + fd);
                checked++;
            }
        }
        return checked;
    }
}
