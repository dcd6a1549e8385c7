package dev.peft4j.cpu;

import dev.peft4j.tensor.Tensor;
import java.util.Arrays;

/**
 * Multi-head attention with prefix keys/values, blocked like FlashAttention, one task per (batch, head) pair.
 * Layout: q, k, v {@code [B,T,H·dh]}, prefixes {@code [L,H·dh]}, element (b,t,h,i) at (b·T + t)·H·dh + h·dh + i.
 * A task gathers its head into per-thread scratch (dh zero-padded to a multiple of the vector length dp, the
 * L + T keys — prefix first — padded to nkp): Q̂ = q/√dh {@code [T,dp]}, Kᵀ {@code [dp,nkp]}, V {@code [nkp,dp]}
 * and a key bias (0 visible, −∞ padding/masked). Causal: key j is visible to query i iff j &lt; L or j − L ≤ i.
 *
 * <p>Forward, per query block of {@link #QB} rows and key block of at most {@link #KB} keys (the nkp keys split
 * into equally wide blocks, so L = 30 prefix keys do not add a third, narrow block at T = 128): S = Q̂ Kᵀ (tile GEMM over dp),
 * masked; online softmax per row (m ← max(m, rowmax S), l ← l·e^(m_old−m) + Σ e^(S−m), O ← O·e^(m_old−m));
 * O += P V. Finally out = O/l, lse = m + ln l (a row with no visible key: out = 0, lse = −∞). Only
 * {@code [QB,KB]} score tiles exist, never [T, L+T].
 *
 * <p>Backward, per key block (outer) and query block (inner): P = e^(S − lse) recomputed (0 where masked or
 * lse = −∞), dP = dO Vᵀ, dV += Pᵀ dO, dS' = P ⊙ (dP − δ) with δ_i = dO_i·out_i; since S = Q̂Kᵀ with
 * Q̂ = q/√dh, dS = dS'/√dh gives dK += dS'ᵀ Q̂ and dQ += dS'K/√dh. Prefix gradients, which sum over the batch,
 * go to a [B, L, H·dh] partial buffer per call and are summed over b afterwards.
 */
final class AttentionKernels {
    static final int QB = 32;
    /** Largest key block (and the leading dimension of the score tiles); keys are split into equal blocks. */
    static final int KB = 96;
    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    private AttentionKernels() {}

    /** Per-thread scratch, grown on demand, reused across calls. */
    private static final class Scratch {
        float[] q = new float[0], g = new float[0], kRows = new float[0], kCols = new float[0];
        float[] vRows = new float[0], vCols = new float[0], bias = new float[0];
        float[] dq = new float[0], dk = new float[0], dv = new float[0], lse = new float[0], delta = new float[0];
        final float[] s = new float[QB * KB];
        final float[] ds = new float[QB * KB];
        final float[] m = new float[QB];
        final float[] l = new float[QB];
        float[] o = new float[0];

        static float[] grow(float[] a, int n) {
            return a.length >= n ? a : new float[n];
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** The geometry of one call. */
    private record Shape(int batch, int t, int dModel, int heads, int dh, int dp, int prefixLen, int nk, int nkp,
                         int kb, float scale) {
        static Shape of(Tensor q, Tensor prefixK, int heads) {
            int dModel = q.dim(2);
            int dh = dModel / heads;
            int prefixLen = prefixK == null ? 0 : prefixK.dim(0);
            int nk = prefixLen + q.dim(1);
            int nkp = roundUp(nk);
            int blocks = (nkp + KB - 1) / KB;
            int kb = Math.min(KB, roundUp((nkp + blocks - 1) / blocks));
            return new Shape(q.dim(0), q.dim(1), dModel, heads, dh, roundUp(dh), prefixLen, nk, nkp, kb,
                    (float) (1.0 / Math.sqrt(dh)));
        }
    }

    private static int roundUp(int n) {
        return (n + Simd.L - 1) / Simd.L * Simd.L;
    }

    static void forward(WorkerPool pool, Tensor q, Tensor k, Tensor v, Tensor prefixK, Tensor prefixV,
                        Tensor keyMask, boolean causal, int heads, Tensor out, Tensor lse) {
        Shape sh = Shape.of(q, prefixK, heads);
        float[] qv = q.data(), kv = k.data(), vv = v.data(), ov = out.data(), lv = lse.data();
        float[] pk = prefixK == null ? null : prefixK.data();
        float[] pv = prefixV == null ? null : prefixV.data();
        float[] mask = keyMask == null ? null : keyMask.data();
        pool.parallelFor(sh.batch() * heads, task -> {
            int b = task / heads;
            int h = task % heads;
            Scratch sc = SCRATCH.get();
            int dp = sh.dp(), nkp = sh.nkp(), t = sh.t();
            sc.q = Scratch.grow(sc.q, t * dp);
            sc.kCols = Scratch.grow(sc.kCols, dp * nkp);
            sc.vRows = Scratch.grow(sc.vRows, nkp * dp);
            sc.bias = Scratch.grow(sc.bias, nkp);
            sc.o = Scratch.grow(sc.o, QB * dp);
            gatherHead(sh, b, h, qv, sh.scale(), sc.q);
            gatherKeys(sh, b, h, pk, kv, null, sc.kCols);
            gatherKeys(sh, b, h, pv, vv, sc.vRows, null);
            keyBias(sh, b, mask, sc.bias);
            for (int i0 = 0; i0 < t; i0 += QB) {
                forwardQueryBlock(sh, b, h, i0, Math.min(QB, t - i0), causal, sc, ov, lv);
            }
        });
    }

    private static void forwardQueryBlock(Shape sh, int b, int h, int i0, int rows, boolean causal, Scratch sc,
                                          float[] ov, float[] lv) {
        int dp = sh.dp(), nkp = sh.nkp(), prefixLen = sh.prefixLen();
        int keyEnd = causal ? prefixLen + i0 + rows : sh.nk();
        float[] s = sc.s, m = sc.m, l = sc.l, o = sc.o;
        Arrays.fill(m, 0, rows, NEG_INF);
        Arrays.fill(l, 0, rows, 0f);
        Arrays.fill(o, 0, rows * dp, 0f);
        for (int j0 = 0; j0 < keyEnd; j0 += sh.kb()) {
            int cols = Math.min(sh.kb(), nkp - j0);
            if (causal) {
                cols = Math.min(cols, roundUp(keyEnd - j0));
            }
            TileGemm.mul(rows, cols, dp, sc.q, i0 * dp, dp, 1, sc.kCols, j0, nkp, s, 0, KB, false);
            for (int r = 0; r < rows; r++) {
                int limit = causal ? prefixLen + i0 + r + 1 - j0 : cols;
                float rowMax = AttentionRows.maskAndMax(s, r * KB, cols, sc.bias, j0, limit);
                float mNew = Math.max(m[r], rowMax);
                if (mNew == NEG_INF) {
                    Arrays.fill(s, r * KB, r * KB + cols, 0f);
                    continue;
                }
                if (mNew > m[r] && l[r] != 0f) {
                    float corr = (float) Math.exp(m[r] - mNew);
                    l[r] *= corr;
                    VectorLoops.scale(o, r * dp, corr, dp);
                }
                m[r] = mNew;
                l[r] += AttentionRows.expShifted(s, r * KB, cols, mNew);
            }
            TileGemm.mul(rows, dp, cols, s, 0, KB, 1, sc.vRows, j0 * dp, dp, o, 0, dp, true);
        }
        int dModel = sh.dModel(), dh = sh.dh();
        for (int r = 0; r < rows; r++) {
            int i = i0 + r;
            int outOff = (b * sh.t() + i) * dModel + h * dh;
            int lIdx = (b * sh.heads() + h) * sh.t() + i;
            if (l[r] == 0f) {
                Arrays.fill(ov, outOff, outOff + dh, 0f);
                lv[lIdx] = NEG_INF;
            } else {
                VectorLoops.scaleCopy(o, r * dp, 1f / l[r], ov, outOff, dh);
                lv[lIdx] = m[r] + (float) Math.log(l[r]);
            }
        }
    }

    static void backward(WorkerPool pool, Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor prefixK, Tensor prefixV,
                         Tensor keyMask, boolean causal, int heads, Tensor out, Tensor lse,
                         Tensor dq, Tensor dk, Tensor dv, Tensor dPrefixK, Tensor dPrefixV) {
        Shape sh = Shape.of(q, prefixK, heads);
        int prefixLen = sh.prefixLen(), dModel = sh.dModel();
        float[] qv = q.data(), kv = k.data(), vv = v.data(), ov = out.data(), lv = lse.data(), gv = dOut.data();
        float[] pk = prefixK == null ? null : prefixK.data();
        float[] pv = prefixV == null ? null : prefixV.data();
        float[] mask = keyMask == null ? null : keyMask.data();
        float[] partialK = dPrefixK == null ? null : new float[sh.batch() * prefixLen * dModel];
        float[] partialV = dPrefixV == null ? null : new float[sh.batch() * prefixLen * dModel];
        Outputs outs = new Outputs(dq == null ? null : dq.data(), dk == null ? null : dk.data(),
                dv == null ? null : dv.data(), partialK, partialV);
        pool.parallelFor(sh.batch() * heads, task -> {
            int b = task / heads;
            int h = task % heads;
            Scratch sc = SCRATCH.get();
            int dp = sh.dp(), nkp = sh.nkp(), t = sh.t();
            sc.q = Scratch.grow(sc.q, t * dp);
            sc.g = Scratch.grow(sc.g, t * dp);
            sc.kRows = Scratch.grow(sc.kRows, nkp * dp);
            sc.kCols = Scratch.grow(sc.kCols, dp * nkp);
            sc.vCols = Scratch.grow(sc.vCols, dp * nkp);
            sc.bias = Scratch.grow(sc.bias, nkp);
            sc.dq = Scratch.grow(sc.dq, t * dp);
            sc.dk = Scratch.grow(sc.dk, nkp * dp);
            sc.dv = Scratch.grow(sc.dv, nkp * dp);
            sc.lse = Scratch.grow(sc.lse, t);
            sc.delta = Scratch.grow(sc.delta, t);
            gatherHead(sh, b, h, qv, sh.scale(), sc.q);
            gatherHead(sh, b, h, gv, 1f, sc.g);
            gatherKeys(sh, b, h, pk, kv, sc.kRows, sc.kCols);
            gatherKeys(sh, b, h, pv, vv, null, sc.vCols);
            keyBias(sh, b, mask, sc.bias);
            int dh = sh.dh();
            for (int i = 0; i < t; i++) {
                int off = (b * t + i) * dModel + h * dh;
                sc.lse[i] = lv[(b * heads + h) * t + i];
                sc.delta[i] = VectorLoops.dot(gv, off, ov, off, dh);
            }
            Arrays.fill(sc.dq, 0, t * dp, 0f);
            Arrays.fill(sc.dk, 0, nkp * dp, 0f);
            Arrays.fill(sc.dv, 0, nkp * dp, 0f);
            for (int j0 = 0; j0 < sh.nk(); j0 += sh.kb()) {
                int cols = Math.min(sh.kb(), nkp - j0);
                int firstQuery = causal ? Math.max(0, j0 - prefixLen) / QB * QB : 0;
                for (int i0 = firstQuery; i0 < t; i0 += QB) {
                    backwardTile(sh, i0, Math.min(QB, t - i0), j0, cols, causal, sc);
                }
            }
            scatter(sh, b, h, sc, outs);
        });
        reducePrefix(pool, sh, partialK, dPrefixK);
        reducePrefix(pool, sh, partialV, dPrefixV);
    }

    /** Destinations of the backward (each nullable); the prefix ones are [B, L, H·dh] partials. */
    private record Outputs(float[] dq, float[] dk, float[] dv, float[] partialK, float[] partialV) {}

    private static void backwardTile(Shape sh, int i0, int rows, int j0, int cols, boolean causal, Scratch sc) {
        int dp = sh.dp(), nkp = sh.nkp(), prefixLen = sh.prefixLen();
        float[] p = sc.s, ds = sc.ds;
        TileGemm.mul(rows, cols, dp, sc.q, i0 * dp, dp, 1, sc.kCols, j0, nkp, p, 0, KB, false);
        TileGemm.mul(rows, cols, dp, sc.g, i0 * dp, dp, 1, sc.vCols, j0, nkp, ds, 0, KB, false);
        for (int r = 0; r < rows; r++) {
            int i = i0 + r;
            float lseI = sc.lse[i];
            if (lseI == NEG_INF) {
                Arrays.fill(p, r * KB, r * KB + cols, 0f);
                Arrays.fill(ds, r * KB, r * KB + cols, 0f);
                continue;
            }
            int limit = causal ? prefixLen + i + 1 - j0 : cols;
            AttentionRows.maskAndMax(p, r * KB, cols, sc.bias, j0, limit);
            AttentionRows.expShifted(p, r * KB, cols, lseI);
            AttentionRows.softmaxGrad(p, r * KB, ds, r * KB, cols, sc.delta[i]);
        }
        TileGemm.mul(cols, dp, rows, p, 0, 1, KB, sc.g, i0 * dp, dp, sc.dv, j0 * dp, dp, true);
        TileGemm.mul(cols, dp, rows, ds, 0, 1, KB, sc.q, i0 * dp, dp, sc.dk, j0 * dp, dp, true);
        TileGemm.mul(rows, dp, cols, ds, 0, KB, 1, sc.kRows, j0 * dp, dp, sc.dq, i0 * dp, dp, true);
    }

    /** Writes the task's dq (scaled by 1/√dh), dk, dv rows and its prefix partials. */
    private static void scatter(Shape sh, int b, int h, Scratch sc, Outputs outs) {
        int dp = sh.dp(), dh = sh.dh(), dModel = sh.dModel(), t = sh.t(), prefixLen = sh.prefixLen();
        for (int i = 0; i < t; i++) {
            int off = (b * t + i) * dModel + h * dh;
            if (outs.dq() != null) {
                VectorLoops.scaleCopy(sc.dq, i * dp, sh.scale(), outs.dq(), off, dh);
            }
            if (outs.dk() != null) {
                System.arraycopy(sc.dk, (prefixLen + i) * dp, outs.dk(), off, dh);
            }
            if (outs.dv() != null) {
                System.arraycopy(sc.dv, (prefixLen + i) * dp, outs.dv(), off, dh);
            }
        }
        for (int l = 0; l < prefixLen; l++) {
            int off = (b * prefixLen + l) * dModel + h * dh;
            if (outs.partialK() != null) {
                System.arraycopy(sc.dk, l * dp, outs.partialK(), off, dh);
            }
            if (outs.partialV() != null) {
                System.arraycopy(sc.dv, l * dp, outs.partialV(), off, dh);
            }
        }
    }

    /** d[l, c] = Σ_b partial[b, l, c]. */
    private static void reducePrefix(WorkerPool pool, Shape sh, float[] partial, Tensor d) {
        if (partial == null) {
            return;
        }
        float[] dv = d.data();
        int n = sh.prefixLen() * sh.dModel();
        pool.parallelRange(n, 4096, (from, to) -> {
            System.arraycopy(partial, from, dv, from, to - from);
            for (int b = 1; b < sh.batch(); b++) {
                VectorLoops.axpy(1f, partial, b * n + from, dv, from, to - from);
            }
        });
    }

    /** dst[i·dp + c] = s·x[b, i, h·dh + c] for c &lt; dh, 0 for dh ≤ c &lt; dp. */
    private static void gatherHead(Shape sh, int b, int h, float[] x, float s, float[] dst) {
        int dp = sh.dp(), dh = sh.dh();
        for (int i = 0; i < sh.t(); i++) {
            VectorLoops.scaleCopy(x, (b * sh.t() + i) * sh.dModel() + h * sh.dh(), s, dst, i * dp, dh);
            Arrays.fill(dst, i * dp + dh, i * dp + dp, 0f);
        }
    }

    /**
     * The head's keys (prefix rows, then sequence rows of batch b), padded to nkp keys and dp columns with zeros,
     * as rows {@code [nkp,dp]} and/or columns {@code [dp,nkp]} (each nullable).
     */
    private static void gatherKeys(Shape sh, int b, int h, float[] prefix, float[] seq, float[] rows, float[] colsT) {
        int dp = sh.dp(), dh = sh.dh(), nkp = sh.nkp(), dModel = sh.dModel(), prefixLen = sh.prefixLen();
        if (colsT != null) {
            Arrays.fill(colsT, dh * nkp, dp * nkp, 0f);
        }
        for (int j = 0; j < nkp; j++) {
            int src;
            float[] data;
            if (j < prefixLen) {
                data = prefix;
                src = j * dModel + h * dh;
            } else if (j < sh.nk()) {
                data = seq;
                src = (b * sh.t() + j - prefixLen) * dModel + h * dh;
            } else {
                data = null;
                src = 0;
            }
            if (rows != null) {
                if (data == null) {
                    Arrays.fill(rows, j * dp, j * dp + dp, 0f);
                } else {
                    System.arraycopy(data, src, rows, j * dp, dh);
                    Arrays.fill(rows, j * dp + dh, j * dp + dp, 0f);
                }
            }
            if (colsT != null) {
                for (int c = 0; c < dh; c++) {
                    colsT[c * nkp + j] = data == null ? 0f : data[src + c];
                }
            }
        }
    }

    /** bias[j] = 0 for a visible key, −∞ for a masked sequence key or a padding column j ≥ L + T. */
    private static void keyBias(Shape sh, int b, float[] mask, float[] bias) {
        int prefixLen = sh.prefixLen();
        for (int j = 0; j < sh.nkp(); j++) {
            boolean visible = j < prefixLen
                    || (j < sh.nk() && (mask == null || mask[b * sh.t() + j - prefixLen] != 0f));
            bias[j] = visible ? 0f : NEG_INF;
        }
    }
}
