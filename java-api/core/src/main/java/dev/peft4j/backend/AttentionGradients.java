package dev.peft4j.backend;

import dev.peft4j.tensor.Tensor;

/**
 * Where {@link Backend#attentionBackward} writes its gradients, each named when set so that dk and dv (same shape)
 * cannot be swapped by position: {@code AttentionGradients.none().withDq(dq).withDk(dk).withDv(dv)}. Every one is
 * optional (null: not computed); dPrefixK and dPrefixV {@code [L,H·dh]} sum over the batch.
 */
public final class AttentionGradients {
    private static final AttentionGradients NONE = new AttentionGradients(null, null, null, null, null);

    private final Tensor dq, dk, dv, dPrefixK, dPrefixV;

    private AttentionGradients(Tensor dq, Tensor dk, Tensor dv, Tensor dPrefixK, Tensor dPrefixV) {
        this.dq = dq;
        this.dk = dk;
        this.dv = dv;
        this.dPrefixK = dPrefixK;
        this.dPrefixV = dPrefixV;
    }

    /** No gradient asked for. */
    public static AttentionGradients none() {
        return NONE;
    }

    /** The same, with dq {@code [B,T,H·dh]}. */
    public AttentionGradients withDq(Tensor dq) {
        return new AttentionGradients(dq, dk, dv, dPrefixK, dPrefixV);
    }

    /** The same, with dk {@code [B,T,H·dh]}. */
    public AttentionGradients withDk(Tensor dk) {
        return new AttentionGradients(dq, dk, dv, dPrefixK, dPrefixV);
    }

    /** The same, with dv {@code [B,T,H·dh]}. */
    public AttentionGradients withDv(Tensor dv) {
        return new AttentionGradients(dq, dk, dv, dPrefixK, dPrefixV);
    }

    /** The same, with the prefix gradients dPrefixK, dPrefixV {@code [L,H·dh]}. */
    public AttentionGradients withPrefixGradients(Tensor dPrefixK, Tensor dPrefixV) {
        return new AttentionGradients(dq, dk, dv, dPrefixK, dPrefixV);
    }

    /** Gradient of q, or null. */
    public Tensor dq() { return dq; }

    /** Gradient of k, or null. */
    public Tensor dk() { return dk; }

    /** Gradient of v, or null. */
    public Tensor dv() { return dv; }

    /** Gradient of the prefix keys, or null. */
    public Tensor dPrefixK() { return dPrefixK; }

    /** Gradient of the prefix values, or null. */
    public Tensor dPrefixV() { return dPrefixV; }
}
