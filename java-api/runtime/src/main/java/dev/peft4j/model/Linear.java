package dev.peft4j.model;

import dev.peft4j.backend.Backend;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A linear layer y = x Wᵀ + b (W {@code [out,in]}), x {@code [N, in]} and y {@code [N, out]}, computed by its
 * current {@link LinearMode}: {@link DenseLinear} until a PEFT method attaches LoRA ({@link FusedLoraLinear}, or
 * {@link GatedLoraLinear} for UniPELT's gated LoRA), {@link MergedLoraLinear} while the LoRA is folded into W,
 * {@link MixedLoraLinear} when it serves several adapters at once.
 */
final class Linear implements AutoCloseable {
    final Parameter weight;
    final Parameter bias;
    private final LinearWeights base;
    private final ReusedTensors owned;
    private final ReusedTensor output;  // [N,out], y (the activation's backward reads it back)
    private final ReusedTensor dx;      // [N,in], backward scratch (the stack's shared one inside a layer)
    private final ReusedTensor unkept;  // [N,out], y when no backward reads it (forwardUnkept), shared like dx
    private Tensor x;                   // [N,in], the last forward's input (the caller's; saved for the backward)
    private LinearMode mode;
    private boolean weightPrepared;     // W declared unchanging to the backend (Backend.prepare)

    /** A linear layer with a dx buffer of its own. */
    Linear(Backend be, Parameter weight, Parameter bias) {
        this(be, weight, bias, null);
    }

    /** A linear layer whose dx buffer comes from {@code scratch} (a layer stack's shared scratch), or its own when null. */
    Linear(Backend be, Parameter weight, Parameter bias, ScratchSource scratch) {
        this.weight = weight;
        this.bias = bias;
        this.base = new LinearWeights(be, weight, bias);
        this.owned = new ReusedTensors(be);
        this.output = owned.next();
        this.dx = (scratch == null ? owned : scratch).next();
        this.unkept = (scratch == null ? owned : scratch).next();
        this.mode = new DenseLinear(base);
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
        return base.in();
    }

    int out() {
        return base.out();
    }

    /** Attaches LoRA: A Kaiming-uniform {@code [r,in]}, B zero {@code [out,r]}, both trainable; gated when asked. */
    void attachLora(LoraSpec spec, SplittableRandom rng) {
        LoraWeights lora = LoraWeights.create(base, spec, rng);
        LinearMode next = spec.gated()
                ? new GatedLoraLinear(base, lora, new Gate(base.be(), weight.name().replace(".weight", ".lora_gate"), in()))
                : new FusedLoraLinear(base, lora);
        switchTo(next);
    }

    boolean hasLora() {
        return mode.lora() != null;
    }

    /**
     * Serves several LoRA adapters at once (inference only): the forward computes x Wᵀ + b and then adds, row by row,
     * the LoRA term of the adapter {@code mixed.rows} names for that row. The layer must carry no LoRA of its own.
     */
    void attachMixedLora(MixedLora mixed) {
        if (hasLora()) {
            throw new IllegalStateException(weight.name() + " already carries a LoRA; mixed adapters need the bare layer");
        }
        switchTo(new MixedLoraLinear(base, mixed));
    }

    Parameter loraA() {
        return hasLora() ? mode.lora().a() : null;
    }

    Parameter loraB() {
        return hasLora() ? mode.lora().b() : null;
    }

    float loraScale() {
        return hasLora() ? mode.lora().scale() : 0f;
    }

    boolean loraMerged() {
        return mode instanceof MergedLoraLinear;
    }

    /**
     * Folds LoRA into the frozen weight, W ← W + s·B A (accumulated in float64 on the host); the forward then runs
     * the plain linear layer. {@link #unmergeLora()} subtracts the same product again.
     */
    void mergeLora() {
        switch (mode) {
            case FusedLoraLinear fused -> {
                fused.lora().addProductTo(weight.value(), +1);
                switchTo(new MergedLoraLinear(base, fused.lora()));
            }
            case MergedLoraLinear merged -> throw new IllegalStateException(weight.name() + " is already merged");
            case GatedLoraLinear gated -> throw new IllegalStateException(weight.name() + " carries a gated LoRA: its "
                    + "term depends on the input through the gate, so it cannot be folded into the weight");
            case DenseLinear dense -> throw new IllegalStateException(weight.name() + " carries no LoRA");
            case MixedLoraLinear mixed -> throw new IllegalStateException(weight.name() + " carries no LoRA");
        }
    }

    /** Undoes {@link #mergeLora()}: W ← W − s·B A, so W is back to its value before the merge up to float rounding. */
    void unmergeLora() {
        if (!(mode instanceof MergedLoraLinear merged)) {
            throw new IllegalStateException(weight.name() + " is not merged");
        }
        merged.lora().addProductTo(weight.value(), -1);
        switchTo(new FusedLoraLinear(base, merged.lora()));
    }

    private void switchTo(LinearMode next) {
        releasePreparedWeight();
        mode.close();
        mode = next;
    }

    /**
     * For inference from now on: a frozen W that the forward reads through {@code linearForward} (a plain layer, or
     * one whose LoRA is merged) is handed to {@link Backend#prepare}, so the backend packs it once instead of on
     * every forward. Undone by a mode switch (merge, unmerge, attaching LoRA) and by close. Returns whether W is
     * prepared now.
     */
    boolean prepareFrozenWeight() {
        if (!weightPrepared && !weight.trainable() && (mode instanceof DenseLinear || mode instanceof MergedLoraLinear)) {
            base.be().prepare(base.w());
            weightPrepared = true;
        }
        return weightPrepared;
    }

    /** Drops what {@link #prepareFrozenWeight} asked of the backend; W may change again. */
    void releasePreparedWeight() {
        if (weightPrepared) {
            base.be().unprepare(base.w());
            weightPrepared = false;
        }
    }

    /** y = x Wᵀ + b (+ the mode's term). The returned tensor is this layer's buffer, valid until its next forward. */
    Tensor forward(Tensor x, Pass pass, long dropoutSeed) {
        if (weightPrepared && weight.trainable()) { // W made trainable since: an optimizer may change it
            releasePreparedWeight();
        }
        this.x = x;
        Tensor y = output.shaped(x.dim(0), out());
        mode.forward(x, pass, dropoutSeed, y);
        return y;
    }

    /**
     * {@link #forward}, but into a buffer that the layers of a stack share ({@link SharedScratch}): valid only until
     * the next layer's forward, so only for a y that no backward reads (y itself is not saved; x is, as always).
     * {@link #lastOutput()} does not see it.
     */
    Tensor forwardUnkept(Tensor x, Pass pass, long dropoutSeed) {
        this.x = x;
        Tensor y = unkept.shaped(x.dim(0), out());
        mode.forward(x, pass, dropoutSeed, y);
        return y;
    }

    /** Whether the backward reads the last forward's x (LoRA does; a frozen dense layer does not). */
    boolean backwardReadsInput() {
        return mode.backwardReadsInput();
    }

    /** The output of the last forward (valid until the next one, unless a caller changed it in place). */
    Tensor lastOutput() {
        return output.saved();
    }

    /**
     * Gradients of the trainable parameters (LoRA A and B, W and b when trainable) and, if {@code needDx},
     * dx {@code [N,in]} (a buffer of this layer), else null.
     */
    Tensor backward(Tensor dy, boolean needDx) {
        Tensor grad = needDx ? dx.shaped(dy.dim(0), in()) : null;
        mode.backward(dy, x, grad);
        return grad;
    }

    /** This layer's parameters: W, b, then the mode's (LoRA's A and B, a gate's W_g and b_g). */
    void collect(List<Parameter> out) {
        out.add(weight);
        if (bias != null) {
            out.add(bias);
        }
        mode.collect(out);
    }

    @Override
    public void close() {
        releasePreparedWeight();
        owned.close();
        mode.close();
    }
}
