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

    public long steps() {
        return step;
    }

    @Override
    public void close() {
        for (int i = 0; i < params.length; i++) {
            m[i].close();
            v[i].close();
        }
    }
}
