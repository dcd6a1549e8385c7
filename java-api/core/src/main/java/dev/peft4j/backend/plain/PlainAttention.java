package dev.peft4j.backend.plain;

import dev.peft4j.tensor.Tensor;
import java.util.Arrays;

/**
 * Multi-head attention over [P_k; K] and [P_v; V] in float32 on the plain backend's threads, one head per task
 * (so each task owns its head's columns of out, dq, dk, dv and of the prefix gradients, which sum over the batch).
 * The same equations as the reference backend's (dev.peft4j.backend.reference.ReferenceAttention), with one score
 * row per query held in a float buffer instead of recomputed per key.
 *
 * <p>Layouts: q, k, v, out, dq, dk, dv [B,T,D], head h in columns [h·dh, (h+1)·dh); prefixK, prefixV and their
 * gradients [L,D]; keyMask [B,T]; lse [B,H,T]. Key j runs over the L prefix positions (always visible), then the T
 * sequence positions; sequence key τ is visible to query t when keyMask[b,τ] ≠ 0 and, if causal, τ ≤ t.
 *
 * <p>Forward: s_j = (q_t·key_j)/√dh over visible keys, lse = log Σ_j e^(s_j), out_t = Σ_j e^(s_j − lse)·value_j
 * (no visible key: out_t = 0, lse = −∞). Backward: p_j = e^(s_j − lse), δ = dOut_t·out_t,
 * ds_j = p_j·(dOut_t·value_j − δ)/√dh; dq_t = Σ_j ds_j·key_j, dkey_j += ds_j·q_t, dvalue_j += p_j·dOut_t.
 */
final class PlainAttention {
    private final int batch, seq, width, heads, headDim, prefixLen;
    private final float scale;
    private final float[] q, k, v, pk, pv, mask;
    private final boolean causal;

    PlainAttention(Tensor q, Tensor k, Tensor v, Tensor prefixK, Tensor prefixV, Tensor keyMask, boolean causal,
                   int heads) {
        this.batch = q.dim(0);
        this.seq = q.dim(1);
        this.width = q.dim(2);
        this.heads = heads;
        this.headDim = width / heads;
        this.prefixLen = prefixK == null ? 0 : prefixK.dim(0);
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.q = q.data();
        this.k = k.data();
        this.v = v.data();
        this.pk = prefixK == null ? null : prefixK.data();
        this.pv = prefixV == null ? null : prefixV.data();
        this.mask = keyMask == null ? null : keyMask.data();
        this.causal = causal;
    }

    /** out and lse, every head a task of the pool. */
    void forward(RowPool pool, float[] out, float[] lse) {
        int keys = prefixLen + seq;
        pool.forRows(heads, (long) batch * seq * keys * headDim * 2, (h0, h1) -> {
            float[] s = new float[keys];
            for (int h = h0; h < h1; h++) {
                for (int b = 0; b < batch; b++) {
                    for (int t = 0; t < seq; t++) {
                        int qo = row(b, t) + h * headDim;
                        float logSum = probabilities(b, t, h, s);
                        lse[(b * heads + h) * seq + t] = logSum;
                        Arrays.fill(out, qo, qo + headDim, 0f);
                        if (logSum == Float.NEGATIVE_INFINITY) {
                            continue;
                        }
                        for (int j = 0; j < keys; j++) {
                            float p = s[j];
                            if (p != 0f) {
                                axpy(p, values(j), keyOffset(b, h, j), out, qo, headDim);
                            }
                        }
                    }
                }
            }
        });
    }

    /** Gradients (each nullable), overwritten; every head a task. */
    void backward(RowPool pool, float[] dOut, float[] out, float[] lse, float[] dq, float[] dk, float[] dv,
                  float[] dpk, float[] dpv) {
        int keys = prefixLen + seq;
        pool.forRows(heads, (long) batch * seq * keys * headDim * 4, (h0, h1) -> {
            float[] s = new float[keys];
            // a task's gradients of the keys and values accumulate in float arrays it owns (its head's columns)
            float[] gq = new float[headDim];
            for (int h = h0; h < h1; h++) {
                zeroColumns(dk, batch * seq, h);
                zeroColumns(dv, batch * seq, h);
                zeroColumns(dpk, prefixLen, h);
                zeroColumns(dpv, prefixLen, h);
                for (int b = 0; b < batch; b++) {
                    for (int t = 0; t < seq; t++) {
                        int qo = row(b, t) + h * headDim;
                        Arrays.fill(gq, 0f);
                        float logSum = lse[(b * heads + h) * seq + t];
                        if (logSum != Float.NEGATIVE_INFINITY) {
                            probabilities(b, t, h, s);
                            float delta = dot(dOut, qo, out, qo, headDim);
                            for (int j = 0; j < keys; j++) {
                                float p = s[j];
                                if (p == 0f) {
                                    continue;
                                }
                                boolean prefix = j < prefixLen;
                                int ko = keyOffset(b, h, j);
                                float ds = p * (dot(dOut, qo, values(j), ko, headDim) - delta) * scale;
                                axpy(ds, keys(j), ko, gq, 0, headDim);
                                float[] gKey = prefix ? dpk : dk;
                                float[] gValue = prefix ? dpv : dv;
                                if (gKey != null) {
                                    axpy(ds, q, qo, gKey, ko, headDim);
                                }
                                if (gValue != null) {
                                    axpy(p, dOut, qo, gValue, ko, headDim);
                                }
                            }
                        }
                        if (dq != null) {
                            System.arraycopy(gq, 0, dq, qo, headDim);
                        }
                    }
                }
            }
        });
    }

    /** s[j] = p_j = e^(s_j − lse) for query t of head h (0 where hidden); returns lse (−∞: nothing visible). */
    private float probabilities(int b, int t, int h, float[] s) {
        int keys = prefixLen + seq;
        int qo = row(b, t) + h * headDim;
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < keys; j++) {
            s[j] = visible(b, t, j) ? dot(q, qo, keys(j), keyOffset(b, h, j), headDim) * scale : Float.NEGATIVE_INFINITY;
            max = Math.max(max, s[j]);
        }
        if (max == Float.NEGATIVE_INFINITY) {
            Arrays.fill(s, 0f);
            return Float.NEGATIVE_INFINITY;
        }
        float sum = 0f;
        for (int j = 0; j < keys; j++) {
            float e = s[j] == Float.NEGATIVE_INFINITY ? 0f : (float) Math.exp(s[j] - max);
            s[j] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int j = 0; j < keys; j++) {
            s[j] *= inv;
        }
        return max + (float) Math.log(sum);
    }

    private boolean visible(int b, int t, int j) {
        if (j < prefixLen) {
            return true;
        }
        int tau = j - prefixLen;
        return (mask == null || mask[b * seq + tau] != 0f) && (!causal || tau <= t);
    }

    private float[] keys(int j) {
        return j < prefixLen ? pk : k;
    }

    private float[] values(int j) {
        return j < prefixLen ? pv : v;
    }

    /** Offset of key/value j's head-h slice: in the prefix tables, or in row (b, j − L) of k and v. */
    private int keyOffset(int b, int h, int j) {
        return (j < prefixLen ? j * width : row(b, j - prefixLen)) + h * headDim;
    }

    private int row(int b, int t) {
        return (b * seq + t) * width;
    }

    /** Head h's columns of a [rows, D] gradient set to 0 (null: nothing). */
    private void zeroColumns(float[] g, int rows, int h) {
        if (g != null) {
            for (int r = 0; r < rows; r++) {
                Arrays.fill(g, r * width + h * headDim, r * width + (h + 1) * headDim, 0f);
            }
        }
    }

    private static float dot(float[] a, int ao, float[] b, int bo, int n) {
        float s = 0f;
        for (int i = 0; i < n; i++) {
            s += a[ao + i] * b[bo + i];
        }
        return s;
    }

    private static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            y[yo + i] += alpha * x[xo + i];
        }
    }
}
