package dev.peft4j.model;

import dev.peft4j.tensor.Tensor;
import java.util.List;

/**
 * Gated LoRA (UniPELT): y = x Wᵀ + b + G ⊙ c, c = s·(x̃ Aᵀ) Bᵀ, G the {@link Gate} of x. The fused kernel adds its
 * LoRA term straight into y, so the gate has nowhere to go; this path runs unfused: linearForward for the base,
 * u = x̃ Aᵀ by linearForward, c by gemm with α = s, then mul by G and add. (loraForward with a zero W would also
 * give c, but pays a second out×in product.) Backward: dc = G ⊙ dy, dG = dy ⊙ c, dB = s·dcᵀ u, du = s·dc B,
 * dA = duᵀ x̃ and dx̃ = du A (linearBackward), dx = dy W + dx̃ ⊙ dropMask + the gate's dx. Owns the gate.
 */
final class GatedLoraLinear implements LinearMode {
    private final LinearWeights base;
    private final LoraWeights lora;
    private final Gate gate;
    private final ReusedTensors owned;
    private final Saved saved;
    private final Scratch scratch;

    /** What the forward keeps for the backward; xDrop is x itself (the caller's) when nothing was dropped. */
    private static final class Saved {
        Tensor dropMask;              // [N,in], the tensor in mask when this pass dropped, else null
        Tensor xDrop;                 // [N,in], x̃
        final ReusedTensor mask;      // [N,in]
        final ReusedTensor masked;    // [N,in], x ⊙ mask (where x̃ lives under dropout)
        final ReusedTensor u;         // [N,r], x̃ Aᵀ
        final ReusedTensor c;         // [N,out], s·u Bᵀ

        Saved(ReusedTensors pool) {
            mask = pool.next();
            masked = pool.next();
            u = pool.next();
            c = pool.next();
        }
    }

    /** Intermediates of one forward or backward. */
    private static final class Scratch {
        final ReusedTensor dropScratch;  // [N,in], the dropout kernel's dropped x (unused: x̃ is formed by mul)
        final ReusedTensor gated;        // [N,out], G ⊙ c
        final ReusedTensor dc;           // [N,out]
        final ReusedTensor dGate;        // [N,out]
        final ReusedTensor du;           // [N,r]
        final ReusedTensor dxDrop;       // [N,in]

        Scratch(ReusedTensors pool) {
            dropScratch = pool.next();
            gated = pool.next();
            dc = pool.next();
            dGate = pool.next();
            du = pool.next();
            dxDrop = pool.next();
        }
    }

    GatedLoraLinear(LinearWeights base, LoraWeights lora, Gate gate) {
        this.base = base;
        this.lora = lora;
        this.gate = gate;
        this.owned = new ReusedTensors(base.be());
        this.saved = new Saved(owned);
        this.scratch = new Scratch(owned);
    }

    @Override
    public LoraWeights lora() {
        return lora;
    }

    @Override
    public void forward(Tensor x, Pass pass, long dropoutSeed, Tensor y) {
        var be = base.be();
        int n = x.dim(0);
        int in = base.in();
        int out = base.out();
        Tensor u = saved.u.shaped(n, lora.rank());
        Tensor dropMask = null;
        if (pass.training() && lora.dropout() > 0) {
            dropMask = saved.mask.shaped(n, in);
            be.dropoutForward(x, lora.dropout(), dropoutSeed, scratch.dropScratch.shaped(n, in), dropMask);
        }
        saved.dropMask = dropMask;
        base.forward(x, y);
        Tensor xDrop = x;
        if (dropMask != null) {
            xDrop = saved.masked.shaped(n, in);
            be.mul(x, dropMask, xDrop);
        }
        saved.xDrop = xDrop;
        be.linearForward(xDrop, lora.a().value(), null, u);
        Tensor c = saved.c.shaped(n, out);
        be.gemm(u, false, lora.b().value(), true, c, lora.scale(), 0f);
        Tensor gc = scratch.gated.shaped(n, out);
        be.mul(gate.forward(x, out), c, gc);
        be.add(y, gc, y);
    }

    @Override
    public void backward(Tensor dy, Tensor x, Tensor dx) {
        var be = base.be();
        int n = dy.dim(0);
        if (dx != null) {
            be.linearBackward(dy, x, base.w(), dx, null, null);
        }
        Tensor dc = scratch.dc.shaped(n, base.out());
        be.mul(gate.last(), dy, dc);
        Tensor dG = scratch.dGate.shaped(n, base.out());
        be.mul(dy, saved.c.saved(), dG);
        be.gemm(dc, true, saved.u.saved(), false, lora.b().grad(), lora.scale(), 0f);
        Tensor du = scratch.du.shaped(n, lora.rank());
        be.gemm(dc, false, lora.b().value(), false, du, lora.scale(), 0f);
        Tensor dxDrop = dx == null ? null : scratch.dxDrop.shaped(n, base.in());
        be.linearBackward(du, saved.xDrop, lora.a().value(), dxDrop, lora.a().grad(), null);
        Tensor gateDx = gate.backward(dG, dx != null);
        if (dx != null) {
            if (saved.dropMask != null) {
                be.mul(dxDrop, saved.dropMask, dxDrop);
            }
            be.add(dx, dxDrop, dx);
            be.add(dx, gateDx, dx);
        }
        base.accumulateWeightGradients(dy, x);
    }

    @Override
    public void collect(List<Parameter> out) {
        lora.collect(out);
        gate.collect(out);
    }

    @Override
    public void close() {
        owned.close();
        gate.close();
    }
}
