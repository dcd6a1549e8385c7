package dev.peft4j.model;

import dev.peft4j.backend.Backend;
import dev.peft4j.peft.AdapterSpec;
import dev.peft4j.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A bottleneck adapter: y = residual + s·(f(x W_dᵀ + b_d) W_uᵀ + b_u), W_d {@code [m,d]}, W_u {@code [d,m]}.
 * Serial use passes x = residual; parallel use passes the sublayer input as x and its output as residual.
 * Init (DESIGN.md §3): serial N(0, 0.02) down and up; parallel Kaiming-uniform down, zero up; zero biases.
 */
final class Adapter implements AutoCloseable {
    final Parameter wDown;
    final Parameter bDown;
    final Parameter wUp;
    final Parameter bUp;
    final Parameter scale;
    private final AdapterSpec spec;
    private final Backend be;
    private final Buffers buf;
    private Tensor x;

    Adapter(Backend be, String prefix, int d, AdapterSpec spec, boolean parallel, SplittableRandom rng) {
        this.be = be;
        this.spec = spec;
        this.buf = new Buffers(be);
        int m = spec.size();
        float[] down = parallel ? Init.kaimingUniform(rng, m, d) : Init.normal(rng, m * d, 0.02);
        float[] up = parallel ? new float[d * m] : Init.normal(rng, d * m, 0.02);
        wDown = new Parameter(prefix + ".down.weight", be.fromHost(down, m, d));
        bDown = new Parameter(prefix + ".down.bias", be.allocate(m));
        wUp = new Parameter(prefix + ".up.weight", be.fromHost(up, d, m));
        bUp = new Parameter(prefix + ".up.bias", be.allocate(d));
        scale = spec.learnedScale() ? new Parameter(prefix + ".scale", be.fromHost(new float[] {spec.scale()}, 1)) : null;
        for (Parameter p : List.of(wDown, bDown, wUp, bUp)) {
            p.setTrainable(be, true);
        }
        if (scale != null) {
            scale.setTrainable(be, true);
        }
    }

    private float s() {
        return scale == null ? spec.scale() : scale.value().toArray()[0];
    }

    /** y {@code [N,d]} (a buffer) = residual + s·adapter(x). */
    Tensor forward(Tensor x, Tensor residual) {
        this.x = x;
        int n = x.dim(0);
        Tensor y = buf.get("y", n, x.dim(1));
        be.adapterForward(x, residual, wDown.value(), bDown.value(), wUp.value(), bUp.value(), spec.activation(), s(),
                y, buf.get("z", n, spec.size()));
        return y;
    }

    /** Fills the adapter's gradients and returns dx of the adapter path (a buffer); the residual's gradient is dy. */
    Tensor backward(Tensor dy) {
        int n = dy.dim(0);
        Tensor dx = buf.get("dx", n, dy.dim(1));
        be.adapterBackward(dy, x, wDown.value(), wUp.value(), bUp.value(), spec.activation(), s(),
                buf.get("z", n, spec.size()), dx, wDown.grad(), bDown.grad(), wUp.grad(), bUp.grad(),
                scale == null ? null : scale.grad());
        return dx;
    }

    void collect(List<Parameter> out) {
        out.add(wDown);
        out.add(bDown);
        out.add(wUp);
        out.add(bUp);
        if (scale != null) {
            out.add(scale);
        }
    }

    @Override
    public void close() {
        buf.close();
    }
}
