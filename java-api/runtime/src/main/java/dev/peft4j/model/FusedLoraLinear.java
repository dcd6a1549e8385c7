package dev.peft4j.model;

import dev.peft4j.tensor.Tensor;
import java.util.List;

/**
 * LoRA by the fused kernels: y = x Wᵀ + b + s·(x̃ Aᵀ) Bᵀ with x̃ = x ⊙ mask / (1 − p) under LoRA dropout, x̃ = x
 * otherwise. The forward saves u = x̃ Aᵀ {@code [N,r]} and the dropout mask; the backward's loraBackward gives dA,
 * dB and dx, then dW, db when W, b are trainable.
 */
final class FusedLoraLinear implements LinearMode {
    private final LinearWeights base;
    private final LoraWeights lora;
    private final ReusedTensors owned;
    private final ReusedTensor u;            // [N,r], x̃ Aᵀ (saved for the backward)
    private final ReusedTensor mask;         // [N,in], the dropout mask (saved for the backward)
    private final ReusedTensor dropScratch;  // [N,in], the dropped x, which the fused kernel does not read
    private Tensor dropMask;                 // mask's tensor when this pass dropped, else null

    FusedLoraLinear(LinearWeights base, LoraWeights lora) {
        this.base = base;
        this.lora = lora;
        this.owned = new ReusedTensors(base.be());
        this.u = owned.next();
        this.mask = owned.next();
        this.dropScratch = owned.next();
    }

    @Override
    public LoraWeights lora() {
        return lora;
    }

    @Override
    public void forward(Tensor x, Pass pass, long dropoutSeed, Tensor y) {
        int n = x.dim(0);
        Tensor uNow = u.shaped(n, lora.rank());
        dropMask = null;
        if (pass.training() && lora.dropout() > 0) {
            dropMask = mask.shaped(n, base.in());
            base.be().dropoutForward(x, lora.dropout(), dropoutSeed, dropScratch.shaped(n, base.in()), dropMask);
        }
        base.be().loraForward(x, base.w(), base.b(), lora.a().value(), lora.b().value(), lora.scale(), dropMask, y,
                uNow);
    }

    @Override
    public void backward(Tensor dy, Tensor x, Tensor dx) {
        base.be().loraBackward(dy, x, base.w(), lora.a().value(), lora.b().value(), u.saved(), lora.scale(), dropMask,
                dx, lora.a().grad(), lora.b().grad());
        base.accumulateWeightGradients(dy, x);
    }

    @Override
    public void collect(List<Parameter> out) {
        lora.collect(out);
    }

    @Override
    public void close() {
        owned.close();
    }
}
