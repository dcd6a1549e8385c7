package dev.peft4j.model;

import dev.peft4j.backend.Backend;
import dev.peft4j.tensor.Tensor;
import java.util.List;

/** y = LN(x)·γ + β per row of x {@code [N, d]}; saves mean and rstd for the backward. */
final class LayerNorm implements AutoCloseable {
    final Parameter gamma;
    final Parameter beta;
    private final float eps;
    private final Backend be;
    private final ReusedTensors owned;
    private final Saved saved;
    private final ReusedTensor y;
    private final ReusedTensor dx;  // backward scratch (the stack's shared one inside a layer)

    /** What the forward keeps for the backward; the row statistics belong to this layer, x to the caller. */
    private static final class Saved {
        Tensor x;                 // [N,d], the input (borrowed)
        final ReusedTensor mean;  // [N]
        final ReusedTensor rstd;  // [N]

        Saved(ReusedTensors pool) {
            mean = pool.next();
            rstd = pool.next();
        }
    }

    /** A layer norm with a dx buffer of its own. */
    LayerNorm(Backend be, Parameter gamma, Parameter beta, float eps) {
        this(be, gamma, beta, eps, null);
    }

    /** A layer norm whose dx buffer comes from {@code scratch} (a layer stack's shared scratch), or its own when null. */
    LayerNorm(Backend be, Parameter gamma, Parameter beta, float eps, ScratchSource scratch) {
        this.be = be;
        this.gamma = gamma;
        this.beta = beta;
        this.eps = eps;
        this.owned = new ReusedTensors(be);
        this.saved = new Saved(owned);
        this.y = owned.next();
        this.dx = (scratch == null ? owned : scratch).next();
    }

    Tensor forward(Tensor x) {
        saved.x = x;
        int n = x.dim(0);
        Tensor out = y.shaped(n, x.dim(1));
        be.layerNormForward(x, gamma.value(), beta.value(), eps, out, saved.mean.shaped(n), saved.rstd.shaped(n));
        return out;
    }

    /** dx {@code [N,d]} (a buffer), plus dγ and dβ into the parameters' gradients when trainable. */
    Tensor backward(Tensor dy) {
        Tensor grad = dx.shaped(dy.dim(0), dy.dim(1));
        be.layerNormBackward(dy, saved.x, gamma.value(), saved.mean.saved(), saved.rstd.saved(), grad, gamma.grad(),
                beta.grad());
        return grad;
    }

    void collect(List<Parameter> out) {
        out.add(gamma);
        out.add(beta);
    }

    @Override
    public void close() {
        owned.close();
    }
}
