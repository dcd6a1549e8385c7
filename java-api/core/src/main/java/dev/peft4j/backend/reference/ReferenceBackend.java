package dev.peft4j.backend.reference;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.AdamW;
import dev.peft4j.backend.Backend;
import dev.peft4j.tensor.Device;
import dev.peft4j.tensor.Tensor;

/**
 * The oracle: every {@link Backend} kernel as plain loops over host tensors, accumulating every sum and dot
 * product in double and rounding to float32 only when a result is stored. Each kernel family lives in its own
 * package-private class; this class only delegates. It assumes well-formed arguments ({@link
 * dev.peft4j.backend.ValidatingBackend} checks them when the backend comes from {@link dev.peft4j.backend.Backends}).
 */
public final class ReferenceBackend implements Backend {

    @Override public String name() { return "reference"; }

    @Override public Device device() { return Device.CPU; }

    @Override public Tensor allocate(int... shape) { return Tensor.zeros(shape); }

    @Override public Tensor fromHost(float[] data, int... shape) { return Tensor.of(data, shape); }

    @Override public void copy(Tensor src, Tensor dst) { ReferenceElementwise.copy(src, dst); }

    @Override public void fill(Tensor t, float value) { ReferenceElementwise.fill(t, value); }

    @Override public void add(Tensor a, Tensor b, Tensor out) { ReferenceElementwise.add(a, b, out); }

    @Override public void mul(Tensor a, Tensor b, Tensor out) { ReferenceElementwise.mul(a, b, out); }

    @Override public void axpy(float alpha, Tensor x, Tensor y) { ReferenceElementwise.axpy(alpha, x, y); }

    @Override public void gemm(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, float alpha, float beta) {
        ReferenceGemm.gemm(a, transA, b, transB, c, alpha, beta);
    }

    @Override public void linearForward(Tensor x, Tensor w, Tensor bias, Tensor y) {
        ReferenceGemm.linearForward(x, w, bias, y);
    }

    @Override public void linearBackward(Tensor dy, Tensor x, Tensor w, Tensor dx, Tensor dw, Tensor db) {
        ReferenceGemm.linearBackward(dy, x, w, dx, dw, db);
    }

    @Override public void loraForward(Tensor x, Tensor w, Tensor bias, Tensor a, Tensor b, float s, Tensor dropMask,
                                      Tensor y, Tensor u) {
        ReferenceLora.forward(x, w, bias, a, b, s, dropMask, y, u);
    }

    @Override public void loraBackward(Tensor dy, Tensor x, Tensor w, Tensor a, Tensor b, Tensor u, float s,
                                       Tensor dropMask, Tensor dx, Tensor dA, Tensor dB) {
        ReferenceLora.backward(dy, x, w, a, b, u, s, dropMask, dx, dA, dB);
    }

    @Override public void loraMixedForward(Tensor x, Tensor a, Tensor b, Tensor scales, int[] adapterOfRow, Tensor y) {
        ReferenceMixedLora.forward(x, a, b, scales, adapterOfRow, y);
    }

    @Override public void adapterForward(Tensor x, Tensor residual, Tensor wDown, Tensor bDown, Tensor wUp, Tensor bUp,
                                         Activation f, float s, Tensor y, Tensor z) {
        ReferenceAdapter.forward(x, residual, wDown, bDown, wUp, bUp, f, s, y, z);
    }

    @Override public void adapterBackward(Tensor dy, Tensor x, Tensor wDown, Tensor wUp, Tensor bUp, Activation f,
                                          float s, Tensor z, Tensor dx, Tensor dWDown, Tensor dbDown, Tensor dWUp,
                                          Tensor dbUp, Tensor dScale) {
        ReferenceAdapter.backward(dy, x, wDown, wUp, bUp, f, s, z, dx, dWDown, dbDown, dWUp, dbUp, dScale);
    }

    @Override public void attentionForward(Tensor q, Tensor k, Tensor v, Tensor prefixK, Tensor prefixV, Tensor keyMask,
                                           boolean causal, int heads, Tensor out, Tensor lse) {
        ReferenceAttention.forward(q, k, v, prefixK, prefixV, keyMask, causal, heads, out, lse);
    }

    @Override public void attentionBackward(Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor prefixK, Tensor prefixV,
                                            Tensor keyMask, boolean causal, int heads, Tensor out, Tensor lse,
                                            Tensor dq, Tensor dk, Tensor dv, Tensor dPrefixK, Tensor dPrefixV) {
        ReferenceAttention.backward(dOut, q, k, v, prefixK, prefixV, keyMask, causal, heads, out, lse,
                dq, dk, dv, dPrefixK, dPrefixV);
    }

    @Override public void scaleForward(Tensor x, Tensor l, Tensor y) { ReferenceScale.forward(x, l, y); }

    @Override public void scaleBackward(Tensor dy, Tensor x, Tensor l, Tensor dx, Tensor dl) {
        ReferenceScale.backward(dy, x, l, dx, dl);
    }

    @Override public void biasGradient(Tensor dy, Tensor db) { ReferenceScale.biasGradient(dy, db); }

    @Override public void maskedBiasUpdate(Tensor dy, Tensor bias, Tensor mask, Tensor m, Tensor v, AdamW hp, long step,
                                           Tensor db) {
        ReferenceOptim.maskedBiasUpdate(dy, bias, mask, m, v, hp, step, db);
    }

    @Override public void layerNormForward(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor mean,
                                           Tensor rstd) {
        ReferenceNorm.layerNormForward(x, gamma, beta, eps, y, mean, rstd);
    }

    @Override public void layerNormBackward(Tensor dy, Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor dx,
                                            Tensor dGamma, Tensor dBeta) {
        ReferenceNorm.layerNormBackward(dy, x, gamma, mean, rstd, dx, dGamma, dBeta);
    }

    @Override public void activationForward(Activation f, Tensor x, Tensor y) { ReferenceActivations.forward(f, x, y); }

    @Override public void activationBackward(Activation f, Tensor dy, Tensor x, Tensor dx) {
        ReferenceActivations.backward(f, dy, x, dx);
    }

    @Override public void softmaxForward(Tensor x, Tensor y) { ReferenceNorm.softmaxForward(x, y); }

    @Override public void softmaxBackward(Tensor dy, Tensor y, Tensor dx) { ReferenceNorm.softmaxBackward(dy, y, dx); }

    @Override public void embeddingForward(Tensor table, int[] ids, Tensor out) {
        ReferenceEmbedding.forward(table, ids, out);
    }

    @Override public void embeddingBackward(Tensor dOut, int[] ids, Tensor dTable) {
        ReferenceEmbedding.backward(dOut, ids, dTable);
    }

    @Override public void meanPoolForward(Tensor x, Tensor mask, Tensor out) {
        ReferenceEmbedding.meanPoolForward(x, mask, out);
    }

    @Override public void meanPoolBackward(Tensor dOut, Tensor mask, Tensor dx) {
        ReferenceEmbedding.meanPoolBackward(dOut, mask, dx);
    }

    @Override public void dropoutForward(Tensor x, float p, long seed, Tensor y, Tensor mask) {
        ReferenceElementwise.dropout(x, p, seed, y, mask);
    }

    @Override public float crossEntropyForward(Tensor logits, int[] targets, Tensor probs) {
        return ReferenceLoss.forward(logits, targets, probs);
    }

    @Override public void crossEntropyForward(Tensor logits, int[] targets, Tensor probs, Tensor loss) {
        loss.data()[0] = ReferenceLoss.forward(logits, targets, probs);
    }

    @Override public void crossEntropyBackward(Tensor probs, int[] targets, float scale, Tensor dLogits) {
        ReferenceLoss.backward(probs, targets, scale, dLogits);
    }

    @Override public void adamW(Tensor[] params, Tensor[] grads, Tensor[] m, Tensor[] v, AdamW hp, long step) {
        ReferenceOptim.adamW(params, grads, m, v, hp, step);
    }

    @Override public float clipGradNorm(Tensor[] grads, float maxNorm) {
        return ReferenceOptim.clipGradNorm(grads, maxNorm);
    }

    @Override public void clipGradNorm(Tensor[] grads, float maxNorm, Tensor norm) {
        norm.data()[0] = ReferenceOptim.clipGradNorm(grads, maxNorm);
    }
}
