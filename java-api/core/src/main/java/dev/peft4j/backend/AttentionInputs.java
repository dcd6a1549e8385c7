package dev.peft4j.backend;

import dev.peft4j.tensor.Tensor;

/**
 * What multi-head attention attends with, shared by {@link Backend#attentionForward} and {@link
 * Backend#attentionBackward}: q, k, v {@code [B,T,H·dh]}; optional prefix keys and values {@code [L,H·dh]} (both or
 * neither); an optional key mask {@code [B,T]} (1 = attend, 0 = padding); causal or not; the number of heads H; and
 * whether the rows of masked query positions may be skipped ({@link #skippingMaskedQueries()}).
 * Built as {@code AttentionInputs.of(q, k, v, heads).withPrefix(pk, pv).withKeyMask(mask)}. Shapes are checked
 * once per call by {@link ValidatingBackend}, with every tensor named.
 *
 * @param skipMaskedQueries forward only: the out and lse rows of query positions t with keyMask[b,t] = 0 are
 *                          unspecified, so a backend may leave padding rows that nobody reads uncomputed (the cpu
 *                          backend skips the rows after a sequence's last unmasked position and writes out = 0,
 *                          lse = −∞ there; other backends compute them). A backward refuses it: it reads every row.
 */
public record AttentionInputs(Tensor q, Tensor k, Tensor v, Tensor prefixK, Tensor prefixV, Tensor keyMask,
                              boolean causal, int heads, boolean skipMaskedQueries) {
    /** Every query row computed: the inputs as before {@code skipMaskedQueries} existed. */
    public AttentionInputs(Tensor q, Tensor k, Tensor v, Tensor prefixK, Tensor prefixV, Tensor keyMask,
                           boolean causal, int heads) {
        this(q, k, v, prefixK, prefixV, keyMask, causal, heads, false);
    }

    /** Plain self-attention over q, k, v: no prefix, no mask, not causal. */
    public static AttentionInputs of(Tensor q, Tensor k, Tensor v, int heads) {
        return new AttentionInputs(q, k, v, null, null, null, false, heads, false);
    }

    /** The same with prefix keys and values {@code [L,H·dh]} (both null: none). */
    public AttentionInputs withPrefix(Tensor prefixK, Tensor prefixV) {
        return new AttentionInputs(q, k, v, prefixK, prefixV, keyMask, causal, heads, skipMaskedQueries);
    }

    /** The same with a key mask {@code [B,T]} (null: every key visible). */
    public AttentionInputs withKeyMask(Tensor keyMask) {
        return new AttentionInputs(q, k, v, prefixK, prefixV, keyMask, causal, heads, skipMaskedQueries);
    }

    /** The same, causal (query t sees sequence keys j ≤ t, and every prefix key) or not. */
    public AttentionInputs withCausal(boolean causal) {
        return new AttentionInputs(q, k, v, prefixK, prefixV, keyMask, causal, heads, skipMaskedQueries);
    }

    /**
     * The same, with the rows of masked query positions left unspecified (see {@code skipMaskedQueries}): for a
     * forward pass whose caller reads only the unmasked rows, such as an inference pass over packed texts.
     */
    public AttentionInputs skippingMaskedQueries() {
        return new AttentionInputs(q, k, v, prefixK, prefixV, keyMask, causal, heads, true);
    }
}
