package dev.peft4j.cpu;

import static dev.peft4j.cpu.Simd.L;
import static dev.peft4j.cpu.Simd.S;

import dev.peft4j.tensor.Shapes;
import dev.peft4j.tensor.Tensor;
import jdk.incubator.vector.FloatVector;

/**
 * Mixed-adapter LoRA for inference (SGMV): for each row i with α = adapterOfRow[i] ≥ 0,
 * u = s_α·x[i,:] A_αᵀ {@code [r]} (dot products four ranks at a time), then y[i,:] += Σ_q u_q·Bᵀ_α[q,:] with each
 * vector of y accumulated in a register over q. B {@code [k,out,r]} is transposed once per call to Bᵀ
 * {@code [k,r,out]} so both loops run over contiguous memory. Rows are independent: the result does not depend
 * on the thread count.
 */
final class MixedLoraKernels {
    private MixedLoraKernels() {}

    static void forward(WorkerPool pool, Tensor x, Tensor a, Tensor b, Tensor scales, int[] adapterOfRow, Tensor y) {
        int n = Shapes.rows(x);
        int adapters = a.dim(0);
        int r = a.dim(1);
        int in = a.dim(2);
        int out = b.dim(1);
        // each array read and written at its tensor's offset (tensors may wrap part of a caller's array)
        float[] xv = x.array(), av = a.array(), bv = b.array(), sv = scales.array(), yv = y.array();
        int xo = x.offset(), ao = a.offset(), bo = b.offset(), so = scales.offset(), yo = y.offset();
        float[] bt = new float[adapters * r * out];
        for (int k = 0; k < adapters; k++) {
            int base = k * out * r;
            for (int o = 0; o < out; o++) {
                for (int q = 0; q < r; q++) {
                    bt[base + q * out + o] = bv[bo + base + o * r + q];
                }
            }
        }
        pool.parallelRange(n, 16, (from, to) -> {
            float[] u = new float[r];
            for (int i = from; i < to; i++) {
                int k = adapterOfRow[i];
                if (k >= 0) {
                    row(xv, xo + i * in, in, av, ao + k * r * in, r, sv[so + k], bt, k * r * out, out, yv,
                            yo + i * out, u);
                }
            }
        });
    }

    /**
     * One row: u = s·x Aᵀ, four dot products per pass over x (x read once per four ranks); then each vector of y is
     * loaded once, gets Σ_q u_q·Bᵀ[q, ·] accumulated in a register, and is stored once.
     */
    private static void row(float[] x, int xo, int in, float[] a, int ao, int r, float s, float[] bt, int bo, int out,
                            float[] y, int yo, float[] u) {
        int q = 0;
        for (; q + 4 <= r; q += 4) {
            LowRankKernels.dot4(x, xo, null, 0, in, a, ao + q * in, u, q);
        }
        for (; q < r; q++) {
            u[q] = LowRankKernels.dot(x, xo, null, 0, in, a, ao + q * in);
        }
        for (q = 0; q < r; q++) {
            u[q] *= s;
        }
        int o = 0;
        for (int bnd = Simd.bound(out); o < bnd; o += L) {
            FloatVector acc = FloatVector.fromArray(S, y, yo + o);
            for (q = 0; q < r; q++) {
                acc = FloatVector.fromArray(S, bt, bo + q * out + o).fma(FloatVector.broadcast(S, u[q]), acc);
            }
            acc.intoArray(y, yo + o);
        }
        for (; o < out; o++) {
            float acc = y[yo + o];
            for (q = 0; q < r; q++) {
                acc += u[q] * bt[bo + q * out + o];
            }
            y[yo + o] = acc;
        }
    }
}
