package dev.peft4j.peft;

/**
 * Prefix tuning: L trainable key and value rows per layer, {@code [L, d]} each, prepended to K and V.
 *
 * @param length               L, the number of prefix positions
 * @param reparameterisation   0: the prefixes are trained directly; h &gt; 0: they are computed by the MLP
 *                             E{@code [L,d]} → Linear(d,h) → tanh → Linear(h, 2·layers·d) (DESIGN.md §3), shared by
 *                             every prefixed layer of the plan and dropped after training
 * @param gated                a per-token gate g = σ(x W_gᵀ + b_g) scales the prefix values' contribution to each
 *                             query's attention output (UniPELT-style)
 */
public record PrefixSpec(int length, int reparameterisation, boolean gated) {
    public PrefixSpec {
        if (length < 1) {
            throw new IllegalArgumentException("prefix length must be ≥ 1, got " + length);
        }
        if (reparameterisation < 0) {
            throw new IllegalArgumentException("prefix reparameterisation hidden size must be ≥ 0 (0 = none), got "
                    + reparameterisation);
        }
    }

    /** Direct (not reparameterised), ungated prefixes of length L. */
    public PrefixSpec(int length) {
        this(length, 0, false);
    }

    public boolean reparameterised() {
        return reparameterisation > 0;
    }

    /** The same prefix trained directly: what {@code dropPrefixReparameterisation()} leaves. */
    public PrefixSpec direct() {
        return new PrefixSpec(length, 0, gated);
    }
}
