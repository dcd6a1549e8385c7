package dev.peft4j.train;

import dev.peft4j.backend.AdamW;
import dev.peft4j.backend.Backend;
import dev.peft4j.model.Parameter;
import dev.peft4j.tensor.Tensor;
import java.util.List;

/**
 * AdamW over a fixed list of trainable parameters, with its moment tensors on the backend's device and the
 * global gradient-norm clip before each step (both one backend call over all tensors).
 */
public final class Optimizer implements AutoCloseable {
    private final Backend be;
    private final Tensor[] params;
    private final Tensor[] grads;
    private final Tensor[] m;
    private final Tensor[] v;
    private long step;

    public Optimizer(Backend be, List<Parameter> trainable) {
        if (trainable.isEmpty()) {
            throw new IllegalArgumentException("nothing to optimise: no trainable parameter");
        }
        this.be = be;
        int n = trainable.size();
        params = new Tensor[n];
        grads = new Tensor[n];
        m = new Tensor[n];
        v = new Tensor[n];
        for (int i = 0; i < n; i++) {
            Parameter p = trainable.get(i);
            if (!p.trainable()) {
                throw new IllegalArgumentException("parameter " + p.name() + " is frozen");
            }
            params[i] = p.value();
            grads[i] = p.grad();
            m[i] = be.allocate(p.value().shape());
            v[i] = be.allocate(p.value().shape());
        }
    }

    /** Clips the gradients to {@code maxNorm} (≤ 0: no clipping), takes one AdamW step, returns the gradient norm. */
    public float step(AdamW hp, float maxNorm) {
        float norm = maxNorm > 0 ? be.clipGradNorm(grads, maxNorm) : Float.NaN;
        step++;
        be.adamW(params, grads, m, v, hp, step);
        return norm;
    }

    /**
     * {@link #step(AdamW, float)} with the gradient norm written into {@code norm} {@code [1]} on the device (left
     * unchanged when maxNorm ≤ 0), so nothing waits for the device.
     */
    public void step(AdamW hp, float maxNorm, Tensor norm) {
        if (maxNorm > 0) {
            be.clipGradNorm(grads, maxNorm, norm);
        }
        step++;
        be.adamW(params, grads, m, v, hp, step);
    }

    public long steps() {
        return step;
    }

    /** The first moments m_i on the host, in the order of the parameter list. */
    float[][] firstMoments() {
        float[][] out = new float[m.length][];
        for (int i = 0; i < m.length; i++) {
            out[i] = m[i].toArray();
        }
        return out;
    }

    /** The second moments v_i on the host. */
    float[][] secondMoments() {
        float[][] out = new float[v.length][];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i].toArray();
        }
        return out;
    }

    /** Restores the state of a checkpoint: the step count (which drives bias correction) and both moments. */
    void restore(long steps, float[][] first, float[][] second) {
        if (first.length != m.length || second.length != v.length) {
            throw new IllegalArgumentException("moments for " + first.length + " parameters, the optimizer has " + m.length);
        }
        for (int i = 0; i < m.length; i++) {
            m[i].copyFrom(first[i]);
            v[i].copyFrom(second[i]);
        }
        this.step = steps;
    }

    @Override
    public void close() {
        for (int i = 0; i < params.length; i++) {
            m[i].close();
            v[i].close();
        }
    }
}
