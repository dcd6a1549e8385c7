package dev.peft4j.cpu;

import static dev.peft4j.cpu.GemmOperand.left;
import static dev.peft4j.cpu.GemmOperand.right;
import static dev.peft4j.cpu.Simd.L;
import static dev.peft4j.cpu.Simd.S;

import dev.peft4j.tensor.Shapes;
import dev.peft4j.tensor.Tensor;
import jdk.incubator.vector.FloatVector;

/**
 * The fused LoRA linear. Forward: u = x̃ Aᵀ {@code [N,r]} (x̃ = x ⊙ dropMask, the mask applied while packing),
 * then ONE GEMM over the augmented k = in + r: y = [x, s·u]·[W, B]ᵀ + b, so the low-rank term rides in the
 * base product's accumulators and y is written once.
 *
 * <p>Backward (y = x Wᵀ + b + s·u Bᵀ, u = x̃ Aᵀ): ∂L/∂u = s·dy B = s·g with g = dy B {@code [N,r]};
 * dB = s·dyᵀ u (computed as its transpose s·uᵀ dy); dA = (s·g)ᵀ x̃ = s·gᵀ x̃; dx = dy W + (s·g A) ⊙ dropMask. Without a mask dx is again one
 * augmented GEMM, dx = [dy, s·g]·[W; A] over k = out + r; with a mask the low-rank part is added row by row
 * (r axpys into a one-row buffer, then a masked axpy), so no [N,in] temporary exists.
 */
final class LoraKernels {
    private static final ThreadLocal<float[][]> ROW = ThreadLocal.withInitial(() -> new float[1][0]);

    private LoraKernels() {}

    static void forward(WorkerPool pool, Tensor x, Tensor w, Tensor bias, Tensor a, Tensor b, float s,
                        Tensor dropMask, Tensor y, Tensor u) {
        int n = Shapes.rows(x);
        int in = x.dim(-1);
        int out = w.dim(0);
        int r = a.dim(0);
        float[] mask = dropMask == null ? null : dropMask.data();
        Sgemm.gemm(pool, n, r, left(x.data(), 0, false, in, in).masked(mask), right(a.data(), 0, true, in, in),
                u.data(), 0, r, Sgemm.Epilogue.OVERWRITE);
        GemmOperand lhs = left(x.data(), 0, false, in, in).concat(left(u.data(), 0, false, r, r).scaled(s));
        GemmOperand rhs = right(w.data(), 0, true, in, in).concat(right(b.data(), 0, true, r, r));
        Sgemm.gemm(pool, n, out, lhs, rhs, y.data(), 0, out, LinearKernels.epilogue(bias));
    }

    static void backward(WorkerPool pool, Tensor dy, Tensor x, Tensor w, Tensor a, Tensor b, Tensor u, float s,
                         Tensor dropMask, Tensor dx, Tensor dA, Tensor dB) {
        int n = Shapes.rows(dy);
        int out = dy.dim(-1);
        int in = w.dim(1);
        int r = a.dim(0);
        float[] mask = dropMask == null ? null : dropMask.data();
        if (dB != null) {
            // dBᵀ = s·uᵀ dy {@code [r,out]}: dy is then the right operand, whose packing is a vector copy of rows
            // (as the left operand dyᵀ it would be a strided scalar gather); the small result is transposed.
            float[] dBt = new float[r * out];
            Sgemm.gemm(pool, r, out, left(u.data(), 0, true, r, n).scaled(s), right(dy.data(), 0, false, out, n),
                    dBt, 0, out, Sgemm.Epilogue.OVERWRITE);
            float[] dBv = dB.data();
            for (int q = 0; q < r; q++) {
                for (int o = 0; o < out; o++) {
                    dBv[o * r + q] = dBt[q * out + o];
                }
            }
        }
        if (dx == null && dA == null) {
            return;
        }
        float[] g = new float[n * r];
        Sgemm.gemm(pool, n, r, left(dy.data(), 0, false, out, out), right(b.data(), 0, false, r, out),
                g, 0, r, Sgemm.Epilogue.OVERWRITE);
        if (dA != null) {
            Sgemm.gemm(pool, r, in, left(g, 0, true, r, n).scaled(s), right(x.data(), 0, false, in, n).masked(mask),
                    dA.data(), 0, in, Sgemm.Epilogue.OVERWRITE);
        }
        if (dx == null) {
            return;
        }
        if (mask == null) {
            GemmOperand lhs = left(dy.data(), 0, false, out, out).concat(left(g, 0, false, r, r).scaled(s));
            GemmOperand rhs = right(w.data(), 0, false, in, out).concat(right(a.data(), 0, false, in, r));
            Sgemm.gemm(pool, n, in, lhs, rhs, dx.data(), 0, in, Sgemm.Epilogue.OVERWRITE);
            return;
        }
        Sgemm.gemm(pool, n, in, left(dy.data(), 0, false, out, out), right(w.data(), 0, false, in, out),
                dx.data(), 0, in, Sgemm.Epilogue.OVERWRITE);
        float[] av = a.data();
        float[] dxv = dx.data();
        pool.parallelRange(n, 16, (from, to) -> {
            float[] row = rowBuffer(in);
            for (int i = from; i < to; i++) {
                java.util.Arrays.fill(row, 0, in, 0f);
                for (int q = 0; q < r; q++) {
                    VectorLoops.axpy(g[i * r + q], av, q * in, row, 0, in);
                }
                maskedAxpy(s, row, mask, i * in, dxv, i * in, in);
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

    private static float[] rowBuffer(int n) {
        float[][] holder = ROW.get();
        if (holder[0].length < n) {
            holder[0] = new float[n];
        }
        return holder[0];
    }
}
