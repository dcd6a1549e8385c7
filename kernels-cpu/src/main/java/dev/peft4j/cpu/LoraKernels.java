package dev.peft4j.cpu;

import static dev.peft4j.cpu.GemmOperand.left;
import static dev.peft4j.cpu.GemmOperand.right;
import static dev.peft4j.cpu.Simd.L;
import static dev.peft4j.cpu.Simd.S;

import dev.peft4j.tensor.Shapes;
import dev.peft4j.tensor.Tensor;
import jdk.incubator.vector.FloatVector;

/**
 * The fused LoRA linear. Forward: u = x̃ Aᵀ {@code [N,r]} (x̃ = x ⊙ dropMask; {@link LowRankKernels#project}),
 * then ONE GEMM over the augmented k = in + r: y = [x, s·u]·[W, B]ᵀ + b, so the low-rank term rides in the
 * base product's accumulators and y is written once.
 *
 * <p>Backward (y = x Wᵀ + b + s·u Bᵀ, u = x̃ Aᵀ): ∂L/∂u = s·dy B = s·g with g = dy B {@code [N,r]};
 * dB = s·dyᵀ u (accumulated as its transpose s·uᵀ dy); dA = s·gᵀ x̃; dx = dy W + (s·g A) ⊙ dropMask. g, dBᵀ and dA
 * are computed in one pass over row blocks of dy and x, so dy and x are each read once for the rank-r work: the
 * rows are cut into parts ({@link #parts}) that each sum into their own [r, ·] partials, added in part order at the
 * end. How many parts there are depends on N alone, never on the thread count, so the sums, and so the trained
 * weights, have the same bits on any number of threads. Without a mask dx is one augmented GEMM,
 * dx = [dy, s·g]·[W; A] over k = out + r; with a mask the low-rank part is added row by row (r axpys into a
 * one-row buffer, then a masked axpy), so no [N,in] temporary exists.
 */
final class LoraKernels {
    /**
     * A one-row buffer (grown to in): dx's low-rank part in the backward, an off-heap row of x in the inference
     * forward; one per worker, a bounded few for callers.
     */
    static final ScratchKind<float[][]> ROW = new ScratchKind<>("LoRA row", () -> new float[1][0]);

    /** u = x Aᵀ {@code [N,r]} of an inference forward (grown to N·r): lent to the calling thread for one call. */
    static final ScratchKind<float[][]> U = new ScratchKind<>("LoRA inference u", () -> new float[1][0]);

    /** Rows per part of the backward's rank-r sums (more when N exceeds {@link #MAX_PARTS} of them). */
    static final int PART_ROWS = 256;
    /** Most parts of the backward's rank-r sums: their partials take MAX_PARTS·r·(in + out) floats at most. */
    static final int MAX_PARTS = 64;

    private LoraKernels() {}

    /** How many parts the backward cuts N rows into: a function of N alone (see the class comment). */
    static int parts(int n) {
        return Math.max(1, Math.min(MAX_PARTS, (n + PART_ROWS - 1) / PART_ROWS));
    }

    /** y = x Wᵀ + b + s·u Bᵀ with u = x̃ Aᵀ written to u (saved for the backward). */
    static void forward(WorkerPool pool, Tensor x, Tensor w, Tensor bias, Tensor a, Tensor b, float s,
                        Tensor dropMask, Tensor y, Tensor u) {
        forward(pool, x, w, bias, a, b, s, dropMask, y, u.array(), u.offset());
    }

    /**
     * The inference form, y = x Wᵀ + b + s·(x Aᵀ) Bᵀ without dropout: u {@code [N,r]} lives in a scratch buffer
     * lent by the pool for the call (no allocation once the buffer has grown to N·r).
     */
    static void inferenceForward(WorkerPool pool, Tensor x, Tensor w, Tensor bias, Tensor a, Tensor b, float s,
                                 Tensor y) {
        float[][] holder = pool.acquire(U);
        try {
            int nr = Shapes.rows(x) * a.dim(0);
            if (holder[0].length < nr) {
                holder[0] = new float[nr];
            }
            if (HostFloats.isSegment(x) || HostFloats.isSegment(y) || HostFloats.isSegment(w)) {
                forwardInPlace(pool, x, w, bias, a, b, s, y, holder[0]);
            } else {
                forward(pool, x, w, bias, a, b, s, null, y, holder[0], 0);
            }
        } finally {
            pool.release(U, holder);
        }
    }

    private static void forward(WorkerPool pool, Tensor x, Tensor w, Tensor bias, Tensor a, Tensor b, float s,
                                Tensor dropMask, Tensor y, float[] uv, int uo) {
        int n = Shapes.rows(x);
        int in = x.dim(-1);
        int out = w.dim(0);
        int r = a.dim(0);
        float[] mask = dropMask == null ? null : dropMask.array();
        int mo = dropMask == null ? 0 : dropMask.offset();
        float[] xv = x.array();
        float[] av = a.array();
        int xo = x.offset(), ao = a.offset();
        pool.parallelRange(n, 32, (from, to) -> LowRankKernels.project(xv, xo, mask, mo, in, av, ao, r, uv, uo, from, to));
        GemmOperand lhs = left(xv, xo, false, in, in).concat(left(uv, uo, false, r, r).scaled(s));
        GemmOperand rhs = right(w.array(), w.offset(), true, in, in).concat(right(b.array(), b.offset(), true, r, r));
        Sgemm.gemm(pool, n, out, lhs, rhs, y.array(), y.offset(), out, LinearKernels.epilogue(bias));
    }

    /**
     * The inference form over tensors that may wrap off-heap segments (x, w, y; a, b and bias are arrays): u = x Aᵀ
     * row by row as on arrays ({@link LowRankKernels#project}; an off-heap row of x copied out in bulk first), then
     * the same augmented GEMM, whose tile stores write y in place: y is bit for bit the array path's.
     */
    private static void forwardInPlace(WorkerPool pool, Tensor x, Tensor w, Tensor bias, Tensor a, Tensor b, float s,
                                       Tensor y, float[] uv) {
        int n = Shapes.rows(x);
        int in = x.dim(-1);
        int out = w.dim(0);
        int r = a.dim(0);
        float[] av = a.array();
        int ao = a.offset();
        if (HostFloats.isSegment(x)) {
            HostFloats xs = HostFloats.of(x);
            pool.parallelRange(n, 32, (from, to) -> {
                float[][] holder = pool.acquire(ROW);
                try {
                    float[] row = rowBuffer(holder, in);
                    for (int i = from; i < to; i++) {
                        xs.read((long) i * in, row, 0, in);
                        LowRankKernels.project(row, 0, null, 0, in, av, ao, r, uv, i * r, 0, 1);
                    }
                } finally {
                    pool.release(ROW, holder);
                }
            });
        } else {
            float[] xv = x.array();
            int xo = x.offset();
            pool.parallelRange(n, 32, (from, to) -> LowRankKernels.project(xv, xo, null, 0, in, av, ao, r, uv, 0, from, to));
        }
        GemmOperand lhs = left(x, false, in, in).concat(left(uv, 0, false, r, r).scaled(s));
        GemmOperand rhs = right(w, true, in, in).concat(right(b.array(), b.offset(), true, r, r));
        Sgemm.gemm(pool, n, out, lhs, rhs, null, HostFloats.of(y), out, LinearKernels.epilogue(bias));
    }

    static void backward(WorkerPool pool, Tensor dy, Tensor x, Tensor w, Tensor a, Tensor b, Tensor u, float s,
                         Tensor dropMask, Tensor dx, Tensor dA, Tensor dB) {
        int n = Shapes.rows(dy);
        int out = dy.dim(-1);
        int in = w.dim(1);
        int r = a.dim(0);
        float[] mask = dropMask == null ? null : dropMask.array();
        int mo = dropMask == null ? 0 : dropMask.offset();
        if (dx == null && dA == null && dB == null) {
            return;
        }
        float[] dyv = dy.array();
        float[] xv = x.array();
        float[] uv = u.array();
        float[] bv = b.array();
        int dyo = dy.offset(), xo = x.offset(), uo = u.offset(), bo = b.offset();
        float[] bt = new float[r * out]; // Bᵀ [r, out], so that g = dy B is r dot products per row
        for (int o = 0; o < out; o++) {
            for (int q = 0; q < r; q++) {
                bt[q * out + o] = bv[bo + o * r + q];
            }
        }
        boolean needG = dx != null || dA != null;
        float[] g = needG ? new float[n * r] : null;
        int parts = parts(n);
        float[][] dBt = dB != null ? new float[parts][r * out] : null;
        float[][] dAp = dA != null ? new float[parts][r * in] : null;
        pool.parallelFor(parts, t -> {
            int from = (int) ((long) n * t / parts);
            int to = (int) ((long) n * (t + 1) / parts);
            for (int b0 = from; b0 < to; b0 += LowRankKernels.ROW_BLOCK) {
                int b1 = Math.min(to, b0 + LowRankKernels.ROW_BLOCK);
                if (needG) {
                    LowRankKernels.project(dyv, dyo, null, 0, out, bt, 0, r, g, 0, b0, b1);
                }
                if (dBt != null) {
                    LowRankKernels.outer(uv, uo, r, s, dyv, dyo, null, 0, out, dBt[t], b0, b1);
                }
                if (dAp != null) {
                    LowRankKernels.outer(g, 0, r, s, xv, xo, mask, mo, in, dAp[t], b0, b1);
                }
            }
        });
        if (dB != null) {
            float[] dBv = dB.array();
            int dBo = dB.offset();
            for (int o = 0; o < out; o++) {
                for (int q = 0; q < r; q++) {
                    float sum = 0;
                    for (int t = 0; t < parts; t++) {
                        sum += dBt[t][q * out + o];
                    }
                    dBv[dBo + o * r + q] = sum;
                }
            }
        }
        if (dA != null) {
            float[] dAv = dA.array();
            int dAo = dA.offset();
            System.arraycopy(dAp[0], 0, dAv, dAo, r * in);
            for (int t = 1; t < parts; t++) {
                VectorLoops.axpy(1f, dAp[t], 0, dAv, dAo, r * in);
            }
        }
        if (dx == null) {
            return;
        }
        if (mask == null) {
            GemmOperand lhs = left(dyv, dyo, false, out, out).concat(left(g, 0, false, r, r).scaled(s));
            GemmOperand rhs = right(w.array(), w.offset(), false, in, out).concat(right(a.array(), a.offset(), false, in, r));
            Sgemm.gemm(pool, n, in, lhs, rhs, dx.array(), dx.offset(), in, Sgemm.Epilogue.OVERWRITE);
            return;
        }
        Sgemm.gemm(pool, n, in, left(dyv, dyo, false, out, out), right(w.array(), w.offset(), false, in, out),
                dx.array(), dx.offset(), in, Sgemm.Epilogue.OVERWRITE);
        float[] av = a.array();
        float[] dxv = dx.array();
        int ao = a.offset(), dxo = dx.offset();
        pool.parallelRange(n, 16, (from, to) -> {
            float[][] holder = pool.acquire(ROW);
            try {
                float[] row = rowBuffer(holder, in);
                for (int i = from; i < to; i++) {
                    java.util.Arrays.fill(row, 0, in, 0f);
                    for (int q = 0; q < r; q++) {
                        VectorLoops.axpy(g[i * r + q], av, ao + q * in, row, 0, in);
                    }
                    maskedAxpy(s, row, mask, mo + i * in, dxv, dxo + i * in, in);
                }
            } finally {
                pool.release(ROW, holder);
            }
        });
    }

    /** y[yo+j] += s·row[j]·mask[mo+j]. */
    private static void maskedAxpy(float s, float[] row, float[] mask, int mo, float[] y, int yo, int n) {
        int j = 0;
        for (int bnd = Simd.bound(n); j < bnd; j += L) {
            FloatVector.fromArray(S, row, j).mul(FloatVector.fromArray(S, mask, mo + j))
                    .fma(FloatVector.broadcast(S, s), FloatVector.fromArray(S, y, yo + j)).intoArray(y, yo + j);
        }
        for (; j < n; j++) {
            y[yo + j] += s * row[j] * mask[mo + j];
        }
    }

    private static float[] rowBuffer(float[][] holder, int n) {
        if (holder[0].length < n) {
            holder[0] = new float[n];
        }
        return holder[0];
    }
}
