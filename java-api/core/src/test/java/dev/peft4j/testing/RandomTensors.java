package dev.peft4j.testing;

import dev.peft4j.backend.Backend;
import dev.peft4j.tensor.Shapes;
import dev.peft4j.tensor.Tensor;
import java.util.Random;

/**
 * Seeded random test data. One instance is one deterministic stream: the same seed and the same sequence of
 * calls give the same tensors on every run and machine. Host tensors come from {@link Tensor#of}; the
 * {@code Backend} overloads put the same values on a backend's device through {@link Backend#fromHost}.
 */
public final class RandomTensors {
    private final Random random;

    public RandomTensors(long seed) {
        this.random = new Random(seed);
    }

    /** n values uniform in [lo, hi). */
    public float[] uniformArray(float lo, float hi, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = lo + (hi - lo) * random.nextFloat();
        }
        return out;
    }

    /** n values normal with mean 0 and standard deviation std. */
    public float[] normalArray(float std, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (std * random.nextGaussian());
        }
        return out;
    }

    /** A host tensor with values uniform in [lo, hi). */
    public Tensor uniform(float lo, float hi, int... shape) {
        return Tensor.of(uniformArray(lo, hi, size(shape)), shape);
    }

    /** A host tensor with values uniform in [−1, 1). */
    public Tensor uniform(int... shape) {
        return uniform(-1f, 1f, shape);
    }

    /** A host tensor with values N(0, std²). */
    public Tensor normal(float std, int... shape) {
        return Tensor.of(normalArray(std, size(shape)), shape);
    }

    /**
     * A host tensor whose values have a random sign and a magnitude uniform in [margin, max): keeps inputs of
     * non-smooth functions (ReLU) away from their kink, so finite differences do not straddle it.
     */
    public Tensor awayFromZero(float margin, float max, int... shape) {
        int n = size(shape);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            float magnitude = margin + (max - margin) * random.nextFloat();
            out[i] = random.nextBoolean() ? magnitude : -magnitude;
        }
        return Tensor.of(out, shape);
    }

    /** A host tensor of 0/1 entries, each 1 with probability pOne. */
    public Tensor binary(double pOne, int... shape) {
        int n = size(shape);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = random.nextDouble() < pOne ? 1f : 0f;
        }
        return Tensor.of(out, shape);
    }

    /** n ints uniform in [0, bound). */
    public int[] ints(int bound, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = random.nextInt(bound);
        }
        return out;
    }

    /** Uniform values in [lo, hi) on the backend's device. */
    public Tensor uniform(Backend backend, float lo, float hi, int... shape) {
        return backend.fromHost(uniformArray(lo, hi, size(shape)), shape);
    }

    /** N(0, std²) values on the backend's device. */
    public Tensor normal(Backend backend, float std, int... shape) {
        return backend.fromHost(normalArray(std, size(shape)), shape);
    }

    private static int size(int[] shape) {
        return Math.toIntExact(Shapes.numel(Shapes.checkedCopy(shape)));
    }
}
