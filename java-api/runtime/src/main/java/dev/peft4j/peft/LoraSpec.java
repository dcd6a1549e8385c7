package dev.peft4j.peft;

import java.util.EnumSet;
import java.util.Set;

/**
 * LoRA on some linear layers: h = W₀x + s·B A x with s = α/r (rsLoRA: α/√r); A {@code [r,in]} Kaiming-uniform
 * (a = √5), B {@code [out,r]} zero; dropout p on the LoRA path's input. {@code gated}: each wrapped linear gets a
 * per-token gate g = σ(x W_gᵀ + b_g) ∈ (0,1) on its LoRA term, h = W₀x + g·s·B A x (UniPELT).
 */
public record LoraSpec(int rank, float alpha, boolean rsLora, float dropout, Set<LoraTarget> targets, boolean gated) {
    public LoraSpec {
        if (rank < 1) {
            throw new IllegalArgumentException("LoRA rank must be ≥ 1, got " + rank);
        }
        if (!Float.isFinite(alpha) || alpha <= 0) {
            throw new IllegalArgumentException("LoRA alpha must be finite and > 0, got " + alpha);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("LoRA dropout must lie in [0, 1), got " + dropout);
        }
        if (targets == null || targets.isEmpty()) {
            throw new IllegalArgumentException("LoRA needs at least one target module");
        }
        targets = Set.copyOf(targets);
    }

    /** Ungated LoRA. */
    public LoraSpec(int rank, float alpha, boolean rsLora, float dropout, Set<LoraTarget> targets) {
        this(rank, alpha, rsLora, dropout, targets, false);
    }

    /** The same LoRA with or without gates. */
    public LoraSpec withGate(boolean on) {
        return new LoraSpec(rank, alpha, rsLora, dropout, targets, on);
    }

    /** The defaults of DESIGN.md §3: r = 8, α = 8, query and value, no dropout. */
    public static LoraSpec defaults() {
        return new LoraSpec(8, 8f, false, 0f, EnumSet.of(LoraTarget.QUERY, LoraTarget.VALUE));
    }

    public float scale() {
        return rsLora ? (float) (alpha / Math.sqrt(rank)) : alpha / rank;
    }
}
