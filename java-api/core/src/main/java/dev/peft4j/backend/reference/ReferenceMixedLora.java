package dev.peft4j.backend.reference;

import dev.peft4j.tensor.Shapes;
import dev.peft4j.tensor.Tensor;

/** Mixed-adapter LoRA (SGMV) for inference: y[i,:] += s_α·(x[i,:] A_αᵀ) B_αᵀ with α = adapterOfRow[i], in double. */
final class ReferenceMixedLora {
    private ReferenceMixedLora() {}

    /**
     * x [N,in], a [k,r,in], b [k,out,r], scales [k], adapterOfRow [N] (−1: row untouched), y [N,out] updated:
     * u_j = Σ_i x[n,i]·A_α[j,i] and y[n,o] = y[n,o] + s_α·Σ_j u_j·B_α[o,j], rounded to float once.
     */
    static void forward(Tensor x, Tensor a, Tensor b, Tensor scales, int[] adapterOfRow, Tensor y) {
        int rows = Shapes.rows(x);
        int in = a.dim(2);
        int r = a.dim(1);
        int out = b.dim(1);
        float[] xs = x.data();
        float[] as = a.data();
        float[] bs = b.data();
        float[] ss = scales.data();
        float[] ys = y.data();
        double[] u = new double[r];
        for (int n = 0; n < rows; n++) {
            int adapter = adapterOfRow[n];
            if (adapter < 0) {
                continue;
            }
            int aOff = adapter * r * in;
            int bOff = adapter * out * r;
            for (int j = 0; j < r; j++) {
                double sum = 0;
                for (int i = 0; i < in; i++) {
                    sum += (double) xs[n * in + i] * as[aOff + j * in + i];
                }
                u[j] = sum;
            }
            for (int o = 0; o < out; o++) {
                double low = 0;
                for (int j = 0; j < r; j++) {
                    low += u[j] * bs[bOff + o * r + j];
                }
                ys[n * out + o] = (float) (ys[n * out + o] + ss[adapter] * low);
            }
        }
    }
}
