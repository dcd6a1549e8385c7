package dev.peft4j.cpu;

import static dev.peft4j.cpu.Simd.L;
import static dev.peft4j.cpu.Simd.S;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * A group of G consecutive heads h0..h0+G−1 of one batch row b, gathered into per-thread scratch by the blocked
 * attention. Gathering a group at once reads G·dh contiguous floats of every token row (instead of dh floats at
 * a stride of d_model per head), which the hardware prefetchers stream far better than one head's short rows;
 * the results are written back the same way.
 *
 * <p>Only the <em>visible</em> keys are gathered: the L prefix keys, then the sequence keys j with
 * keyMask[b, j] ≠ 0, in order ("compacted" keys; n of them, padded with zero rows to np, a multiple of the vector
 * length). Masked keys thus cost no work; their gradients are zero. Every row is zero-padded from dh to dp.
 * Causal: compacted key c is visible to query i iff c &lt; {@link #visible}[i], the number of compacted keys that
 * are prefix keys or sequence keys at a position ≤ i (keys are in position order, so this is a prefix).
 *
 * <p>Per head g: {@code q[g]} [T, dp] (q/√dh), {@code g[g]} [T, dp] (dOut, backward), {@code kRows[g]},
 * {@code vRows[g]} [np, dp], their transposes {@code kCols[g]}, {@code vCols[g]} [dp, np], {@code res[g]}
 * [T, dp] (out, or dq in the backward), {@code dk[g]}, {@code dv[g]} [np, dp], {@code delta[g]} [T].
 * Memory is O(threads · G · (T + L) · dp).
 */
final class AttentionGroup {
    float[][] q = new float[0][], g = new float[0][], kRows = new float[0][], vRows = new float[0][];
    float[][] kCols = new float[0][], vCols = new float[0][], res = new float[0][], dk = new float[0][];
    float[][] dv = new float[0][], delta = new float[0][];
    /** Sequence position of compacted key c (−1 for a prefix key). */
    int[] keyPos = new int[0];
    /** Causal visibility: query i sees compacted keys c &lt; visible[i]. */
    int[] visible = new int[0];
    /** Visible keys and their count padded to a multiple of the vector length. */
    int n, np;
    private int[] lanes = new int[0];
    private int lanesDp = -1;
    /** One token row of the group's heads (G·dh floats): how off-heap tensors are read and written. */
    private float[] row = new float[0];

    private static float[][] grow(float[][] a, int heads, int size) {
        if (a.length < heads) {
            a = Arrays.copyOf(a, heads);
        }
        for (int i = 0; i < heads; i++) {
            if (a[i] == null || a[i].length < size) {
                a[i] = new float[size];
            }
        }
        return a;
    }

    /** Sizes the buffers for G heads and up to nk keys; the backward's only when asked for. */
    void ensure(AttentionShape sh, int heads, boolean backward) {
        int t = sh.t(), dp = sh.dp(), nkp = sh.nkp();
        q = grow(q, heads, t * dp);
        kRows = grow(kRows, heads, nkp * dp);
        vRows = grow(vRows, heads, nkp * dp);
        kCols = grow(kCols, heads, dp * nkp);
        res = grow(res, heads, t * dp);
        if (row.length < heads * sh.dh()) {
            row = new float[heads * sh.dh()];
        }
        if (keyPos.length < nkp) {
            keyPos = new int[nkp];
        }
        if (visible.length < t) {
            visible = new int[t];
        }
        if (backward) {
            g = grow(g, heads, t * dp);
            vCols = grow(vCols, heads, dp * nkp);
            dk = grow(dk, heads, nkp * dp);
            dv = grow(dv, heads, nkp * dp);
            delta = grow(delta, heads, t);
        }
    }

    /** dst[g][i·dp + c] = s·x[xo + (b, i, (h0+g)·dh + c)] for c &lt; dh, 0 for dh ≤ c &lt; dp. */
    static void gatherRows(AttentionShape sh, int b, int h0, int heads, float[] x, int xo, float s, float[][] dst) {
        int dp = sh.dp(), dh = sh.dh(), t = sh.t(), dModel = sh.dModel();
        for (int i = 0; i < t; i++) {
            int src = xo + (b * t + i) * dModel + h0 * dh;
            for (int hg = 0; hg < heads; hg++) {
                VectorLoops.scaleCopy(x, src + hg * dh, s, dst[hg], i * dp, dh);
                if (dp > dh) {
                    Arrays.fill(dst[hg], i * dp + dh, i * dp + dp, 0f);
                }
            }
        }
    }

    /**
     * As {@link #gatherRows(AttentionShape, int, int, int, float[], int, float, float[][])} from host floats: an
     * array in place, an off-heap segment one token row (G·dh floats) at a time through the group's row buffer.
     */
    void gatherRows(AttentionShape sh, int b, int h0, int heads, HostFloats x, float s, float[][] dst) {
        if (x instanceof HostFloats.InArray a) {
            gatherRows(sh, b, h0, heads, a.array(), a.offset(), s, dst);
            return;
        }
        int dp = sh.dp(), dh = sh.dh(), t = sh.t(), dModel = sh.dModel();
        for (int i = 0; i < t; i++) {
            x.read((long) (b * t + i) * dModel + h0 * dh, row, 0, heads * dh);
            for (int hg = 0; hg < heads; hg++) {
                VectorLoops.scaleCopy(row, hg * dh, s, dst[hg], i * dp, dh);
                if (dp > dh) {
                    Arrays.fill(dst[hg], i * dp + dh, i * dp + dp, 0f);
                }
            }
        }
    }

    /** As {@link #scatterRows(AttentionShape, int, int, int, float[][], float, float[], int)} into host floats. */
    void scatterRows(AttentionShape sh, int b, int h0, int heads, float[][] src, float s, HostFloats x) {
        if (x instanceof HostFloats.InArray a) {
            scatterRows(sh, b, h0, heads, src, s, a.array(), a.offset());
            return;
        }
        int dp = sh.dp(), dh = sh.dh(), t = sh.t(), dModel = sh.dModel();
        for (int i = 0; i < t; i++) {
            for (int hg = 0; hg < heads; hg++) {
                VectorLoops.scaleCopy(src[hg], i * dp, s, row, hg * dh, dh);
            }
            x.write(row, 0, (long) (b * t + i) * dModel + h0 * dh, heads * dh);
        }
    }

    /** x[xo + (b, i, (h0+g)·dh + c)] = s·src[g][i·dp + c] for c &lt; dh. */
    static void scatterRows(AttentionShape sh, int b, int h0, int heads, float[][] src, float s, float[] x, int xo) {
        int dp = sh.dp(), dh = sh.dh(), t = sh.t(), dModel = sh.dModel();
        for (int i = 0; i < t; i++) {
            int dst = xo + (b * t + i) * dModel + h0 * dh;
            for (int hg = 0; hg < heads; hg++) {
                VectorLoops.scaleCopy(src[hg], i * dp, s, x, dst + hg * dh, dh);
            }
        }
    }

    /**
     * Where gatherKeys reads: each array (mask, pk, pv nullable) with the index of its element 0; the sequence
     * keys and values from k and v, or (k and v null) from the off-heap kSeg and vSeg, one token row at a time.
     */
    record Sources(float[] mask, int maskOff, float[] pk, int pkOff, float[] pv, int pvOff, float[] k, int kOff,
                   float[] v, int vOff, HostFloats kSeg, HostFloats vSeg) {}

    /**
     * Compacts the visible keys of batch row b: sets n, np, keyPos, visible, and copies the key and value rows
     * of the group's heads (prefix rows from pk/pv, sequence rows from k/v, each at its offset) into kRows and
     * vRows, zero rows from n to np.
     */
    void gatherKeys(AttentionShape sh, int b, int h0, int heads, Sources src) {
        float[] mask = src.mask(), pk = src.pk(), pv = src.pv(), k = src.k(), v = src.v();
        int dp = sh.dp(), dh = sh.dh(), dModel = sh.dModel(), t = sh.t(), prefixLen = sh.prefixLen();
        int c = 0;
        for (int j = 0; j < prefixLen; j++, c++) {
            keyPos[c] = -1;
            copyRows(pk, src.pkOff(), pv, src.pvOff(), j * dModel + h0 * dh, c * dp, heads, dh, dp);
        }
        for (int j = 0; j < t; j++) {
            if (mask == null || mask[src.maskOff() + b * t + j] != 0f) {
                keyPos[c] = j;
                int at = (b * t + j) * dModel + h0 * dh;
                if (k == null) {
                    src.kSeg().read(at, row, 0, heads * dh);
                    copyRows(row, 0, null, 0, 0, c * dp, heads, dh, dp);
                    src.vSeg().read(at, row, 0, heads * dh);
                    copyRows(null, 0, row, 0, 0, c * dp, heads, dh, dp);
                } else {
                    copyRows(k, src.kOff(), v, src.vOff(), at, c * dp, heads, dh, dp);
                }
                c++;
            }
            visible[j] = c;
        }
        n = c;
        np = (c + L - 1) / L * L;
        for (int hg = 0; hg < heads; hg++) {
            Arrays.fill(kRows[hg], c * dp, np * dp, 0f);
            Arrays.fill(vRows[hg], c * dp, np * dp, 0f);
        }
    }

    /** Key rows from k at ko + from and value rows from v at vo + from (a null one is left alone). */
    private void copyRows(float[] k, int ko, float[] v, int vo, int from, int to, int heads, int dh, int dp) {
        for (int hg = 0; hg < heads; hg++) {
            if (k != null) {
                copy(k, ko + from + hg * dh, kRows[hg], to, dh);
                if (dp > dh) {
                    Arrays.fill(kRows[hg], to + dh, to + dp, 0f);
                }
            }
            if (v != null) {
                copy(v, vo + from + hg * dh, vRows[hg], to, dh);
                if (dp > dh) {
                    Arrays.fill(vRows[hg], to + dh, to + dp, 0f);
                }
            }
        }
    }

    /** dst[d..d+n) = src[o..o+n): a vector loop, cheaper than System.arraycopy's call for rows of dh floats. */
    static void copy(float[] src, int o, float[] dst, int d, int n) {
        int i = 0;
        for (int b = Simd.bound(n); i < b; i += L) {
            FloatVector.fromArray(S, src, o + i).intoArray(dst, d + i);
        }
        for (; i < n; i++) {
            dst[d + i] = src[o + i];
        }
    }

    /** cols[c·np + j] = rows[j·dp + c] for c &lt; dp, j &lt; np (rows [np, dp] → cols [dp, np]). */
    void transpose(float[] rows, float[] cols, int dp) {
        if (Simd.SCALAR) {
            for (int c = 0; c < dp; c++) {
                for (int j = 0; j < np; j++) {
                    cols[c * np + j] = rows[j * dp + c];
                }
            }
            return;
        }
        if (lanesDp != dp) {
            lanes = new int[L];
            for (int j = 0; j < L; j++) {
                lanes[j] = j * dp;
            }
            lanesDp = dp;
        }
        int[] idx = lanes;
        for (int j0 = 0; j0 < np; j0 += L) {
            int base = j0 * dp;
            for (int c = 0; c < dp; c++) {
                FloatVector.fromArray(S, rows, base + c, idx, 0).intoArray(cols, c * np + j0);
            }
        }
    }
}
