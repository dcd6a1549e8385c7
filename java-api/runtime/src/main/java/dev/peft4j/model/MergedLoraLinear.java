package dev.peft4j.model;

import dev.peft4j.tensor.Tensor;
import java.util.List;

/**
 * LoRA folded into the weight (W holds W₀ + s·B A): the forward is the plain layer's. Inference only; unmerge to
 * train again.
 */
record MergedLoraLinear(LinearWeights base, LoraWeights lora) implements LinearMode {

    @Override
    public void forward(Tensor x, Pass pass, long dropoutSeed, Tensor y) {
        base.forward(x, y);
    }

    @Override
    public void backward(Tensor dy, Tensor x, Tensor dx) {
        throw new IllegalStateException(base.weight().name()
                + ": LoRA is merged into the weight; unmerge it before training");
    }

    @Override
    public void collect(List<Parameter> out) {
        lora.collect(out);
    }
}
