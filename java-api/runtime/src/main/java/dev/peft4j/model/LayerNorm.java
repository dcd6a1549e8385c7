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
    private final Buffers buf;
    private Tensor x;

    LayerNorm(Backend be, Parameter gamma, Parameter beta, float eps) {
        this.be = be;
        this.gamma = gamma;
        this.beta = beta;
        this.eps = eps;
        this.buf = new Buffers(be);
    }

    Tensor forward(Tensor x) {
        this.x = x;
        int n = x.dim(0);
        Tensor y = buf.get("y", n, x.dim(1));
        be.layerNormForward(x, gamma.value(), beta.value(), eps, y, buf.get("mean", n), buf.get("rstd", n));
        return y;
    }

    /** dx {@code [N,d]} (a buffer), plus dγ and dβ into the parameters' gradients when trainable. */
    Tensor backward(Tensor dy) {
        int n = dy.dim(0);
        Tensor dx = buf.get("dx", n, dy.dim(1));
        be.layerNormBackward(dy, x, gamma.value(), buf.get("mean", n), buf.get("rstd", n), dx, gamma.grad(), beta.grad());
        return dx;
    }

    void collect(List<Parameter> out) {
        out.add(gamma);
        out.add(beta);
    }

    @Override
    public void close() {
        buf.close();
    }
}
