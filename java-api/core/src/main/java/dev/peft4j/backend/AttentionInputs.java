package dev.peft4j.backend;

import dev.peft4j.tensor.Tensor;

/**
 * What multi-head attention attends with, shared by {@link Backend#attentionForward} and {@link
 * Backend#attentionBackward}: q, k, v {@code [B,T,H·dh]}; optional prefix keys and values {@code [L,H·dh]} (both or
 * neither); an optional key mask {@code [B,T]} (1 = attend, 0 = padding); causal or not; the number of heads H.
 * Built as {@code AttentionInputs.of(q, k, v, heads).withPrefix(pk, pv).withKeyMask(mask)}. Shapes are checked
 * once per call by {@link ValidatingBackend}, with every tensor named.
 */
public record AttentionInputs(Tensor q, Tensor k, Tensor v, Tensor prefixK, Tensor prefixV, Tensor keyMask,
                              boolean causal, int heads) {
    /** Plain self-attention over q, k, v: no prefix, no mask, not causal. */
    public static AttentionInputs of(Tensor q, Tensor k, Tensor v, int heads) {
        return new AttentionInputs(q, k, v, null, null, null, false, heads);
    }

    /** The same with prefix keys and values {@code [L,H·dh]} (both null: none). */
    public AttentionInputs withPrefix(Tensor prefixK, Tensor prefixV) {
        return new AttentionInputs(q, k, v, prefixK, prefixV, keyMask, causal, heads);
    }

    /** The same with a key mask {@code [B,T]} (null: every key visible). */
    public AttentionInputs withKeyMask(Tensor keyMask) {
        return new AttentionInputs(q, k, v, prefixK, prefixV, keyMask, causal, heads);
    }

    /** The same, causal (query t sees sequence keys j ≤ t, and every prefix key) or not. */
    public AttentionInputs withCausal(boolean causal) {
        return new AttentionInputs(q, k, v, prefixK, prefixV, keyMask, causal, heads);
    }
}
