package dev.peft4j.peft;

import dev.peft4j.backend.Activation;

/**
 * A bottleneck adapter of width {@code size}: out = s·(f(x W_dᵀ + b_d) W_uᵀ + b_u), added to a residual.
 * {@code learnedScale} makes s a trainable scalar starting at {@code scale}; {@code gated} multiplies out per token
 * by g = σ(x W_gᵀ + b_g) ∈ (0,1) (UniPELT), x being the adapter's input.
 */
public record AdapterSpec(int size, Activation activation, float scale, boolean learnedScale, boolean gated) {
    public AdapterSpec {
        if (size < 1) {
            throw new IllegalArgumentException("adapter size must be ≥ 1, got " + size);
        }
        if (activation == null) {
            throw new IllegalArgumentException("adapter activation is null");
        }
        if (!Float.isFinite(scale)) {
            throw new IllegalArgumentException("adapter scale must be finite, got " + scale);
        }
    }

    /** An ungated adapter. */
    public AdapterSpec(int size, Activation activation, float scale, boolean learnedScale) {
        this(size, activation, scale, learnedScale, false);
    }

    /** The same adapter with or without a gate. */
    public AdapterSpec withGate(boolean on) {
        return new AdapterSpec(size, activation, scale, learnedScale, on);
    }
}
