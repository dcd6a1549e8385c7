package dev.peft4j.cpu;

import dev.peft4j.tensor.Tensor;
import java.util.Arrays;

/**
 * Multi-head attention with prefix keys/values, blocked like FlashAttention, one task per (batch, group of heads).
 * Layout: q, k, v {@code [B,T,H·dh]}, prefixes {@code [L,H·dh]}, element (b,t,h,i) at (b·T + t)·H·dh + h·dh + i.
 * A task gathers a group of heads of one batch row ({@link AttentionGroup}): Q̂ = q/√dh {@code [T,dp]} and only
 * the visible keys (prefix, then unmasked sequence keys: n of them, padded to np) as rows and transposed; masked
 * keys cost nothing.
 *
 * <p>Forward, per query block of {@link #QB} rows and key chunk of at most {@link #KC} keys (the np keys split
 * into equally wide chunks; at T = 128, L ≤ 128 there is one chunk, so the softmax is a plain two-pass one):
 * S = Q̂ Kᵀ (register-tiled, {@link AttentionTiles}), causally masked; online softmax per row (m ← max(m, rowmax S),
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
    /** Most heads gathered by one task (see {@link AttentionGroup}). */
    static final int MAX_GROUP = 4;
    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    private AttentionKernels() {}

    /** Scratch of one task, grown on demand, reused across calls. */
    private static final class Scratch {
        final AttentionGroup group = new AttentionGroup();
        final float[] s = new float[QB * KC];
        final float[] ds = new float[QB * KC];
        final float[] m = new float[QB];
        final float[] l = new float[QB];
        float[] o = new float[0];
    }

    /** One set per worker, and a bounded few for calling threads ({@link WorkerPool#acquire}). */
    static final ScratchKind<Scratch> SCRATCH = new ScratchKind<>("attention tiles", Scratch::new);

    /** Width of each key chunk: np keys split into ⌈np/KC⌉ equal chunks, rounded up to the vector length. */
    private static int chunkWidth(int np) {
        int chunks = Math.max(1, (np + KC - 1) / KC);
        return Math.min(KC, AttentionShape.roundUp((np + chunks - 1) / chunks));
    }

    /** Heads per task: the largest divisor of heads ≤ {@link #MAX_GROUP} that still leaves 4 tasks per thread. */
    static int groupSize(int batch, int heads, int threads) {
        for (int g = Math.min(MAX_GROUP, heads); g > 1; g--) {
            if (heads % g == 0 && batch * (heads / g) >= 4 * threads) {
                return g;
            }
        }
        return 1;
    }

    /**
     * The forward; with skipMaskedQueries, a batch row's query rows after its last unmasked position are not
     * computed: out = 0 and lse = −∞ there (the contract leaves them unspecified). The computed rows keep the bits
     * of the full forward: the last query block is cut at a multiple of the tile's rows (of a whole block when
     * causal, where a block's last row decides how many keys its score tile spans), so every computed row meets
     * the same tile products as in the full forward.
     */
    static void forward(WorkerPool pool, Tensor q, Tensor k, Tensor v, Tensor prefixK, Tensor prefixV,
                        Tensor keyMask, boolean causal, int heads, boolean skipMaskedQueries, Tensor out, Tensor lse) {
        AttentionShape sh = AttentionShape.of(q, prefixK, heads);
        // q, k, v and out are read and written in place: arrays at their offsets (tensors may wrap part of a
        // caller's array) or off-heap segments one token row at a time; the mask, prefixes and lse are arrays
        HostFloats qf = HostFloats.of(q), of = HostFloats.of(out);
        float[] lv = lse.array();
        int lo = lse.offset();
        boolean kvOffHeap = HostFloats.isSegment(k) || HostFloats.isSegment(v);
        AttentionGroup.Sources keys = new AttentionGroup.Sources(
                keyMask == null ? null : keyMask.array(), keyMask == null ? 0 : keyMask.offset(),
                prefixK == null ? null : prefixK.array(), prefixK == null ? 0 : prefixK.offset(),
                prefixV == null ? null : prefixV.array(), prefixV == null ? 0 : prefixV.offset(),
                kvOffHeap ? null : k.array(), kvOffHeap ? 0 : k.offset(),
                kvOffHeap ? null : v.array(), kvOffHeap ? 0 : v.offset(),
                kvOffHeap ? HostFloats.of(k) : null, kvOffHeap ? HostFloats.of(v) : null);
        int gs = groupSize(sh.batch(), heads, pool.threads());
        int groups = heads / gs;
        pool.parallelFor(sh.batch() * groups, task -> {
            int b = task / groups;
            int h0 = task % groups * gs;
            int t = sh.t();
            int queryEnd = skipMaskedQueries && keys.mask() != null ? unmaskedEnd(keys.mask(), keys.maskOff() + b * t, t) : t;
            int computed = Math.min(t, roundUp(queryEnd, causal ? QB : AttentionTiles.ROWS));
            Scratch sc = pool.acquire(SCRATCH);
            try {
                AttentionGroup grp = sc.group;
                grp.ensure(sh, gs, false);
                sc.o = grow(sc.o, QB * sh.dp());
                grp.gatherRows(sh, b, h0, gs, qf, sh.scale(), grp.q);
                grp.gatherKeys(sh, b, h0, gs, keys);
                for (int hg = 0; hg < gs; hg++) {
                    grp.transpose(grp.kRows[hg], grp.kCols[hg], sh.dp());
                    int lseOff = lo + (b * heads + h0 + hg) * t;
                    for (int i0 = 0; i0 < computed; i0 += QB) {
                        forwardQueryBlock(sh, hg, i0, Math.min(QB, computed - i0), causal, sc, lv, lseOff);
                    }
                    Arrays.fill(grp.res[hg], queryEnd * sh.dp(), t * sh.dp(), 0f);
                    Arrays.fill(lv, lseOff + queryEnd, lseOff + t, NEG_INF);
                }
                grp.scatterRows(sh, b, h0, gs, grp.res, 1f, of);
            } finally {
                pool.release(SCRATCH, sc);
            }
        });
    }

    /** One past the last position t &lt; T with mask[mo + t] ≠ 0 (0 when every position is masked). */
    static int unmaskedEnd(float[] mask, int mo, int t) {
        int end = t;
        while (end > 0 && mask[mo + end - 1] == 0f) {
            end--;
        }
        return end;
    }

    private static int roundUp(int n, int multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }

    private static float[] grow(float[] a, int n) {
        return a.length >= n ? a : new float[n];
    }

    /** Keys query i sees: compacted keys c &lt; visibleKeys(i). */
    private static int visibleKeys(AttentionGroup grp, boolean causal, int i) {
        return causal ? grp.visible[i] : grp.n;
    }

    /** Rows i0..i0+rows of head hg of the group: out rows into res[hg], lse into lv[lseOff + i]. */
    private static void forwardQueryBlock(AttentionShape sh, int hg, int i0, int rows, boolean causal,
                                          Scratch sc, float[] lv, int lseOff) {
        AttentionGroup grp = sc.group;
        int dp = sh.dp(), np = grp.np, kc = chunkWidth(np);
        int keyEnd = visibleKeys(grp, causal, i0 + rows - 1);
        float[] s = sc.s, m = sc.m, l = sc.l, o = sc.o, res = grp.res[hg];
        Arrays.fill(m, 0, rows, NEG_INF);
        Arrays.fill(l, 0, rows, 0f);
        Arrays.fill(o, 0, rows * dp, 0f);
        for (int j0 = 0; j0 < keyEnd; j0 += kc) {
            int cols = Math.min(Math.min(kc, np - j0), AttentionShape.roundUp(keyEnd - j0));
            AttentionTiles.mul(rows, cols, dp, grp.q[hg], i0 * dp, dp, 1, grp.kCols[hg], j0, np, s, 0, KC, false);
            for (int r = 0; r < rows; r++) {
                int limit = visibleKeys(grp, causal, i0 + r) - j0;
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
            AttentionTiles.mul(rows, dp, cols, s, 0, KC, 1, grp.vRows[hg], j0 * dp, dp, o, 0, dp, true);
        }
        for (int r = 0; r < rows; r++) {
            int i = i0 + r;
            if (l[r] == 0f) {
                Arrays.fill(res, i * dp, i * dp + dp, 0f);
                lv[lseOff + i] = NEG_INF;
            } else {
                VectorLoops.scaleCopy(o, r * dp, 1f / l[r], res, i * dp, dp);
                lv[lseOff + i] = m[r] + (float) Math.log(l[r]);
            }
        }
    }

    static void backward(WorkerPool pool, Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor prefixK, Tensor prefixV,
                         Tensor keyMask, boolean causal, int heads, Tensor out, Tensor lse,
                         Tensor dq, Tensor dk, Tensor dv, Tensor dPrefixK, Tensor dPrefixV) {
        AttentionShape sh = AttentionShape.of(q, prefixK, heads);
        int prefixLen = sh.prefixLen(), dModel = sh.dModel();
        // every array read and written at its tensor's offset (tensors may wrap part of a caller's array)
        float[] qv = q.array(), ov = out.array(), lv = lse.array(), gv = dOut.array();
        int qo = q.offset(), oo = out.offset(), lo = lse.offset(), go = dOut.offset();
        AttentionGroup.Sources keys = new AttentionGroup.Sources(
                keyMask == null ? null : keyMask.array(), keyMask == null ? 0 : keyMask.offset(),
                prefixK == null ? null : prefixK.array(), prefixK == null ? 0 : prefixK.offset(),
                prefixV == null ? null : prefixV.array(), prefixV == null ? 0 : prefixV.offset(),
                k.array(), k.offset(), v.array(), v.offset(), null, null);
        float[] partialK = dPrefixK == null ? null : new float[sh.batch() * prefixLen * dModel];
        float[] partialV = dPrefixV == null ? null : new float[sh.batch() * prefixLen * dModel];
        Outputs outs = new Outputs(dq == null ? null : dq.array(), dq == null ? 0 : dq.offset(),
                dk == null ? null : dk.array(), dk == null ? 0 : dk.offset(),
                dv == null ? null : dv.array(), dv == null ? 0 : dv.offset(), partialK, partialV);
        int gs = groupSize(sh.batch(), heads, pool.threads());
        int groups = heads / gs;
        pool.parallelFor(sh.batch() * groups, task -> {
            int b = task / groups;
            int h0 = task % groups * gs;
            Scratch sc = pool.acquire(SCRATCH);
            try {
                AttentionGroup grp = sc.group;
                int dp = sh.dp(), t = sh.t();
                grp.ensure(sh, gs, true);
                AttentionGroup.gatherRows(sh, b, h0, gs, qv, qo, sh.scale(), grp.q);
                AttentionGroup.gatherRows(sh, b, h0, gs, gv, go, 1f, grp.g);
                AttentionGroup.gatherRows(sh, b, h0, gs, ov, oo, 1f, grp.res);
                grp.gatherKeys(sh, b, h0, gs, keys);
                for (int hg = 0; hg < gs; hg++) {
                    float[] g = grp.g[hg], o = grp.res[hg], delta = grp.delta[hg];
                    for (int i = 0; i < t; i++) {
                        delta[i] = VectorLoops.dot(g, i * dp, o, i * dp, dp);
                    }
                    grp.transpose(grp.kRows[hg], grp.kCols[hg], dp);
                    grp.transpose(grp.vRows[hg], grp.vCols[hg], dp);
                    Arrays.fill(grp.dk[hg], 0, grp.np * dp, 0f);
                    Arrays.fill(grp.dv[hg], 0, grp.np * dp, 0f);
                    Arrays.fill(o, 0, t * dp, 0f);
                    int lseOff = lo + (b * heads + h0 + hg) * t;
                    for (int i0 = 0; i0 < t; i0 += QB) {
                        backwardQueryBlock(sh, hg, i0, Math.min(QB, t - i0), causal, sc, lv, lseOff);
                    }
                }
                if (outs.dq() != null) {
                    AttentionGroup.scatterRows(sh, b, h0, gs, grp.res, sh.scale(), outs.dq(), outs.dqOff());
                }
                scatterKeys(sh, b, h0, gs, grp, outs);
            } finally {
                pool.release(SCRATCH, sc);
            }
        });
        reducePrefix(pool, sh, partialK, dPrefixK);
        reducePrefix(pool, sh, partialV, dPrefixV);
    }

    /**
     * Destinations of the backward (each nullable), dq, dk and dv with the index of their element 0; the prefix
     * ones are [B, L, H·dh] partials of their own.
     */
    private record Outputs(float[] dq, int dqOff, float[] dk, int dkOff, float[] dv, int dvOff, float[] partialK,
                           float[] partialV) {}

    /** One query block of head hg against every key chunk; adds dS'·K (dq·√dh) to the block's rows of res[hg]. */
    private static void backwardQueryBlock(AttentionShape sh, int hg, int i0, int rows, boolean causal, Scratch sc,
                                           float[] lv, int lseOff) {
        AttentionGroup grp = sc.group;
        int dp = sh.dp(), np = grp.np, kc = chunkWidth(np);
        int keyEnd = visibleKeys(grp, causal, i0 + rows - 1);
        float[] p = sc.s, ds = sc.ds, q = grp.q[hg], g = grp.g[hg], delta = grp.delta[hg];
        for (int j0 = 0; j0 < keyEnd; j0 += kc) {
            int cols = Math.min(Math.min(kc, np - j0), AttentionShape.roundUp(keyEnd - j0));
            AttentionTiles.mul(rows, cols, dp, q, i0 * dp, dp, 1, grp.kCols[hg], j0, np, p, 0, KC, false);
            AttentionTiles.mul(rows, cols, dp, g, i0 * dp, dp, 1, grp.vCols[hg], j0, np, ds, 0, KC, false);
            for (int r = 0; r < rows; r++) {
                int i = i0 + r;
                float lseI = lv[lseOff + i];
                if (lseI == NEG_INF) {
                    Arrays.fill(p, r * KC, r * KC + cols, 0f);
                    Arrays.fill(ds, r * KC, r * KC + cols, 0f);
                    continue;
                }
                int limit = visibleKeys(grp, causal, i) - j0;
                AttentionRows.probabilityAndGrad(p, r * KC, ds, r * KC, cols, limit, lseI, delta[i]);
            }
            AttentionTiles.mul(cols, dp, rows, p, 0, 1, KC, g, i0 * dp, dp, grp.dv[hg], j0 * dp, dp, true);
            AttentionTiles.mul(cols, dp, rows, ds, 0, 1, KC, q, i0 * dp, dp, grp.dk[hg], j0 * dp, dp, true);
            AttentionTiles.mul(rows, dp, cols, ds, 0, KC, 1, grp.kRows[hg], j0 * dp, dp, grp.res[hg], i0 * dp, dp, true);
        }
    }

    /** Writes dk, dv of the group's sequence keys (0 for masked ones) and its prefix partials. */
    private static void scatterKeys(AttentionShape sh, int b, int h0, int gs, AttentionGroup grp, Outputs outs) {
        int dp = sh.dp(), dh = sh.dh(), dModel = sh.dModel(), t = sh.t(), prefixLen = sh.prefixLen();
        if (outs.dk() != null || outs.dv() != null) {
            int c = prefixLen;
            for (int i = 0; i < t; i++) {
                int off = (b * t + i) * dModel + h0 * dh;
                boolean visible = c < grp.n && grp.keyPos[c] == i;
                for (int hg = 0; hg < gs; hg++) {
                    writeRow(visible, grp.dk[hg], c * dp, outs.dk(), outs.dkOff() + off + hg * dh, dh);
                    writeRow(visible, grp.dv[hg], c * dp, outs.dv(), outs.dvOff() + off + hg * dh, dh);
                }
                if (visible) {
                    c++;
                }
            }
        }
        for (int l = 0; l < prefixLen; l++) {
            int off = (b * prefixLen + l) * dModel + h0 * dh;
            for (int hg = 0; hg < gs; hg++) {
                writeRow(true, grp.dk[hg], l * dp, outs.partialK(), off + hg * dh, dh);
                writeRow(true, grp.dv[hg], l * dp, outs.partialV(), off + hg * dh, dh);
            }
        }
    }

    /** dst[off..off+dh) = src row if visible, else zeros; nothing when dst is null. */
    private static void writeRow(boolean visible, float[] src, int from, float[] dst, int off, int dh) {
        if (dst == null) {
            return;
        }
        if (visible) {
            AttentionGroup.copy(src, from, dst, off, dh);
        } else {
            Arrays.fill(dst, off, off + dh, 0f);
        }
    }

    /** d[l, c] = Σ_b partial[b, l, c] (d's array at its offset). */
    private static void reducePrefix(WorkerPool pool, AttentionShape sh, float[] partial, Tensor d) {
        if (partial == null) {
            return;
        }
        float[] dv = d.array();
        int dOff = d.offset();
        int n = sh.prefixLen() * sh.dModel();
        pool.parallelRange(n, 4096, (from, to) -> {
            System.arraycopy(partial, from, dv, dOff + from, to - from);
            for (int b = 1; b < sh.batch(); b++) {
                VectorLoops.axpy(1f, partial, b * n + from, dv, dOff + from, to - from);
            }
        });
    }
}
