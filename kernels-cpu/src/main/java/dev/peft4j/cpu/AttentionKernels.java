package dev.peft4j.cpu;

import dev.peft4j.tensor.Tensor;
import java.util.Arrays;

/**
 * Multi-head attention with prefix keys/values, online softmax: for each query the L prefix keys (no mask) and
 * then the visible sequence keys are visited in blocks of {@link #BLOCK}; per block the scores go into a small
 * buffer, the running max m and sum l are updated, the output accumulator is rescaled once by e^(m_old − m_new)
 * and the block's e^(s_j − m)·v_j added. No [T, L+T] score matrix exists. Layout: q, k, v {@code [B,T,H·dh]},
 * prefixes {@code [L,H·dh]}, element (b,t,h,i) at (b·T + t)·H·dh + h·dh + i.
 *
 * <p>Backward, per head (tasks over heads, so the prefix gradients, which sum over the batch, are private to a
 * task): p_j = e^(s_j − lse), δ = dOut·out, dS_j = p_j·(dOut·v_j − δ)/√dh; dq += dS_j k_j, dk_j += dS_j q,
 * dv_j += p_j dOut.
 */
final class AttentionKernels {
    static final int BLOCK = 64;

    private static final class Scratch {
        final float[] scores = new float[BLOCK];
        float[] acc = new float[0];

        float[] acc(int dh) {
            if (acc.length < dh) {
                acc = new float[dh];
            }
            return acc;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private AttentionKernels() {}

    /** Running state of one query's online softmax. */
    private static final class Online {
        float max;
        float sum;
    }

    static void forward(WorkerPool pool, Tensor q, Tensor k, Tensor v, Tensor prefixK, Tensor prefixV,
                        Tensor keyMask, boolean causal, int heads, Tensor out, Tensor lse) {
        int batch = q.dim(0);
        int t = q.dim(1);
        int dModel = q.dim(2);
        int dh = dModel / heads;
        int prefixLen = prefixK == null ? 0 : prefixK.dim(0);
        float scale = (float) (1.0 / Math.sqrt(dh));
        float[] qv = q.data(), kv = k.data(), vv = v.data(), ov = out.data(), lv = lse.data();
        float[] pk = prefixK == null ? null : prefixK.data();
        float[] pv = prefixV == null ? null : prefixV.data();
        float[] mask = keyMask == null ? null : keyMask.data();
        pool.parallelFor(batch * heads, task -> {
            int b = task / heads;
            int h = task % heads;
            Scratch scratch = SCRATCH.get();
            float[] acc = scratch.acc(dh);
            Online st = new Online();
            for (int i = 0; i < t; i++) {
                int qOff = (b * t + i) * dModel + h * dh;
                Arrays.fill(acc, 0, dh, 0f);
                st.max = Float.NEGATIVE_INFINITY;
                st.sum = 0f;
                if (prefixLen > 0) {
                    visit(qv, qOff, pk, pv, h * dh, dModel, prefixLen, null, 0, dh, scale, scratch.scores, acc, st);
                }
                int visibleEnd = causal ? i + 1 : t;
                visit(qv, qOff, kv, vv, b * t * dModel + h * dh, dModel, visibleEnd, mask, b * t, dh, scale,
                        scratch.scores, acc, st);
                int lIdx = (b * heads + h) * t + i;
                if (st.sum == 0f) {
                    Arrays.fill(ov, qOff, qOff + dh, 0f);
                    lv[lIdx] = Float.NEGATIVE_INFINITY;
                } else {
                    VectorLoops.scaleCopy(acc, 0, 1f / st.sum, ov, qOff, dh);
                    lv[lIdx] = st.max + (float) Math.log(st.sum);
                }
            }
        });
    }

    /** Visits keys 0..count (row j at base + j·stride), skipping those with mask[maskOff + j] = 0. */
    private static void visit(float[] q, int qOff, float[] keys, float[] values, int base, int stride, int count,
                              float[] mask, int maskOff, int dh, float scale, float[] scores,
                              float[] acc, Online st) {
        for (int j0 = 0; j0 < count; j0 += BLOCK) {
            int j1 = Math.min(count, j0 + BLOCK);
            float blockMax = Float.NEGATIVE_INFINITY;
            for (int j = j0; j < j1; j++) {
                float s;
                if (mask != null && mask[maskOff + j] == 0f) {
                    s = Float.NEGATIVE_INFINITY;
                } else {
                    s = scale * VectorLoops.dot(q, qOff, keys, base + j * stride, dh);
                }
                scores[j - j0] = s;
                blockMax = Math.max(blockMax, s);
            }
            if (blockMax == Float.NEGATIVE_INFINITY) {
                continue;
            }
            if (blockMax > st.max) {
                if (st.sum != 0f) {
                    float corr = (float) Math.exp(st.max - blockMax);
                    st.sum *= corr;
                    VectorLoops.scale(acc, 0, corr, dh);
                }
                st.max = blockMax;
            }
            for (int j = j0; j < j1; j++) {
                float s = scores[j - j0];
                if (s == Float.NEGATIVE_INFINITY) {
                    continue;
                }
                float p = (float) Math.exp(s - st.max);
                st.sum += p;
                VectorLoops.axpy(p, values, base + j * stride, acc, 0, dh);
            }
        }
    }

    static void backward(WorkerPool pool, Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor prefixK, Tensor prefixV,
                         Tensor keyMask, boolean causal, int heads, Tensor out, Tensor lse,
                         Tensor dq, Tensor dk, Tensor dv, Tensor dPrefixK, Tensor dPrefixV) {
        int batch = q.dim(0);
        int t = q.dim(1);
        int dModel = q.dim(2);
        int dh = dModel / heads;
        int prefixLen = prefixK == null ? 0 : prefixK.dim(0);
        float scale = (float) (1.0 / Math.sqrt(dh));
        float[] qv = q.data(), kv = k.data(), vv = v.data(), ov = out.data(), lv = lse.data(), gv = dOut.data();
        float[] pk = prefixK == null ? null : prefixK.data();
        float[] pv = prefixV == null ? null : prefixV.data();
        float[] mask = keyMask == null ? null : keyMask.data();
        float[] dqv = dq == null ? null : dq.data();
        float[] dkv = dk == null ? null : dk.data();
        float[] dvv = dv == null ? null : dv.data();
        float[] dpk = dPrefixK == null ? null : dPrefixK.data();
        float[] dpv = dPrefixV == null ? null : dPrefixV.data();
        pool.parallelFor(heads, h -> {
            int col = h * dh;
            for (int l = 0; l < prefixLen; l++) {
                if (dpk != null) {
                    Arrays.fill(dpk, l * dModel + col, l * dModel + col + dh, 0f);
                }
                if (dpv != null) {
                    Arrays.fill(dpv, l * dModel + col, l * dModel + col + dh, 0f);
                }
            }
            float[] dqRow = SCRATCH.get().acc(dh);
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < t; j++) {
                    int off = (b * t + j) * dModel + col;
                    if (dkv != null) {
                        Arrays.fill(dkv, off, off + dh, 0f);
                    }
                    if (dvv != null) {
                        Arrays.fill(dvv, off, off + dh, 0f);
                    }
                }
                for (int i = 0; i < t; i++) {
                    int qOff = (b * t + i) * dModel + col;
                    float lseI = lv[(b * heads + h) * t + i];
                    Arrays.fill(dqRow, 0, dh, 0f);
                    if (lseI != Float.NEGATIVE_INFINITY) {
                        float delta = VectorLoops.dot(gv, qOff, ov, qOff, dh);
                        for (int l = 0; l < prefixLen; l++) {
                            int kOff = l * dModel + col;
                            keyGrad(qv, gv, qOff, pk, pv, kOff, dpk, dpv, dqRow, dh, scale, lseI, delta);
                        }
                        int end = causal ? i + 1 : t;
                        for (int j = 0; j < end; j++) {
                            if (mask != null && mask[b * t + j] == 0f) {
                                continue;
                            }
                            int kOff = (b * t + j) * dModel + col;
                            keyGrad(qv, gv, qOff, kv, vv, kOff, dkv, dvv, dqRow, dh, scale, lseI, delta);
                        }
                    }
                    if (dqv != null) {
                        System.arraycopy(dqRow, 0, dqv, qOff, dh);
                    }
                }
            }
        });
    }

    /** One (query, key) pair of the backward: dS = p·(dOut·v − δ)·scale; dq += dS·k; dk += dS·q; dv += p·dOut. */
    private static void keyGrad(float[] q, float[] g, int qOff, float[] keys, float[] values, int kOff,
                                float[] dKeys, float[] dValues, float[] dqRow, int dh, float scale, float lse,
                                float delta) {
        float p = (float) Math.exp(scale * VectorLoops.dot(q, qOff, keys, kOff, dh) - lse);
        float dS = p * (VectorLoops.dot(g, qOff, values, kOff, dh) - delta) * scale;
        VectorLoops.axpy(dS, keys, kOff, dqRow, 0, dh);
        if (dKeys != null) {
            VectorLoops.axpy(dS, q, qOff, dKeys, kOff, dh);
        }
        if (dValues != null) {
            VectorLoops.axpy(p, g, qOff, dValues, kOff, dh);
        }
    }
}
