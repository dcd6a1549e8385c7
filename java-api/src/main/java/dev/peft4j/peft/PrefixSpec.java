package dev.peft4j.peft;

/** Prefix tuning: L trainable key and value rows per layer, {@code [L, d]} each, prepended to K and V. */
public record PrefixSpec(int length) {
    public PrefixSpec {
        if (length < 1) {
            throw new IllegalArgumentException("prefix length must be ≥ 1, got " + length);
        }
    }
}
