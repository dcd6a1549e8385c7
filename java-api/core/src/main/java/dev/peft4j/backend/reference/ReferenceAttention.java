package dev.peft4j.backend.reference;

import dev.peft4j.tensor.Tensor;

/**
 * Multi-head attention over [P_k; K] and [P_v; V], materialising every score (clarity over speed).
 *
 * <p>Layouts: q, k, v, out [B,T,D] with D = H·dh and head h in columns [h·dh, (h+1)·dh); prefixK, prefixV
 * [L,D] shared by the batch; keyMask [B,T]; lse [B,H,T]. Key index j runs over the L prefix positions
 * (always visible) and then the T sequence positions; sequence key τ is visible to query t when
 * keyMask[b,τ] ≠ 0 and, if causal, τ ≤ t.
 */
final class ReferenceAttention {
    private final int batch;
    private final int seq;
    private final int width;
    private final int heads;
    private final int headDim;
    private final int prefixLen;
    private final double scale;
    private final float[] q;
    private final float[] k;
    private final float[] v;
    private final float[] pk;
    private final float[] pv;
    private final float[] mask;
    private final boolean causal;

    private ReferenceAttention(Tensor q, Tensor k, Tensor v, Tensor prefixK, Tensor prefixV, Tensor keyMask,
                               boolean causal, int heads) {
        this.batch = q.dim(0);
        this.seq = q.dim(1);
        this.width = q.dim(2);
        this.heads = heads;
        this.headDim = width / heads;
        this.prefixLen = prefixK == null ? 0 : prefixK.dim(0);
        this.scale = 1.0 / Math.sqrt(headDim);
        this.q = q.data();
        this.k = k.data();
        this.v = v.data();
        this.pk = prefixK == null ? null : prefixK.data();
        this.pv = prefixV == null ? null : prefixV.data();
        this.mask = keyMask == null ? null : keyMask.data();
        this.causal = causal;
    }

    /**
     * s_j = (q_t · key_j)/√dh over the visible keys, lse = log Σ_j e^(s_j), out_t = Σ_j e^(s_j − lse)·value_j.
     * No visible key: out_t = 0, lse = −∞.
     */
    static void forward(Tensor q, Tensor k, Tensor v, Tensor prefixK, Tensor prefixV, Tensor keyMask,
                        boolean causal, int heads, Tensor out, Tensor lse) {
        new ReferenceAttention(q, k, v, prefixK, prefixV, keyMask, causal, heads).forward(out.data(), lse.data());
    }

    /**
     * Derivation: with p_j = e^(s_j − lse) and out = Σ_j p_j·value_j, dp_j = dOut·value_j and
     * ds_j = p_j·(dp_j − Σ_i p_i dp_i) = p_j·(dp_j − δ), δ = dOut·out (softmax backward).
     * Since s_j = (q·key_j)/√dh: dq = Σ_j ds_j·key_j/√dh, dkey_j = ds_j·q/√dh; dvalue_j = p_j·dOut.
     * Prefix gradients sum over the batch. Queries with lse = −∞ (nothing visible) contribute nothing.
     */
    static void backward(Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor prefixK, Tensor prefixV, Tensor keyMask,
                         boolean causal, int heads, Tensor out, Tensor lse,
                         Tensor dq, Tensor dk, Tensor dv, Tensor dPrefixK, Tensor dPrefixV) {
        ReferenceAttention att = new ReferenceAttention(q, k, v, prefixK, prefixV, keyMask, causal, heads);
        int n = att.batch * att.seq * att.width;
        int np = att.prefixLen * att.width;
        double[] gq = new double[n];
        double[] gk = new double[n];
        double[] gv = new double[n];
        double[] gpk = new double[np];
        double[] gpv = new double[np];
        att.backward(dOut.data(), out.data(), lse.data(), gq, gk, gv, gpk, gpv);
        store(gq, dq);
        store(gk, dk);
        store(gv, dv);
        store(gpk, dPrefixK);
        store(gpv, dPrefixV);
    }

    private void forward(float[] out, float[] lse) {
        int keys = prefixLen + seq;
        double[] s = new double[keys];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                for (int t = 0; t < seq; t++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < keys; j++) {
                        s[j] = visible(b, t, j) ? score(b, t, h, j) : Double.NEGATIVE_INFINITY;
                        max = Math.max(max, s[j]);
                    }
                    int qo = rowOffset(b, t) + h * headDim;
                    if (max == Double.NEGATIVE_INFINITY) {
                        for (int e = 0; e < headDim; e++) {
                            out[qo + e] = 0f;
                        }
                        lse[(b * heads + h) * seq + t] = Float.NEGATIVE_INFINITY;
                        continue;
                    }
                    double sum = 0;
                    for (int j = 0; j < keys; j++) {
                        if (s[j] != Double.NEGATIVE_INFINITY) {
                            sum += Math.exp(s[j] - max);
                        }
                    }
                    double logSum = max + Math.log(sum);
                    for (int e = 0; e < headDim; e++) {
                        double acc = 0;
                        for (int j = 0; j < keys; j++) {
                            if (s[j] != Double.NEGATIVE_INFINITY) {
                                acc += Math.exp(s[j] - logSum) * value(b, h, j, e);
                            }
                        }
                        out[qo + e] = (float) acc;
                    }
                    lse[(b * heads + h) * seq + t] = (float) logSum;
                }
            }
        }
    }

    private void backward(float[] dOut, float[] out, float[] lse, double[] gq, double[] gk, double[] gv,
                          double[] gpk, double[] gpv) {
        int keys = prefixLen + seq;
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                for (int t = 0; t < seq; t++) {
                    double logSum = lse[(b * heads + h) * seq + t];
                    if (logSum == Double.NEGATIVE_INFINITY) {
                        continue;
                    }
                    int qo = rowOffset(b, t) + h * headDim;
                    double delta = 0;
                    for (int e = 0; e < headDim; e++) {
                        delta += (double) dOut[qo + e] * out[qo + e];
                    }
                    for (int j = 0; j < keys; j++) {
                        if (!visible(b, t, j)) {
                            continue;
                        }
                        double p = Math.exp(score(b, t, h, j) - logSum);
                        double dp = 0;
                        for (int e = 0; e < headDim; e++) {
                            dp += dOut[qo + e] * value(b, h, j, e);
                        }
                        double ds = p * (dp - delta) * scale;
                        boolean prefix = j < prefixLen;
                        int ko = prefix ? j * width + h * headDim : rowOffset(b, j - prefixLen) + h * headDim;
                        double[] gKey = prefix ? gpk : gk;
                        double[] gValue = prefix ? gpv : gv;
                        for (int e = 0; e < headDim; e++) {
                            gq[qo + e] += ds * key(b, h, j, e);
                            gKey[ko + e] += ds * q[qo + e];
                            gValue[ko + e] += p * dOut[qo + e];
                        }
                    }
                }
            }
        }
    }

    private boolean visible(int b, int t, int j) {
        if (j < prefixLen) {
            return true;
        }
        int tau = j - prefixLen;
        boolean unmasked = mask == null || mask[b * seq + tau] != 0f;
        return unmasked && (!causal || tau <= t);
    }

    /** (q_t · key_j)/√dh for head h. */
    private double score(int b, int t, int h, int j) {
        int qo = rowOffset(b, t) + h * headDim;
        double dot = 0;
        for (int e = 0; e < headDim; e++) {
            dot += q[qo + e] * key(b, h, j, e);
        }
        return dot * scale;
    }

    private double key(int b, int h, int j, int e) {
        return j < prefixLen ? pk[j * width + h * headDim + e] : k[rowOffset(b, j - prefixLen) + h * headDim + e];
    }

    private double value(int b, int h, int j, int e) {
        return j < prefixLen ? pv[j * width + h * headDim + e] : v[rowOffset(b, j - prefixLen) + h * headDim + e];
    }

    private int rowOffset(int b, int t) {
        return (b * seq + t) * width;
    }

    private static void store(double[] src, Tensor dst) {
        if (dst != null) {
            float[] d = dst.data();
            for (int i = 0; i < src.length; i++) {
                d[i] = (float) src[i];
            }
        }
    }
}
