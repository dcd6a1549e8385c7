package dev.peft4j.cpu;

import dev.peft4j.tensor.Shapes;
import dev.peft4j.tensor.Tensor;

/**
 * Mixed-adapter LoRA for inference (SGMV): for each row i with α = adapterOfRow[i] ≥ 0,
 * u = x[i,:] A_αᵀ {@code [r]} (r dot products over one row of x, which stays in L1), then
 * y[i,:] += Σ_q (s_α·u_q)·Bᵀ_α[q,:] (r axpys over one row of y). B {@code [k,out,r]} is transposed once per call to
 * Bᵀ {@code [k,r,out]} so both loops run over contiguous memory. Rows are independent: the result does not depend
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
        float[] xv = x.data();
        float[] av = a.data();
        float[] bv = b.data();
        float[] sv = scales.data();
        float[] yv = y.data();
        float[] bt = new float[adapters * r * out];
        for (int k = 0; k < adapters; k++) {
            int base = k * out * r;
            for (int o = 0; o < out; o++) {
                for (int q = 0; q < r; q++) {
                    bt[base + q * out + o] = bv[base + o * r + q];
                }
            }
        }
        pool.parallelRange(n, 16, (from, to) -> {
            float[] u = new float[r];
            for (int i = from; i < to; i++) {
                int k = adapterOfRow[i];
                if (k < 0) {
                    continue;
                }
                int aOff = k * r * in;
                for (int q = 0; q < r; q++) {
                    u[q] = sv[k] * VectorLoops.dot(xv, i * in, av, aOff + q * in, in);
                }
                int btOff = k * r * out;
                for (int q = 0; q < r; q++) {
                    VectorLoops.axpy(u[q], bt, btOff + q * out, yv, i * out, out);
                }
            }
        });
    }
}
