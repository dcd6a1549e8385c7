package dev.peft4j.cpu;

import dev.peft4j.tensor.Tensor;
import java.util.Arrays;

/**
 * Multi-head attention with prefix keys/values, blocked like FlashAttention, one task per (batch, head) pair.
 * Layout: q, k, v {@code [B,T,H·dh]}, prefixes {@code [L,H·dh]}, element (b,t,h,i) at (b·T + t)·H·dh + h·dh + i.
 * A task gathers its head ({@link AttentionHead}): Q̂ = q/√dh {@code [T,dp]} and only the visible keys (prefix,
 * then unmasked sequence keys: n of them, padded to np) as rows and transposed; masked keys cost nothing.
 *
 * <p>Forward, per query block of {@link #QB} rows and key chunk of at most {@link #KC} keys (the np keys split
 * into equally wide chunks; at T = 128, L ≤ 128 there is one chunk, so the softmax is a plain two-pass one):
 * S = Q̂ Kᵀ (tile GEMM over dp), causally masked; online softmax per row (m ← max(m, rowmax S),
 * l ← l·e^(m_old−m) + Σ e^(S−m), O ← O·e^(m_old−m)); O += P V. Finally out = O/l, lse = m + ln l (a row with
 * no visible key: out = 0, lse = −∞). Only {@code [QB,KC]} score tiles exist, never [T, L+T] for long sequences.
 *
 * <p>Backward, per query block (outer) and key chunk (inner): P = e^(S − lse) recomputed (0 where masked or
 * lse = −∞), dP = dO Vᵀ, dV += Pᵀ dO, dS' = P ⊙ (dP − δ) with δ_i = dO_i·out_i; since S = Q̂Kᵀ with
 * Q̂ = q/√dh, dS = dS'/√dh gives dK += dS'ᵀ Q̂ and dQ += dS'K/√dh. Masked keys get dk = dv = 0. Prefix
 * gradients, which sum over the batch, go to a [B, L, H·dh] partial buffer per call and are summed over b after.
 */
final class AttentionKernels {
    /** Query rows per block. */
    static final int QB = 32;
    /** Most keys per chunk (and the leading dimension of the score tiles); a multiple of every vector length. */
    static final int KC = 256;
    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    private AttentionKernels() {}

    /** Per-thread scratch, grown on demand, reused across calls. */
    private static final class Scratch {
        final AttentionHead head = new AttentionHead();
        final float[] s = new float[QB * KC];
        final float[] ds = new float[QB * KC];
        final float[] m = new float[QB];
        final float[] l = new float[QB];
        float[] o = new float[0], dk = new float[0], dv = new float[0], lse = new float[0], delta = new float[0];

        static float[] grow(float[] a, int n) {
            return a.length >= n ? a : new float[n];
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Width of each key chunk: np keys split into ⌈np/KC⌉ equal chunks, rounded up to the vector length. */
    private static int chunkWidth(int np) {
        int chunks = Math.max(1, (np + KC - 1) / KC);
        return Math.min(KC, AttentionShape.roundUp((np + chunks - 1) / chunks));
    }

    static void forward(WorkerPool pool, Tensor q, Tensor k, Tensor v, Tensor prefixK, Tensor prefixV,
                        Tensor keyMask, boolean causal, int heads, Tensor out, Tensor lse) {
        AttentionShape sh = AttentionShape.of(q, prefixK, heads);
        float[] qv = q.data(), kv = k.data(), vv = v.data(), ov = out.data(), lv = lse.data();
        float[] pk = prefixK == null ? null : prefixK.data();
        float[] pv = prefixV == null ? null : prefixV.data();
        float[] mask = keyMask == null ? null : keyMask.data();
        pool.parallelFor(sh.batch() * heads, task -> {
            int b = task / heads;
            int h = task % heads;
            Scratch sc = SCRATCH.get();
            AttentionHead hd = sc.head;
            hd.ensure(sh, false);
            sc.o = Scratch.grow(sc.o, QB * sh.dp());
            AttentionHead.gatherQueries(sh, b, h, qv, sh.scale(), hd.q);
            hd.gatherKeys(sh, b, h, mask, pk, pv, kv, vv);
            hd.transpose(hd.kRows, hd.kCols, sh.dp());
            for (int i0 = 0; i0 < sh.t(); i0 += QB) {
                forwardQueryBlock(sh, b, h, i0, Math.min(QB, sh.t() - i0), causal, sc, ov, lv);
            }
        });
    }

    /** Keys query i sees: compacted keys c &lt; visibleKeys(i). */
    private static int visibleKeys(AttentionHead hd, boolean causal, int i) {
        return causal ? hd.visible[i] : hd.n;
    }

    private static void forwardQueryBlock(AttentionShape sh, int b, int h, int i0, int rows, boolean causal,
                                          Scratch sc, float[] ov, float[] lv) {
        AttentionHead hd = sc.head;
        int dp = sh.dp(), np = hd.np, kc = chunkWidth(np);
        int keyEnd = visibleKeys(hd, causal, i0 + rows - 1);
        float[] s = sc.s, m = sc.m, l = sc.l, o = sc.o;
        Arrays.fill(m, 0, rows, NEG_INF);
        Arrays.fill(l, 0, rows, 0f);
        Arrays.fill(o, 0, rows * dp, 0f);
        for (int j0 = 0; j0 < keyEnd; j0 += kc) {
            int cols = Math.min(Math.min(kc, np - j0), AttentionShape.roundUp(keyEnd - j0));
            TileGemm.mul(rows, cols, dp, hd.q, i0 * dp, dp, 1, hd.kCols, j0, np, s, 0, KC, false);
            for (int r = 0; r < rows; r++) {
                int limit = visibleKeys(hd, causal, i0 + r) - j0;
                float rowMax = AttentionRows.maskAndMax(s, r * KC, cols, limit);
                float mNew = Math.max(m[r], rowMax);
                if (mNew == NEG_INF) {
                    Arrays.fill(s, r * KC, r * KC + cols, 0f);
                    continue;
                }
                if (mNew > m[r] && l[r] != 0f) {
                    float corr = (float) Math.exp(m[r] - mNew);
                    l[r] *= corr;
                    VectorLoops.scale(o, r * dp, corr, dp);
                }
                m[r] = mNew;
                l[r] += AttentionRows.expShifted(s, r * KC, cols, mNew);
            }
            TileGemm.mul(rows, dp, cols, s, 0, KC, 1, hd.vRows, j0 * dp, dp, o, 0, dp, true);
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
        AttentionShape sh = AttentionShape.of(q, prefixK, heads);
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
            AttentionHead hd = sc.head;
            int dp = sh.dp(), t = sh.t(), dh = sh.dh();
            hd.ensure(sh, true);
            sc.o = Scratch.grow(sc.o, QB * dp);
            sc.dk = Scratch.grow(sc.dk, sh.nkp() * dp);
            sc.dv = Scratch.grow(sc.dv, sh.nkp() * dp);
            sc.lse = Scratch.grow(sc.lse, t);
            sc.delta = Scratch.grow(sc.delta, t);
            AttentionHead.gatherQueries(sh, b, h, qv, sh.scale(), hd.q);
            AttentionHead.gatherQueries(sh, b, h, gv, 1f, hd.g);
            hd.gatherKeys(sh, b, h, mask, pk, pv, kv, vv);
            hd.transpose(hd.kRows, hd.kCols, dp);
            hd.transpose(hd.vRows, hd.vCols, dp);
            for (int i = 0; i < t; i++) {
                int off = (b * t + i) * dModel + h * dh;
                sc.lse[i] = lv[(b * heads + h) * t + i];
                sc.delta[i] = VectorLoops.dot(gv, off, ov, off, dh);
            }
            Arrays.fill(sc.dk, 0, hd.np * dp, 0f);
            Arrays.fill(sc.dv, 0, hd.np * dp, 0f);
            for (int i0 = 0; i0 < t; i0 += QB) {
                backwardQueryBlock(sh, i0, Math.min(QB, t - i0), causal, sc);
                if (outs.dq() != null) {
                    for (int r = 0; r < Math.min(QB, t - i0); r++) {
                        int off = (b * t + i0 + r) * dModel + h * dh;
                        VectorLoops.scaleCopy(sc.o, r * dp, sh.scale(), outs.dq(), off, dh);
                    }
                }
            }
            scatterKeys(sh, b, h, sc, outs);
        });
        reducePrefix(pool, sh, partialK, dPrefixK);
        reducePrefix(pool, sh, partialV, dPrefixV);
    }

    /** Destinations of the backward (each nullable); the prefix ones are [B, L, H·dh] partials. */
    private record Outputs(float[] dq, float[] dk, float[] dv, float[] partialK, float[] partialV) {}

    /** One query block against every key chunk; leaves dS'·K (dq·√dh) of the block in sc.o. */
    private static void backwardQueryBlock(AttentionShape sh, int i0, int rows, boolean causal, Scratch sc) {
        AttentionHead hd = sc.head;
        int dp = sh.dp(), np = hd.np, kc = chunkWidth(np);
        int keyEnd = visibleKeys(hd, causal, i0 + rows - 1);
        float[] p = sc.s, ds = sc.ds;
        Arrays.fill(sc.o, 0, rows * dp, 0f);
        for (int j0 = 0; j0 < keyEnd; j0 += kc) {
            int cols = Math.min(Math.min(kc, np - j0), AttentionShape.roundUp(keyEnd - j0));
            TileGemm.mul(rows, cols, dp, hd.q, i0 * dp, dp, 1, hd.kCols, j0, np, p, 0, KC, false);
            TileGemm.mul(rows, cols, dp, hd.g, i0 * dp, dp, 1, hd.vCols, j0, np, ds, 0, KC, false);
            for (int r = 0; r < rows; r++) {
                int i = i0 + r;
                float lseI = sc.lse[i];
                if (lseI == NEG_INF) {
                    Arrays.fill(p, r * KC, r * KC + cols, 0f);
                    Arrays.fill(ds, r * KC, r * KC + cols, 0f);
                    continue;
                }
                int limit = visibleKeys(hd, causal, i) - j0;
                AttentionRows.probabilityAndGrad(p, r * KC, ds, r * KC, cols, limit, lseI, sc.delta[i]);
            }
            TileGemm.mul(cols, dp, rows, p, 0, 1, KC, hd.g, i0 * dp, dp, sc.dv, j0 * dp, dp, true);
            TileGemm.mul(cols, dp, rows, ds, 0, 1, KC, hd.q, i0 * dp, dp, sc.dk, j0 * dp, dp, true);
            TileGemm.mul(rows, dp, cols, ds, 0, KC, 1, hd.kRows, j0 * dp, dp, sc.o, 0, dp, true);
        }
    }

    /** Writes dk, dv of the sequence keys (0 for masked ones) and the prefix partials of (b, h). */
    private static void scatterKeys(AttentionShape sh, int b, int h, Scratch sc, Outputs outs) {
        AttentionHead hd = sc.head;
        int dp = sh.dp(), dh = sh.dh(), dModel = sh.dModel(), t = sh.t(), prefixLen = sh.prefixLen();
        if (outs.dk() != null || outs.dv() != null) {
            int c = prefixLen;
            for (int i = 0; i < t; i++) {
                int off = (b * t + i) * dModel + h * dh;
                boolean visible = c < hd.n && hd.keyPos[c] == i;
                writeRow(visible, sc.dk, c * dp, outs.dk(), off, dh);
                writeRow(visible, sc.dv, c * dp, outs.dv(), off, dh);
                if (visible) {
                    c++;
                }
            }
        }
        for (int l = 0; l < prefixLen; l++) {
            int off = (b * prefixLen + l) * dModel + h * dh;
            writeRow(true, sc.dk, l * dp, outs.partialK(), off, dh);
            writeRow(true, sc.dv, l * dp, outs.partialV(), off, dh);
        }
    }

    /** dst[off..off+dh) = src row if visible, else zeros; nothing when dst is null. */
    private static void writeRow(boolean visible, float[] src, int from, float[] dst, int off, int dh) {
        if (dst == null) {
            return;
        }
        if (visible) {
            System.arraycopy(src, from, dst, off, dh);
        } else {
            Arrays.fill(dst, off, off + dh, 0f);
        }
    }

    /** d[l, c] = Σ_b partial[b, l, c]. */
    private static void reducePrefix(WorkerPool pool, AttentionShape sh, float[] partial, Tensor d) {
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
}
