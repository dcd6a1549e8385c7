package dev.peft4j.conformance;

import dev.peft4j.backend.Backend;
import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run of a case on one backend: places inputs (uploaded with {@code fromHost}, or wrapped in larger arrays:
 * {@link TensorPlacement}), makes NaN-poisoned outputs the same way, records results with {@code toArray()}, and
 * on close checks the placement's margins and closes every tensor it made.
 */
final class KernelRun implements AutoCloseable {
    /**
     * A recorded output: its values, its shape and the tolerance it is held to. {@code magnitude} is 0 for the
     * usual ‖out − ref‖/‖ref‖; for a scalar sum it is Σ|terms|, and the error is |out − ref|/Σ|terms|.
     */
    record Result(float[] values, int[] shape, Tolerance tolerance, double magnitude) {
        Result(float[] values, int[] shape, Tolerance tolerance) {
            this(values, shape, tolerance, 0);
        }
    }

    private final Backend backend;
    private final CaseInputs inputs;
    private final TensorPlacement placement;
    private final Map<String, Tensor> uploaded = new HashMap<>();
    private final List<Tensor> owned = new ArrayList<>();
    private final Map<String, Result> results = new LinkedHashMap<>();

    KernelRun(Backend backend, CaseInputs inputs) {
        this(backend, inputs, TensorPlacement.uploaded());
    }

    KernelRun(Backend backend, CaseInputs inputs, TensorPlacement placement) {
        this.backend = backend;
        this.inputs = inputs;
        this.placement = placement;
    }

    Backend b() {
        return backend;
    }

    /** The input {@code name} on this backend's device; the same tensor each time it is asked for. */
    Tensor in(String name) {
        return uploaded.computeIfAbsent(name, n -> {
            HostTensor h = inputs.tensor(n);
            return own(placement.place(backend, h.data(), h.shape()));
        });
    }

    /** The input {@code name}, or null when {@code present} is false (a nullable argument left out). */
    Tensor inIf(boolean present, String name) {
        return present ? in(name) : null;
    }

    /** A fresh output filled with NaN, so an element the kernel does not write fails the comparison. */
    Tensor out(int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] nan = new float[n];
        Arrays.fill(nan, Float.NaN);
        return own(placement.place(backend, nan, shape));
    }

    /** A NaN-poisoned output, or null when {@code present} is false. */
    Tensor outIf(boolean present, int... shape) {
        return present ? out(shape) : null;
    }

    int[] ids(String name) {
        return inputs.ints(name);
    }

    /** The host copy of an input as it was before the kernel ran. */
    float[] initial(String name) {
        return inputs.tensor(name).data().clone();
    }

    void result(String name, Tensor t, Tolerance tolerance) {
        if (t != null) {
            results.put(name, new Result(t.toArray(), t.shape(), tolerance));
        }
    }

    void result(String name, float[] values, Tolerance tolerance) {
        results.put(name, new Result(values, new int[] {values.length}, tolerance));
    }

    void scalar(String name, float value, Tolerance tolerance) {
        results.put(name, new Result(new float[] {value}, new int[] {1}, tolerance));
    }

    /**
     * A scalar that is a sum of many terms, compared as |out − ref| / Σ|terms| (the bound fp32 summation gives:
     * |fl(Σ) − Σ| ≤ γₙ·Σ|terms|). Random zero-mean test inputs make such a sum cancel down to about √n·|term|,
     * so ‖out − ref‖/‖ref‖ would demand of it √n times more than of any tensor output.
     */
    void sum(String name, float value, double sumOfAbsTerms, Tolerance tolerance) {
        results.put(name, new Result(new float[] {value}, new int[] {1}, tolerance, sumOfAbsTerms));
    }

    /** θ_after − θ_before, in float (what an optimiser step changed). */
    static float[] difference(float[] after, float[] before) {
        float[] d = new float[after.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = after[i] - before[i];
        }
        return d;
    }

    Map<String, Result> results() {
        return results;
    }

    private Tensor own(Tensor t) {
        owned.add(t);
        return t;
    }

    /** Checks the placement's margins (see {@link TensorPlacement#verify()}), then closes every tensor. */
    @Override
    public void close() {
        try {
            placement.verify();
        } finally {
            closeAll();
        }
    }

    private void closeAll() {
        for (Tensor t : owned) {
            t.close();
        }
        owned.clear();
        uploaded.clear();
    }
}
