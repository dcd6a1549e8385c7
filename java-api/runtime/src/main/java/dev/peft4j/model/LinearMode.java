package dev.peft4j.model;

import dev.peft4j.tensor.Tensor;
import java.util.List;

/**
 * How a {@link Linear} computes y {@code [N,out]} from x {@code [N,in]} and back: one implementation per mode
 * (plain dense, fused LoRA, gated LoRA, several LoRA adapters mixed per row, LoRA merged into W). A mode keeps
 * what its forward saves for its backward and owns it: {@link #close()} frees it.
 */
sealed interface LinearMode extends AutoCloseable
        permits DenseLinear, FusedLoraLinear, GatedLoraLinear, MixedLoraLinear, MergedLoraLinear {

    /** Writes y {@code [N,out]} for x {@code [N,in]}; x stays the caller's and must outlive the backward. */
    void forward(Tensor x, Pass pass, long dropoutSeed, Tensor y);

    /**
     * Adds the gradients of the trainable parameters from dy {@code [N,out]}, x being the last forward's input,
     * and writes dx {@code [N,in]} unless it is null.
     */
    void backward(Tensor dy, Tensor x, Tensor dx);

    /**
     * Whether {@link #backward} reads x: when it does not, the caller may hand the forward an x that the next layer
     * overwrites (a shared buffer) instead of keeping one per layer.
     */
    default boolean backwardReadsInput() {
        return true;
    }

    /** The LoRA factors this mode applies, or null. */
    default LoraWeights lora() {
        return null;
    }

    /** The mode's own parameters (the layer lists W and b itself). */
    default void collect(List<Parameter> out) {
    }

    @Override
    default void close() {
    }
}
