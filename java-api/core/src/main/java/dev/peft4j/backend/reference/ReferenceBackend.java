package dev.peft4j.backend.reference;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.AdamW;
import dev.peft4j.backend.AdapterGradients;
import dev.peft4j.backend.AdapterWeights;
import dev.peft4j.backend.AttentionGradients;
import dev.peft4j.backend.AttentionInputs;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.HostStaging;
import dev.peft4j.tensor.Device;
import dev.peft4j.tensor.Tensor;

/**
 * The oracle: every {@link Backend} kernel as plain loops over host tensors, accumulating every sum and dot
 * product in double and rounding to float32 only when a result is stored. Each kernel family lives in its own
 * package-private class; this class only delegates. It assumes well-formed arguments ({@link
 * dev.peft4j.backend.ValidatingBackend} checks them when the backend comes from {@link dev.peft4j.backend.Backends}).
 *
 * <p>The loops index whole arrays from 0; a tensor that wraps part of a caller's array ({@link
 * Tensor#wrap(float[], int, int...)}) reaches them through {@link HostStaging} (a compact copy for the call,
 * copied back if written). The oracle favours plain loops over zero-copy.
 */
public final class ReferenceBackend implements Backend {

    @Override public String name() { return "reference"; }

    @Override public Device device() { return Device.CPU; }

    @Override public Tensor allocate(int... shape) { return Tensor.zeros(shape); }

    @Override public Tensor fromHost(float[] data, int... shape) { return Tensor.of(data, shape); }

    @Override public void copy(Tensor src, Tensor dst) {
        try (HostStaging st = HostStaging.of(src, dst)) {
            ReferenceElementwise.copy(st.get(src), st.get(dst));
        }
    }

    @Override public void fill(Tensor t, float value) {
        try (HostStaging st = HostStaging.of(t)) {
            ReferenceElementwise.fill(st.get(t), value);
        }
    }

    @Override public void add(Tensor a, Tensor b, Tensor out) {
        try (HostStaging st = HostStaging.of(a, b, out)) {
            ReferenceElementwise.add(st.get(a), st.get(b), st.get(out));
        }
    }

    @Override public void mul(Tensor a, Tensor b, Tensor out) {
        try (HostStaging st = HostStaging.of(a, b, out)) {
            ReferenceElementwise.mul(st.get(a), st.get(b), st.get(out));
        }
    }

    @Override public void axpy(float alpha, Tensor x, Tensor y) {
        try (HostStaging st = HostStaging.of(x, y)) {
            ReferenceElementwise.axpy(alpha, st.get(x), st.get(y));
        }
    }

    @Override public void gemm(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, float alpha, float beta) {
        try (HostStaging st = HostStaging.of(a, b, c)) {
            ReferenceGemm.gemm(st.get(a), transA, st.get(b), transB, st.get(c), alpha, beta);
        }
    }

    @Override public void linearForward(Tensor x, Tensor w, Tensor bias, Tensor y) {
        try (HostStaging st = HostStaging.of(x, w, bias, y)) {
            ReferenceGemm.linearForward(st.get(x), st.get(w), st.get(bias), st.get(y));
        }
    }

    @Override public void linearBackward(Tensor dy, Tensor x, Tensor w, Tensor dx, Tensor dw, Tensor db) {
        try (HostStaging st = HostStaging.of(dy, x, w, dx, dw, db)) {
            ReferenceGemm.linearBackward(st.get(dy), st.get(x), st.get(w), st.get(dx), st.get(dw), st.get(db));
        }
    }

    @Override public void loraForward(Tensor x, Tensor w, Tensor bias, Tensor a, Tensor b, float s, Tensor dropMask,
                                      Tensor y, Tensor u) {
        try (HostStaging st = HostStaging.of(x, w, bias, a, b, dropMask, y, u)) {
            ReferenceLora.forward(st.get(x), st.get(w), st.get(bias), st.get(a), st.get(b), s, st.get(dropMask), st.get(y), st.get(u));
        }
    }

    @Override public void loraBackward(Tensor dy, Tensor x, Tensor w, Tensor a, Tensor b, Tensor u, float s,
                                       Tensor dropMask, Tensor dx, Tensor dA, Tensor dB) {
        try (HostStaging st = HostStaging.of(dy, x, w, a, b, u, dropMask, dx, dA, dB)) {
            ReferenceLora.backward(st.get(dy), st.get(x), st.get(w), st.get(a), st.get(b), st.get(u), s, st.get(dropMask), st.get(dx), st.get(dA), st.get(dB));
        }
    }

    @Override public void loraMixedForward(Tensor x, Tensor a, Tensor b, Tensor scales, int[] adapterOfRow, Tensor y) {
        try (HostStaging st = HostStaging.of(x, a, b, scales, y)) {
            ReferenceMixedLora.forward(st.get(x), st.get(a), st.get(b), st.get(scales), adapterOfRow, st.get(y));
        }
    }

    @Override public void adapterForward(Tensor x, Tensor residual, AdapterWeights w, Tensor y, Tensor z) {
        Tensor wDown = w.wDown(), bDown = w.bDown(), wUp = w.wUp(), bUp = w.bUp();
        Activation f = w.f();
        float s = w.s();
        try (HostStaging st = HostStaging.of(x, residual, wDown, bDown, wUp, bUp, y, z)) {
            ReferenceAdapter.forward(st.get(x), st.get(residual), st.get(wDown), st.get(bDown), st.get(wUp), st.get(bUp), f, s, st.get(y), st.get(z));
        }
    }

    @Override public void adapterBackward(Tensor dy, Tensor x, AdapterWeights w, Tensor z, AdapterGradients grads) {
        Tensor wDown = w.wDown(), wUp = w.wUp(), bUp = w.bUp();
        Activation f = w.f();
        float s = w.s();
        Tensor dx = grads.dx(), dWDown = grads.dWDown(), dbDown = grads.dbDown(), dWUp = grads.dWUp(), dbUp = grads.dbUp(), dScale = grads.dScale();
        try (HostStaging st = HostStaging.of(dy, x, wDown, wUp, bUp, z, dx, dWDown, dbDown, dWUp, dbUp, dScale)) {
            ReferenceAdapter.backward(st.get(dy), st.get(x), st.get(wDown), st.get(wUp), st.get(bUp), f, s, st.get(z), st.get(dx), st.get(dWDown), st.get(dbDown), st.get(dWUp), st.get(dbUp), st.get(dScale));
        }
    }

    @Override public void attentionForward(AttentionInputs in, Tensor out, Tensor lse) {
        Tensor q = in.q(), k = in.k(), v = in.v(), prefixK = in.prefixK(), prefixV = in.prefixV(), keyMask = in.keyMask();
        boolean causal = in.causal();
        int heads = in.heads();
        try (HostStaging st = HostStaging.of(q, k, v, prefixK, prefixV, keyMask, out, lse)) {
            ReferenceAttention.forward(st.get(q), st.get(k), st.get(v), st.get(prefixK), st.get(prefixV), st.get(keyMask), causal, heads, st.get(out), st.get(lse));
        }
    }

    @Override public void attentionBackward(Tensor dOut, AttentionInputs in, Tensor out, Tensor lse, AttentionGradients grads) {
        Tensor q = in.q(), k = in.k(), v = in.v(), prefixK = in.prefixK(), prefixV = in.prefixV(), keyMask = in.keyMask();
        boolean causal = in.causal();
        int heads = in.heads();
        Tensor dq = grads.dq(), dk = grads.dk(), dv = grads.dv(), dPrefixK = grads.dPrefixK(), dPrefixV = grads.dPrefixV();
        try (HostStaging st = HostStaging.of(dOut, q, k, v, prefixK, prefixV, keyMask, out, lse, dq, dk, dv, dPrefixK, dPrefixV)) {
            ReferenceAttention.backward(st.get(dOut), st.get(q), st.get(k), st.get(v), st.get(prefixK), st.get(prefixV), st.get(keyMask), causal, heads, st.get(out), st.get(lse),
                st.get(dq), st.get(dk), st.get(dv), st.get(dPrefixK), st.get(dPrefixV));
        }
    }

    @Override public void scaleForward(Tensor x, Tensor l, Tensor y) {
        try (HostStaging st = HostStaging.of(x, l, y)) {
            ReferenceScale.forward(st.get(x), st.get(l), st.get(y));
        }
    }

    @Override public void scaleBackward(Tensor dy, Tensor x, Tensor l, Tensor dx, Tensor dl) {
        try (HostStaging st = HostStaging.of(dy, x, l, dx, dl)) {
            ReferenceScale.backward(st.get(dy), st.get(x), st.get(l), st.get(dx), st.get(dl));
        }
    }

    @Override public void biasGradient(Tensor dy, Tensor db) {
        try (HostStaging st = HostStaging.of(dy, db)) {
            ReferenceScale.biasGradient(st.get(dy), st.get(db));
        }
    }

    @Override public void maskedBiasUpdate(Tensor dy, Tensor bias, Tensor mask, Tensor m, Tensor v, AdamW hp, long step,
                                           Tensor db) {
        try (HostStaging st = HostStaging.of(dy, bias, mask, m, v, db)) {
            ReferenceOptim.maskedBiasUpdate(st.get(dy), st.get(bias), st.get(mask), st.get(m), st.get(v), hp, step, st.get(db));
        }
    }

    @Override public void layerNormForward(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor mean,
                                           Tensor rstd) {
        try (HostStaging st = HostStaging.of(x, gamma, beta, y, mean, rstd)) {
            ReferenceNorm.layerNormForward(st.get(x), st.get(gamma), st.get(beta), eps, st.get(y), st.get(mean), st.get(rstd));
        }
    }

    @Override public void layerNormBackward(Tensor dy, Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor dx,
                                            Tensor dGamma, Tensor dBeta) {
        try (HostStaging st = HostStaging.of(dy, x, gamma, mean, rstd, dx, dGamma, dBeta)) {
            ReferenceNorm.layerNormBackward(st.get(dy), st.get(x), st.get(gamma), st.get(mean), st.get(rstd), st.get(dx), st.get(dGamma), st.get(dBeta));
        }
    }

    @Override public void activationForward(Activation f, Tensor x, Tensor y) {
        try (HostStaging st = HostStaging.of(x, y)) {
            ReferenceActivations.forward(f, st.get(x), st.get(y));
        }
    }

    @Override public void activationBackward(Activation f, Tensor dy, Tensor x, Tensor dx) {
        try (HostStaging st = HostStaging.of(dy, x, dx)) {
            ReferenceActivations.backward(f, st.get(dy), st.get(x), st.get(dx));
        }
    }

    @Override public void softmaxForward(Tensor x, Tensor y) {
        try (HostStaging st = HostStaging.of(x, y)) {
            ReferenceNorm.softmaxForward(st.get(x), st.get(y));
        }
    }

    @Override public void softmaxBackward(Tensor dy, Tensor y, Tensor dx) {
        try (HostStaging st = HostStaging.of(dy, y, dx)) {
            ReferenceNorm.softmaxBackward(st.get(dy), st.get(y), st.get(dx));
        }
    }

    @Override public void embeddingForward(Tensor table, int[] ids, Tensor out) {
        try (HostStaging st = HostStaging.of(table, out)) {
            ReferenceEmbedding.forward(st.get(table), ids, st.get(out));
        }
    }

    @Override public void embeddingBackward(Tensor dOut, int[] ids, Tensor dTable) {
        try (HostStaging st = HostStaging.of(dOut, dTable)) {
            ReferenceEmbedding.backward(st.get(dOut), ids, st.get(dTable));
        }
    }

    @Override public void meanPoolForward(Tensor x, Tensor mask, Tensor out) {
        try (HostStaging st = HostStaging.of(x, mask, out)) {
            ReferenceEmbedding.meanPoolForward(st.get(x), st.get(mask), st.get(out));
        }
    }

    @Override public void meanPoolBackward(Tensor dOut, Tensor mask, Tensor dx) {
        try (HostStaging st = HostStaging.of(dOut, mask, dx)) {
            ReferenceEmbedding.meanPoolBackward(st.get(dOut), st.get(mask), st.get(dx));
        }
    }

    @Override public void dropoutForward(Tensor x, float p, long seed, Tensor y, Tensor mask) {
        try (HostStaging st = HostStaging.of(x, y, mask)) {
            ReferenceElementwise.dropout(st.get(x), p, seed, st.get(y), st.get(mask));
        }
    }

    @Override public float crossEntropyForward(Tensor logits, int[] targets, Tensor probs) {
        try (HostStaging st = HostStaging.of(logits, probs)) {
            return ReferenceLoss.forward(st.get(logits), targets, st.get(probs));
        }
    }

    @Override public void crossEntropyForward(Tensor logits, int[] targets, Tensor probs, Tensor loss) {
        try (HostStaging st = HostStaging.of(logits, probs, loss)) {
            st.get(loss).data()[0] = ReferenceLoss.forward(st.get(logits), targets, st.get(probs));
        }
    }

    @Override public void crossEntropyBackward(Tensor probs, int[] targets, float scale, Tensor dLogits) {
        try (HostStaging st = HostStaging.of(probs, dLogits)) {
            ReferenceLoss.backward(st.get(probs), targets, scale, st.get(dLogits));
        }
    }

    @Override public void adamW(Tensor[] params, Tensor[] grads, Tensor[] m, Tensor[] v, AdamW hp, long step) {
        try (HostStaging st = HostStaging.of().and(params).and(grads).and(m).and(v)) {
            ReferenceOptim.adamW(st.get(params), st.get(grads), st.get(m), st.get(v), hp, step);
        }
    }

    @Override public float clipGradNorm(Tensor[] grads, float maxNorm) {
        try (HostStaging st = HostStaging.of().and(grads)) {
            return ReferenceOptim.clipGradNorm(st.get(grads), maxNorm);
        }
    }

    @Override public void clipGradNorm(Tensor[] grads, float maxNorm, Tensor norm) {
        try (HostStaging st = HostStaging.of(norm).and(grads)) {
            st.get(norm).data()[0] = ReferenceOptim.clipGradNorm(st.get(grads), maxNorm);
        }
    }
}
