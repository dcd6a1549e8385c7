package dev.peft4j.backend.reference;

import dev.peft4j.tensor.Shapes;
import dev.peft4j.tensor.Tensor;

/** The fused LoRA linear: y = x Wᵀ + b + s·(x̃ Aᵀ) Bᵀ with x̃ = x ⊙ dropMask, computed unfused in double. */
final class ReferenceLora {
    private ReferenceLora() {}

    /**
     * u = x̃ Aᵀ [N,r] (saved), y = x Wᵀ + b + s·u Bᵀ [N,out]. x [N,in], W [out,in], b [out] nullable,
     * A [r,in], B [out,r], dropMask [N,in] nullable. y uses u in double; the saved u is its float rounding.
     */
    static void forward(Tensor x, Tensor w, Tensor bias, Tensor a, Tensor b, float s, Tensor dropMask,
                        Tensor y, Tensor u) {
        int rows = Shapes.rows(x);
        int out = w.dim(0);
        int in = w.dim(1);
        int r = a.dim(0);
        float[] xs = x.data();
        float[] ws = w.data();
        float[] bias0 = bias == null ? null : bias.data();
        float[] as = a.data();
        float[] bs = b.data();
        float[] mask = dropMask == null ? null : dropMask.data();
        float[] ys = y.data();
        float[] us = u.data();
        double[] uRow = new double[r];
        for (int n = 0; n < rows; n++) {
            for (int j = 0; j < r; j++) {
                double sum = 0;
                for (int i = 0; i < in; i++) {
                    sum += dropped(xs, mask, n * in + i) * as[j * in + i];
                }
                uRow[j] = sum;
                us[n * r + j] = (float) sum;
            }
            for (int o = 0; o < out; o++) {
                double base = bias0 == null ? 0 : bias0[o];
                for (int i = 0; i < in; i++) {
                    base += (double) xs[n * in + i] * ws[o * in + i];
                }
                double low = 0;
                for (int j = 0; j < r; j++) {
                    low += uRow[j] * bs[o * r + j];
                }
                ys[n * out + o] = (float) (base + s * low);
            }
        }
    }

    /**
     * Derivation: y[n,o] = Σ_i x[n,i]W[o,i] + s·Σ_j u[n,j]B[o,j], u[n,j] = Σ_i x̃[n,i]A[j,i], x̃ = x ⊙ mask.
     * So dB[o,j] = s·Σ_n dy[n,o]u[n,j]; with g = dy B [N,r] (g[n,j] = Σ_o dy[n,o]B[o,j]),
     * du = s·g, dA[j,i] = s·Σ_n g[n,j]x̃[n,i]; dx̃ = s·g A, and dx = dy W + mask ⊙ dx̃.
     */
    static void backward(Tensor dy, Tensor x, Tensor w, Tensor a, Tensor b, Tensor u, float s, Tensor dropMask,
                         Tensor dx, Tensor dA, Tensor dB) {
        int rows = Shapes.rows(x);
        int out = w.dim(0);
        int in = w.dim(1);
        int r = a.dim(0);
        float[] gy = dy.data();
        float[] xs = x.data();
        float[] ws = w.data();
        float[] as = a.data();
        float[] bs = b.data();
        float[] us = u.data();
        float[] mask = dropMask == null ? null : dropMask.data();
        double[] g = new double[rows * r];
        for (int n = 0; n < rows; n++) {
            for (int j = 0; j < r; j++) {
                double sum = 0;
                for (int o = 0; o < out; o++) {
                    sum += (double) gy[n * out + o] * bs[o * r + j];
                }
                g[n * r + j] = sum;
            }
        }
        if (dB != null) {
            float[] d = dB.data();
            for (int o = 0; o < out; o++) {
                for (int j = 0; j < r; j++) {
                    double sum = 0;
                    for (int n = 0; n < rows; n++) {
                        sum += (double) gy[n * out + o] * us[n * r + j];
                    }
                    d[o * r + j] = (float) (s * sum);
                }
            }
        }
        if (dA != null) {
            float[] d = dA.data();
            for (int j = 0; j < r; j++) {
                for (int i = 0; i < in; i++) {
                    double sum = 0;
                    for (int n = 0; n < rows; n++) {
                        sum += g[n * r + j] * dropped(xs, mask, n * in + i);
                    }
                    d[j * in + i] = (float) (s * sum);
                }
            }
        }
        if (dx != null) {
            float[] d = dx.data();
            for (int n = 0; n < rows; n++) {
                for (int i = 0; i < in; i++) {
                    double base = 0;
                    for (int o = 0; o < out; o++) {
                        base += (double) gy[n * out + o] * ws[o * in + i];
                    }
                    double low = 0;
                    for (int j = 0; j < r; j++) {
                        low += g[n * r + j] * as[j * in + i];
                    }
                    double m = mask == null ? 1.0 : mask[n * in + i];
                    d[n * in + i] = (float) (base + s * low * m);
                }
            }
        }
    }

    /** x̃[idx] = x[idx]·mask[idx], or x[idx] without a mask. */
    private static double dropped(float[] xs, float[] mask, int idx) {
        return mask == null ? xs[idx] : (double) xs[idx] * mask[idx];
    }
}
