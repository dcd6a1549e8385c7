package dev.peft4j.model;

import dev.peft4j.tensor.Tensor;

/**
 * Several LoRA adapters served at once (inference only): y = x Wᵀ + b, then each row adds the LoRA term of the
 * adapter {@code mixed.rows} names for it. Owns {@code mixed} and closes it.
 */
record MixedLoraLinear(LinearWeights base, MixedLora mixed) implements LinearMode {

    @Override
    public void forward(Tensor x, Pass pass, long dropoutSeed, Tensor y) {
        base.forward(x, y);
        base.be().loraMixedForward(x, mixed.a, mixed.b, mixed.scales, mixed.rows.forRows(x.dim(0)), y);
    }

    @Override
    public void backward(Tensor dy, Tensor x, Tensor dx) {
        throw new IllegalStateException(base.weight().name() + " serves mixed LoRA adapters, which is inference only");
    }

    @Override
    public void close() {
        mixed.close();
    }
}
