package dev.peft4j.cpu;

import static dev.peft4j.cpu.GemmOperand.left;
import static dev.peft4j.cpu.GemmOperand.right;

import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Mixed-adapter LoRA for inference (SGMV): for each row i with α = adapterOfRow[i] ≥ 0,
 * y[i,:] += s_α·(x[i,:] A_αᵀ) B_αᵀ. The rows are grouped by adapter and each group of n_g rows is two GEMMs,
 * U = s_α·X_g A_αᵀ {@code [n_g,r]} and Y_g += U B_αᵀ, so one packing of A_α and B_α serves the whole group
 * (row by row, each row streamed A_α and B_α, 2·r·in floats, from L2 for 2·r·in FMAs).
 *
 * <p>A group is up to {@link #CHUNK} rows of a run of at least {@link #MIN_RUN} consecutive rows of one adapter (one
 * sequence's tokens: read and written in place), or up to {@link #CHUNK} of an adapter's other rows (gathered into
 * a buffer, their product added back). Groups are tasks of the pool; a single group's GEMMs use the pool instead.
 * The groups do not depend on the thread count, and neither does the result.
 */
final class MixedLoraKernels {
    /** Consecutive rows of one adapter that are read and written in place instead of gathered. */
    static final int MIN_RUN = 16;
    /** Most rows in one group (one task). */
    static final int CHUNK = 128;

    /** U, the gathered rows of x and their product, each grown as needed: one set per runner. */
    private static final ScratchKind<float[][]> BUFFERS = new ScratchKind<>("SGMV group buffers",
            () -> new float[3][0]);

    /**
     * Rows of one adapter: {@code rows[from, from+count)} of the gathered-row list, or (rows null) the consecutive
     * rows from {@code from}.
     */
    private record Group(int adapter, int[] rows, int from, int count) {}

    private MixedLoraKernels() {}

    static void forward(WorkerPool pool, Tensor x, Tensor a, Tensor b, Tensor scales, int[] adapterOfRow, Tensor y) {
        List<Group> groups = groups(adapterOfRow, a.dim(0));
        if (groups.size() == 1) {
            run(pool, groups.get(0), x, a, b, scales, y);
        } else {
            pool.parallelFor(groups.size(), i -> run(pool, groups.get(i), x, a, b, scales, y));
        }
    }

    /** The groups of every adapter in turn: its runs of ≥ MIN_RUN rows, then its other rows, in CHUNK pieces. */
    private static List<Group> groups(int[] adapterOfRow, int adapters) {
        int[] start = new int[adapters + 1];
        for (int alpha : adapterOfRow) {
            if (alpha >= 0) {
                start[alpha + 1]++;
            }
        }
        for (int k = 0; k < adapters; k++) {
            start[k + 1] += start[k];
        }
        int[] sorted = new int[start[adapters]]; // row indices by adapter, ascending within one
        int[] fill = start.clone();
        for (int i = 0; i < adapterOfRow.length; i++) {
            if (adapterOfRow[i] >= 0) {
                sorted[fill[adapterOfRow[i]]++] = i;
            }
        }
        List<Group> groups = new ArrayList<>();
        int[] loose = new int[sorted.length];
        int looseCount = 0;
        for (int k = 0; k < adapters; k++) {
            int looseFrom = looseCount;
            for (int p = start[k]; p < start[k + 1]; ) {
                int q = p + 1;
                while (q < start[k + 1] && sorted[q] == sorted[q - 1] + 1) {
                    q++;
                }
                if (q - p >= MIN_RUN) {
                    for (int c = p; c < q; c += CHUNK) {
                        groups.add(new Group(k, null, sorted[c], Math.min(CHUNK, q - c)));
                    }
                } else {
                    System.arraycopy(sorted, p, loose, looseCount, q - p);
                    looseCount += q - p;
                }
                p = q;
            }
            for (int c = looseFrom; c < looseCount; c += CHUNK) {
                groups.add(new Group(k, loose, c, Math.min(CHUNK, looseCount - c)));
            }
        }
        return groups;
    }

    /** Y_g += s·(X_g Aᵀ) Bᵀ for one group, with the runner's buffers. */
    private static void run(WorkerPool pool, Group g, Tensor x, Tensor a, Tensor b, Tensor scales, Tensor y) {
        int r = a.dim(1);
        int in = a.dim(2);
        int out = b.dim(1);
        int n = g.count();
        int k = g.adapter();
        // each array read and written at its tensor's offset (tensors may wrap part of a caller's array)
        float[] xv = x.array(), yv = y.array();
        int xo = x.offset(), yo = y.offset();
        GemmOperand aT = right(a.array(), a.offset() + k * r * in, true, in, in); // A_αᵀ [in,r] of A_α [r,in]
        GemmOperand bT = right(b.array(), b.offset() + k * out * r, true, r, r);  // B_αᵀ [r,out] of B_α [out,r]
        float s = scales.array()[scales.offset() + k];
        float[][] buf = pool.acquire(BUFFERS);
        try {
            boolean inPlace = g.rows() == null;
            GemmOperand xg = inPlace ? left(xv, xo + g.from() * in, false, in, in)
                    : left(gathered(xv, xo, in, g, grown(buf, 1, n * in)), 0, false, in, in);
            float[] u = grown(buf, 0, n * r);
            Sgemm.gemm(pool, n, r, xg, aT, u, 0, r, Sgemm.Epilogue.OVERWRITE);  // U = X_g A_αᵀ
            GemmOperand su = left(u, 0, false, r, r).scaled(s);
            if (inPlace) {                                                     // Y_g += s·U B_αᵀ
                Sgemm.gemm(pool, n, out, su, bT, yv, yo + g.from() * out, out, Sgemm.Epilogue.beta(1f));
                return;
            }
            float[] z = grown(buf, 2, n * out);
            Sgemm.gemm(pool, n, out, su, bT, z, 0, out, Sgemm.Epilogue.OVERWRITE);
            for (int j = 0; j < n; j++) {
                VectorLoops.axpy(1f, z, j * out, yv, yo + g.rows()[g.from() + j] * out, out);
            }
        } finally {
            pool.release(BUFFERS, buf);
        }
    }

    /** The group's rows of x copied one after another into dst {@code [n,in]}. */
    private static float[] gathered(float[] x, int xo, int in, Group g, float[] dst) {
        for (int j = 0; j < g.count(); j++) {
            System.arraycopy(x, xo + g.rows()[g.from() + j] * in, dst, j * in, in);
        }
        return dst;
    }

    private static float[] grown(float[][] buf, int which, int size) {
        if (buf[which].length < size) {
            buf[which] = new float[size];
        }
        return buf[which];
    }
}
