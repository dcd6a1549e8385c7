package dev.peft4j.model;

import dev.peft4j.backend.AdapterGradients;
import dev.peft4j.backend.AdapterWeights;
import dev.peft4j.backend.Backend;
import dev.peft4j.peft.AdapterSpec;
import dev.peft4j.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A bottleneck adapter: y = residual + s·(f(x W_dᵀ + b_d) W_uᵀ + b_u), W_d {@code [m,d]}, W_u {@code [d,m]}.
 * Serial use passes x = residual; parallel use passes the sublayer input as x and its output as residual.
 * Init (DESIGN.md §3): serial N(0, 0.02) down and up; parallel Kaiming-uniform down, zero up; zero biases.
 * Gated (UniPELT): y = residual + G ⊙ c with c = s·adapter(x) and G the {@link Gate} of x; the fused kernel then
 * computes c alone (residual = 0) and the gate is applied with a mul. Backward: dc = G ⊙ dy, dG = dy ⊙ c.
 */
final class Adapter implements AutoCloseable {
    final Parameter wDown;
    final Parameter bDown;
    final Parameter wUp;
    final Parameter bUp;
    final Parameter scale;
    final Gate gate;
    private final AdapterSpec spec;
    private final Backend be;
    private final ReusedTensors owned;
    private final Saved saved;
    private final Scratch scratch;

    /** What the forward keeps for the backward; x belongs to the caller, the rest to this adapter. */
    private static final class Saved {
        Tensor x;                 // [N,d], the input (borrowed)
        final ReusedTensor z;     // [N,m], the bottleneck pre-activation
        final ReusedTensor c;     // [N,d], s·adapter(x) (gated or learned scale)
        final ReusedTensor h;     // [N,d], adapter(x) at s = 1 (learned scale)

        Saved(ReusedTensors pool) {
            z = pool.next();
            c = pool.next();
            h = pool.next();
        }
    }

    /** The forward's result and the intermediates that live within one forward or one backward. */
    private static final class Scratch {
        final ReusedTensor y;         // [N,d]
        final ReusedTensor zero;      // [N,d]
        final ReusedTensor gated;     // [N,d]
        final ReusedTensor dx;        // [N,d]
        final ReusedTensor dc;        // [N,d]
        final ReusedTensor dG;        // [N,d]
        final ReusedTensor scaledDc;  // [N,d]

        Scratch(ReusedTensors pool) {
            y = pool.next();
            zero = pool.next();
            gated = pool.next();
            dx = pool.next();
            dc = pool.next();
            dG = pool.next();
            scaledDc = pool.next();
        }
    }

    Adapter(Backend be, String prefix, int d, AdapterSpec spec, boolean parallel, SplittableRandom rng) {
        this.be = be;
        this.spec = spec;
        this.owned = new ReusedTensors(be);
        this.saved = new Saved(owned);
        this.scratch = new Scratch(owned);
        int m = spec.size();
        if ((long) m * d > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(prefix + ": adapter size " + m + " × width " + d
                    + " exceeds the 2³¹ − 1 elements of one tensor");
        }
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
        gate = spec.gated() ? new Gate(be, prefix + ".gate", d) : null;
    }

    /**
     * y {@code [N,d]} (a buffer) = residual + s·adapter(x), or residual + G ⊙ (s·adapter(x)) when gated. A fixed s is
     * an argument of the fused kernel. A learned s stays on the device: h = adapter(x) with s = 1, then c = s·h as a
     * [N·d, 1] × [1, 1] product (so no host read of s), then the residual is added.
     */
    Tensor forward(Tensor x, Tensor residual) {
        saved.x = x;
        int n = x.dim(0);
        int d = x.dim(1);
        Tensor y = scratch.y.shaped(n, d);
        Tensor z = saved.z.shaped(n, spec.size());
        if (gate == null && scale == null) {
            be.adapterForward(x, residual, weights(spec.scale()), y, z);
            return y;
        }
        Tensor zero = scratch.zero.shaped(n, d);
        be.fill(zero, 0f);
        Tensor c = saved.c.shaped(n, d);
        if (scale == null) {
            be.adapterForward(x, zero, weights(spec.scale()), c, z);
        } else {
            Tensor h = saved.h.shaped(n, d);
            be.adapterForward(x, zero, weights(1f), h, z);
            be.gemm(h.view(n * d, 1), false, scale.value().view(1, 1), false, c.view(n * d, 1), 1f, 0f); // c = s·h
        }
        if (gate == null) {
            be.add(residual, c, y);
            return y;
        }
        Tensor gated = scratch.gated.shaped(n, d);
        be.mul(gate.forward(x, d), c, gated);
        be.add(residual, gated, y);
        return y;
    }

    /** This adapter's weights and activation with output scale s. */
    private AdapterWeights weights(float s) {
        return new AdapterWeights(wDown.value(), bDown.value(), wUp.value(), bUp.value(), spec.activation(), s);
    }

    /** dx and the trainable weights' gradients (null where frozen); the scale's gradient is computed apart. */
    private AdapterGradients gradients(Tensor dx) {
        return AdapterGradients.none().withDx(dx).withDown(wDown.grad(), bDown.grad()).withUp(wUp.grad(), bUp.grad());
    }

    /**
     * Fills the adapter's gradients and returns dx of the adapter path (a buffer); the residual's gradient is dy.
     * With dc = dy (or G ⊙ dy when gated): a fixed s goes to the fused kernel; a learned s gives ds = Σ dc ⊙ h (a
     * [1, N·d] × [N·d, 1] product), and the kernel runs with s = 1 on s·dc, since every other gradient is linear in s.
     */
    Tensor backward(Tensor dy) {
        int n = dy.dim(0);
        int d = dy.dim(1);
        Tensor dx = scratch.dx.shaped(n, d);
        Tensor x = saved.x;
        Tensor z = saved.z.saved();
        Tensor dc = dy;
        Tensor gateDx = null;
        if (gate != null) {
            dc = scratch.dc.shaped(n, d);
            be.mul(gate.last(), dy, dc);
            Tensor dG = scratch.dG.shaped(n, d);
            be.mul(dy, saved.c.saved(), dG);
            gateDx = gate.backward(dG, true);
        }
        if (scale == null) {
            be.adapterBackward(dc, x, weights(spec.scale()), z, gradients(dx));
        } else {
            if (scale.grad() != null) {
                be.gemm(dc.view(1, n * d), false, saved.h.saved().view(n * d, 1), false, scale.grad().view(1, 1),
                        1f, 0f);
            }
            Tensor scaled = scratch.scaledDc.shaped(n, d);
            be.gemm(dc.view(n * d, 1), false, scale.value().view(1, 1), false, scaled.view(n * d, 1), 1f, 0f);
            be.adapterBackward(scaled, x, weights(1f), z, gradients(dx));
        }
        if (gateDx != null) {
            be.add(dx, gateDx, dx);
        }
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
        if (gate != null) {
            gate.collect(out);
        }
    }

    @Override
    public void close() {
        owned.close();
        if (gate != null) {
            gate.close();
        }
    }
}
