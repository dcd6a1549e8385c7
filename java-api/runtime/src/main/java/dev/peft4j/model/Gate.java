package dev.peft4j.model;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.tensor.Tensor;
import java.util.List;

/**
 * A UniPELT gate: one scalar per token, g = σ(x W_gᵀ + b_g) ∈ (0,1), W_g {@code [1,in]}, b_g {@code [1]}, that
 * multiplies a PEFT module's contribution c {@code [N,out]}: y = G ⊙ c with G = g broadcast over the row.
 * Init W_g = 0, b_g = 0, so every gate starts at g = 0.5 (UniPELT draws W_g with nn.Linear's default init, i.e.
 * g ≈ 0.5 with noise; a deterministic start keeps plans comparable).
 *
 * <p>The Backend has no sigmoid and no per-row scale, so both are composed from existing kernels:
 * <ul>
 *   <li>σ(z) = ½ + ½·tanh(z/2): z by linearForward, z/2 by copy + axpy(−½), tanh by activationForward, then
 *       fill(½) + axpy(½);</li>
 *   <li>G {@code [N,out]} = g {@code [N,1]} · 1 {@code [1,out]} by a rank-1 gemm (an outer product with ones
 *       materialises the broadcast; the row scale is then an ordinary same-shape mul).</li>
 * </ul>
 * Backward, given dG = ∂L/∂G {@code [N,out]}: dg = dG · 1ᵀ (row sums, gemm with the ones row transposed),
 * dz = dg·σ'(z) = dg·(1 − tanh²(z/2))/4 (activationBackward TANH at z/2, then ¼), then linearBackward gives
 * dW_g = dzᵀ x, db_g = Σ dz and the gate's share of dx = dz W_g.
 */
final class Gate implements AutoCloseable {
    final Parameter weight;
    final Parameter bias;
    private final Backend be;
    private final ReusedTensors owned;
    private final Saved saved;
    private final Scratch scratch;

    /** What the forward keeps for the backward; x belongs to the caller, the rest to this gate. */
    private static final class Saved {
        Tensor x;                  // [N,in], the input (borrowed)
        final ReusedTensor half;   // [N,1], z/2
        final ReusedTensor ones;   // [1,out], all ones
        final ReusedTensor wide;   // [N,out], G: the gate broadcast over the row (also the forward's result)

        Saved(ReusedTensors pool) {
            half = pool.next();
            ones = pool.next();
            wide = pool.next();
        }
    }

    /** Intermediates that live within one forward or one backward. */
    private static final class Scratch {
        final ReusedTensor z;      // [N,1]
        final ReusedTensor tanh;   // [N,1]
        final ReusedTensor g;      // [N,1]
        final ReusedTensor dg;     // [N,1]
        final ReusedTensor dt;     // [N,1]
        final ReusedTensor dz;     // [N,1]
        final ReusedTensor dx;     // [N,in]

        Scratch(ReusedTensors pool) {
            z = pool.next();
            tanh = pool.next();
            g = pool.next();
            dg = pool.next();
            dt = pool.next();
            dz = pool.next();
            dx = pool.next();
        }
    }

    /** A trainable gate reading inputs of width {@code in}; parameters {@code name}.weight / {@code name}.bias. */
    Gate(Backend be, String name, int in) {
        this.be = be;
        this.owned = new ReusedTensors(be);
        this.saved = new Saved(owned);
        this.scratch = new Scratch(owned);
        weight = new Parameter(name + ".weight", be.allocate(1, in));
        bias = new Parameter(name + ".bias", be.allocate(1));
        weight.setTrainable(be, true);
        bias.setTrainable(be, true);
    }

    /** G {@code [N,out]} (a buffer): g = σ(x W_gᵀ + b_g) {@code [N,1]} repeated across {@code out} columns. */
    Tensor forward(Tensor x, int out) {
        saved.x = x;
        int n = x.dim(0);
        Tensor z = scratch.z.shaped(n, 1);
        Tensor half = saved.half.shaped(n, 1);
        Tensor t = scratch.tanh.shaped(n, 1);
        Tensor g = scratch.g.shaped(n, 1);
        be.linearForward(x, weight.value(), bias.value(), z);
        be.copy(z, half);
        be.axpy(-0.5f, z, half);
        be.activationForward(Activation.TANH, half, t);
        be.fill(g, 0.5f);
        be.axpy(0.5f, t, g);
        Tensor ones = saved.ones.shaped(1, out);
        be.fill(ones, 1f);
        Tensor wide = saved.wide.shaped(n, out);
        be.gemm(g, false, ones, false, wide, 1f, 0f);
        return wide;
    }

    /** The broadcast gate G {@code [N,out]} of the last forward. */
    Tensor last() {
        return saved.wide.saved();
    }

    /**
     * Fills dW_g, db_g from dG {@code [N,out]} and returns the gate's contribution to dx {@code [N,in]} (a buffer),
     * or null when {@code needDx} is false.
     */
    Tensor backward(Tensor dG, boolean needDx) {
        int n = dG.dim(0);
        Tensor dg = scratch.dg.shaped(n, 1);
        be.gemm(dG, false, saved.ones.saved(), true, dg, 1f, 0f);
        Tensor dt = scratch.dt.shaped(n, 1);
        be.activationBackward(Activation.TANH, dg, saved.half.saved(), dt);
        Tensor dz = scratch.dz.shaped(n, 1);
        be.fill(dz, 0f);
        be.axpy(0.25f, dt, dz);
        Tensor dx = needDx ? scratch.dx.shaped(n, saved.x.dim(1)) : null;
        be.linearBackward(dz, saved.x, weight.value(), dx, weight.grad(), bias.grad());
        return dx;
    }

    void collect(List<Parameter> out) {
        out.add(weight);
        out.add(bias);
    }

    @Override
    public void close() {
        owned.close();
    }
}
