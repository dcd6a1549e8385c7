package dev.peft4j.testing;

import dev.peft4j.backend.Backend;
import dev.peft4j.tensor.Shapes;
import dev.peft4j.tensor.Tensor;
import java.util.Arrays;

/**
 * NaN-filled output tensors. A kernel must overwrite every element of its outputs; an element it forgets stays
 * NaN, and {@link Errors#relativeError} turns any NaN into a failure.
 */
public final class Poison {
    private Poison() {}

    /** A host tensor full of NaN. */
    public static Tensor nan(int... shape) {
        return Tensor.of(nanArray(shape), shape);
    }

    /** A tensor full of NaN on the backend's device. */
    public static Tensor nan(Backend backend, int... shape) {
        return backend.fromHost(nanArray(shape), shape);
    }

    /** Overwrites an existing tensor with NaN (any device). */
    public static void fill(Tensor t) {
        t.copyFrom(nanArray(t.shape()));
    }

    private static float[] nanArray(int[] shape) {
        float[] data = new float[Math.toIntExact(Shapes.numel(Shapes.checkedCopy(shape)))];
        Arrays.fill(data, Float.NaN);
        return data;
    }
}
