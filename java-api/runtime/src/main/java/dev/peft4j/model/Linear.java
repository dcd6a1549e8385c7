package dev.peft4j.model;

import dev.peft4j.backend.Backend;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A linear layer y = x Wᵀ + b (W {@code [out,in]}), optionally carrying LoRA: y += s·(x̃ Aᵀ) Bᵀ computed by the
 * fused kernel. x and y are {@code [N, in]} and {@code [N, out]}.
 *
 * <p>Gated LoRA (UniPELT): y = x Wᵀ + b + G ⊙ c, c = s·(x̃ Aᵀ) Bᵀ, G the {@link Gate} of x. The fused kernel adds
 * its LoRA term straight into y, so the gate has nowhere to go; the gated path runs unfused: linearForward for the
 * base, u = x̃ Aᵀ by linearForward, c by gemm with α = s, then mul by G and add. (loraForward with a zero W would
 * also give c, but pays a second out×in product.) Backward: dc = G ⊙ dy, dG = dy ⊙ c, dB = s·dcᵀ u,
 * du = s·dc B, dA = duᵀ x̃ and dx̃ = du A (linearBackward), dx = dy W + dx̃ ⊙ dropMask + the gate's dx.
 */
final class Linear implements AutoCloseable {
    final Parameter weight;
    final Parameter bias;
    private final Backend be;
    private final ReusedTensors owned;
    private final Saved saved;
    private final Scratch scratch;
    private Parameter loraA;
    private Parameter loraB;
    private float loraScale;
    private float loraDropout;
    private boolean loraMerged;
    private Gate loraGate;
    private MixedLora mixedLora;

    /** What the forward keeps for the backward; x (and xDrop when it is x) belong to the caller, the rest to this layer. */
    private static final class Saved {
        Tensor x;                     // [N,in], the input (borrowed)
        Tensor dropMask;              // [N,in], LoRA dropout's mask of this pass, or null without dropout
        Tensor xDrop;                 // [N,in], x ⊙ dropMask (gated LoRA), or x itself
        final ReusedTensor output;    // [N,out], y (the activation's backward reads it)
        final ReusedTensor u;         // [N,r], x̃ Aᵀ
        final ReusedTensor mask;      // [N,in], where dropMask lives
        final ReusedTensor masked;    // [N,in], where xDrop lives when it is not x
        final ReusedTensor loraC;     // [N,out], c = s·u Bᵀ (gated LoRA)

        Saved(ReusedTensors pool) {
            output = pool.next();
            u = pool.next();
            mask = pool.next();
            masked = pool.next();
            loraC = pool.next();
        }
    }

    /** Intermediates that live within one forward or one backward. */
    private static final class Scratch {
        final ReusedTensor dropScratch;  // [N,in], the dropped x the fused kernel does not read
        final ReusedTensor gatedLora;    // [N,out], G ⊙ c
        final ReusedTensor dx;           // [N,in]
        final ReusedTensor dLoraC;       // [N,out]
        final ReusedTensor dLoraGate;    // [N,out]
        final ReusedTensor du;           // [N,r]
        final ReusedTensor dxDrop;       // [N,in]

        Scratch(ReusedTensors pool) {
            dropScratch = pool.next();
            gatedLora = pool.next();
            dx = pool.next();
            dLoraC = pool.next();
            dLoraGate = pool.next();
            du = pool.next();
            dxDrop = pool.next();
        }
    }

    Linear(Backend be, Parameter weight, Parameter bias) {
        this.be = be;
        this.weight = weight;
        this.bias = bias;
        this.owned = new ReusedTensors(be);
        this.saved = new Saved(owned);
        this.scratch = new Scratch(owned);
    }

    /** A fresh trainable task head "classifier" {@code [labels, d]}: W ~ N(0, 0.02), b = 0. */
    static Linear classifierHead(Backend be, int d, int labels, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Parameter w = new Parameter("classifier.weight", be.fromHost(Init.normal(rng, labels * d, 0.02), labels, d));
        Parameter b = new Parameter("classifier.bias", be.allocate(labels));
        w.setTrainable(be, true);
        b.setTrainable(be, true);
        return new Linear(be, w, b);
    }

    int in() {
        return weight.value().dim(1);
    }

    int out() {
        return weight.value().dim(0);
    }

    /** Attaches LoRA: A Kaiming-uniform {@code [r,in]}, B zero {@code [out,r]}, both trainable. */
    void attachLora(LoraSpec spec, SplittableRandom rng) {
        int r = spec.rank();
        if ((long) r * Math.max(in(), out()) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(weight.name() + ": LoRA rank " + r + " × width " + Math.max(in(), out())
                    + " exceeds the 2³¹ − 1 elements of one tensor");
        }
        loraA = new Parameter(weight.name().replace(".weight", ".lora_A.weight"),
                be.fromHost(Init.kaimingUniform(rng, r, in()), r, in()));
        loraB = new Parameter(weight.name().replace(".weight", ".lora_B.weight"), be.allocate(out(), r));
        loraA.setTrainable(be, true);
        loraB.setTrainable(be, true);
        loraScale = spec.scale();
        loraDropout = spec.dropout();
        if (spec.gated()) {
            loraGate = new Gate(be, weight.name().replace(".weight", ".lora_gate"), in());
        }
    }

    boolean hasLora() {
        return loraA != null;
    }

    /**
     * Serves several LoRA adapters at once (inference only): the forward computes x Wᵀ + b and then adds, row by row,
     * the LoRA term of the adapter {@code mixed.rows} names for that row. The layer must carry no LoRA of its own.
     */
    void attachMixedLora(MixedLora mixed) {
        if (loraA != null) {
            throw new IllegalStateException(weight.name() + " already carries a LoRA; mixed adapters need the bare layer");
        }
        mixedLora = mixed;
    }

    Parameter loraA() {
        return loraA;
    }

    Parameter loraB() {
        return loraB;
    }

    float loraScale() {
        return loraScale;
    }

    boolean loraMerged() {
        return loraMerged;
    }

    /**
     * Folds LoRA into the frozen weight, W ← W + s·B A (accumulated in float64 on the host); the forward then runs
     * the plain linear layer. {@link #unmergeLora()} subtracts the same product again.
     */
    void mergeLora() {
        if (loraA == null || loraMerged) {
            throw new IllegalStateException(weight.name() + (loraA == null ? " carries no LoRA" : " is already merged"));
        }
        if (loraGate != null) {
            throw new IllegalStateException(weight.name() + " carries a gated LoRA: its term depends on the input through "
                    + "the gate, so it cannot be folded into the weight");
        }
        addLoraProduct(+1);
        loraMerged = true;
    }

    /** Undoes {@link #mergeLora()}: W ← W − s·B A, so W is back to its value before the merge up to float rounding. */
    void unmergeLora() {
        if (!loraMerged) {
            throw new IllegalStateException(weight.name() + " is not merged");
        }
        addLoraProduct(-1);
        loraMerged = false;
    }

    /** W[o,i] += sign·s·Σ_k B[o,k]·A[k,i], each element summed in float64 and rounded once. */
    private void addLoraProduct(int sign) {
        float[] w = weight.value().toArray();
        float[] a = loraA.value().toArray();
        float[] b = loraB.value().toArray();
        int r = loraA.value().dim(0);
        int in = in();
        int out = out();
        double s = sign * (double) loraScale;
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                double acc = 0;
                for (int k = 0; k < r; k++) {
                    acc += (double) b[o * r + k] * a[k * in + i];
                }
                w[o * in + i] = (float) (w[o * in + i] + s * acc);
            }
        }
        weight.value().copyFrom(w);
    }

    /** y = x Wᵀ + b (+ LoRA). The returned tensor is this layer's buffer, valid until its next forward. */
    Tensor forward(Tensor x, Pass pass, long dropoutSeed) {
        saved.x = x;
        int n = x.dim(0);
        Tensor y = saved.output.shaped(n, out());
        Tensor b = bias == null ? null : bias.value();
        if (mixedLora != null) {
            be.linearForward(x, weight.value(), b, y);
            be.loraMixedForward(x, mixedLora.a, mixedLora.b, mixedLora.scales, mixedLora.rows.forRows(n), y);
            return y;
        }
        if (loraA == null || loraMerged) {
            be.linearForward(x, weight.value(), b, y);
            return y;
        }
        Tensor u = saved.u.shaped(n, loraA.value().dim(0));
        Tensor dropMask = null;
        if (pass.training() && loraDropout > 0) {
            dropMask = saved.mask.shaped(n, in());
            be.dropoutForward(x, loraDropout, dropoutSeed, scratch.dropScratch.shaped(n, in()), dropMask);
        }
        saved.dropMask = dropMask;
        if (loraGate == null) {
            be.loraForward(x, weight.value(), b, loraA.value(), loraB.value(), loraScale, dropMask, y, u);
            return y;
        }
        be.linearForward(x, weight.value(), b, y);
        Tensor xDrop = x;
        if (dropMask != null) {
            xDrop = saved.masked.shaped(n, in());
            be.mul(x, dropMask, xDrop);
        }
        saved.xDrop = xDrop;
        be.linearForward(xDrop, loraA.value(), null, u);
        Tensor c = saved.loraC.shaped(n, out());
        be.gemm(u, false, loraB.value(), true, c, loraScale, 0f);
        Tensor gc = scratch.gatedLora.shaped(n, out());
        be.mul(loraGate.forward(x, out()), c, gc);
        be.add(y, gc, y);
        return y;
    }

    /** The output of the last forward (valid until the next one, unless a caller changed it in place). */
    Tensor lastOutput() {
        return saved.output.saved();
    }

    /**
     * Gradients of the trainable parameters (LoRA A and B, W and b when trainable) and, if {@code needDx},
     * dx {@code [N,in]} (a buffer of this layer), else null.
     */
    Tensor backward(Tensor dy, boolean needDx) {
        int n = dy.dim(0);
        Tensor dx = needDx ? scratch.dx.shaped(n, in()) : null;
        Tensor x = saved.x;
        Tensor dW = weight.grad();
        Tensor db = bias == null ? null : bias.grad();
        if (loraMerged) {
            throw new IllegalStateException(weight.name() + ": LoRA is merged into the weight; unmerge it before training");
        }
        if (mixedLora != null) {
            throw new IllegalStateException(weight.name() + " serves mixed LoRA adapters, which is inference only");
        }
        if (loraA == null) {
            if (dx != null || dW != null || db != null) {
                be.linearBackward(dy, x, weight.value(), dx, dW, db);
            }
            return dx;
        }
        if (loraGate != null) {
            gatedLoraBackward(dy, dx);
        } else {
            be.loraBackward(dy, x, weight.value(), loraA.value(), loraB.value(), saved.u.saved(), loraScale,
                    saved.dropMask, dx, loraA.grad(), loraB.grad());
        }
        if (dW != null || db != null) {
            be.linearBackward(dy, x, weight.value(), null, dW, db);
        }
        return dx;
    }

    /** The gated path's backward (see the class comment); dx, when not null, receives dy W plus both LoRA shares. */
    private void gatedLoraBackward(Tensor dy, Tensor dx) {
        int n = dy.dim(0);
        int r = loraA.value().dim(0);
        if (dx != null) {
            be.linearBackward(dy, saved.x, weight.value(), dx, null, null);
        }
        Tensor dc = scratch.dLoraC.shaped(n, out());
        be.mul(loraGate.last(), dy, dc);
        Tensor dG = scratch.dLoraGate.shaped(n, out());
        be.mul(dy, saved.loraC.saved(), dG);
        Tensor u = saved.u.saved();
        be.gemm(dc, true, u, false, loraB.grad(), loraScale, 0f);
        Tensor du = scratch.du.shaped(n, r);
        be.gemm(dc, false, loraB.value(), false, du, loraScale, 0f);
        Tensor dxDrop = dx == null ? null : scratch.dxDrop.shaped(n, in());
        be.linearBackward(du, saved.xDrop, loraA.value(), dxDrop, loraA.grad(), null);
        Tensor gateDx = loraGate.backward(dG, dx != null);
        if (dx != null) {
            if (saved.dropMask != null) {
                be.mul(dxDrop, saved.dropMask, dxDrop);
            }
            be.add(dx, dxDrop, dx);
            be.add(dx, gateDx, dx);
        }
    }

    /** This layer's parameters: W, b, then LoRA's A and B if attached. */
    void collect(List<Parameter> out) {
        out.add(weight);
        if (bias != null) {
            out.add(bias);
        }
        if (loraA != null) {
            out.add(loraA);
            out.add(loraB);
        }
        if (loraGate != null) {
            loraGate.collect(out);
        }
    }

    @Override
    public void close() {
        owned.close();
        if (mixedLora != null) {
            mixedLora.close();
        }
        if (loraGate != null) {
            loraGate.close();
        }
    }
}
