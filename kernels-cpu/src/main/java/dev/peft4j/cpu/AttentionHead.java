package dev.peft4j.cpu;

import static dev.peft4j.cpu.Simd.L;
import static dev.peft4j.cpu.Simd.S;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * One (batch, head) pair of the blocked attention gathered into per-thread scratch. Only the <em>visible</em>
 * keys are gathered: the L prefix keys, then the sequence keys j with keyMask[b, j] ≠ 0, in order ("compacted"
 * keys; n of them, padded with zero rows to np, a multiple of the vector length). Masked keys thus cost no work;
 * their gradients are zero. Every row is zero-padded from dh to dp columns (a multiple of the vector length).
 *
 * <p>Causal: compacted key c is visible to query i iff c &lt; {@link #visible}[i], the number of compacted keys
 * that are prefix keys or sequence keys at a position ≤ i (keys are in position order, so this is a prefix).
 */
final class AttentionHead {
    /** Query rows [T, dp] (q/√dh in the forward and backward), and dOut rows [T, dp] in the backward. */
    float[] q = new float[0], g = new float[0];
    /** Compacted key and value rows [np, dp] and their transposes [dp, np]. */
    float[] kRows = new float[0], vRows = new float[0], kCols = new float[0], vCols = new float[0];
    /** Sequence position of compacted key c (−1 for a prefix key). */
    int[] keyPos = new int[0];
    /** Causal visibility: query i sees compacted keys c &lt; visible[i]. */
    int[] visible = new int[0];
    /** Gather indices c·dp of the transposition (one vector's worth). */
    private int[] lanes = new int[0];
    private int lanesDp = -1;
    /** Visible keys and their count padded to a multiple of the vector length. */
    int n, np;

    private static float[] grow(float[] a, int size) {
        return a.length >= size ? a : new float[size];
    }

    private static int[] grow(int[] a, int size) {
        return a.length >= size ? a : new int[size];
    }

    /** Sizes the buffers for up to nk keys; the transposes and dOut only when asked for. */
    void ensure(AttentionShape sh, boolean backward) {
        int t = sh.t(), dp = sh.dp(), nkp = sh.nkp();
        q = grow(q, t * dp);
        kRows = grow(kRows, nkp * dp);
        vRows = grow(vRows, nkp * dp);
        kCols = grow(kCols, dp * nkp);
        keyPos = grow(keyPos, nkp);
        visible = grow(visible, t);
        if (backward) {
            g = grow(g, t * dp);
            vCols = grow(vCols, dp * nkp);
        }
    }

    /** dst[i·dp + c] = s·x[b, i, h·dh + c] for c &lt; dh, 0 for dh ≤ c &lt; dp. */
    static void gatherQueries(AttentionShape sh, int b, int h, float[] x, float s, float[] dst) {
        int dp = sh.dp(), dh = sh.dh(), t = sh.t(), dModel = sh.dModel();
        for (int i = 0; i < t; i++) {
            VectorLoops.scaleCopy(x, (b * t + i) * dModel + h * dh, s, dst, i * dp, dh);
            if (dp > dh) {
                Arrays.fill(dst, i * dp + dh, i * dp + dp, 0f);
            }
        }
    }

    /**
     * Compacts the visible keys of (b, h): sets n, np, keyPos, visible, and copies the key and value rows
     * (prefix rows from pk/pv, sequence rows from k/v) into kRows and vRows, zero rows from n to np.
     */
    void gatherKeys(AttentionShape sh, int b, int h, float[] mask, float[] pk, float[] pv, float[] k, float[] v) {
        int dp = sh.dp(), dh = sh.dh(), dModel = sh.dModel(), t = sh.t(), prefixLen = sh.prefixLen();
        int c = 0;
        for (int j = 0; j < prefixLen; j++, c++) {
            keyPos[c] = -1;
            copyRow(pk, j * dModel + h * dh, kRows, c * dp, dh, dp);
            copyRow(pv, j * dModel + h * dh, vRows, c * dp, dh, dp);
        }
        for (int j = 0; j < t; j++) {
            if (mask == null || mask[b * t + j] != 0f) {
                keyPos[c] = j;
                int src = (b * t + j) * dModel + h * dh;
                copyRow(k, src, kRows, c * dp, dh, dp);
                copyRow(v, src, vRows, c * dp, dh, dp);
                c++;
            }
            visible[j] = c;
        }
        n = c;
        np = (c + L - 1) / L * L;
        Arrays.fill(kRows, c * dp, np * dp, 0f);
        Arrays.fill(vRows, c * dp, np * dp, 0f);
    }

    private static void copyRow(float[] src, int from, float[] dst, int to, int dh, int dp) {
        System.arraycopy(src, from, dst, to, dh);
        if (dp > dh) {
            Arrays.fill(dst, to + dh, to + dp, 0f);
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
            lanes = grow(lanes, L);
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
