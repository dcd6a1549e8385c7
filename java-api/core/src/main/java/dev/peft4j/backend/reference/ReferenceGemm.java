package dev.peft4j.backend.reference;

import dev.peft4j.tensor.Shapes;
import dev.peft4j.tensor.Tensor;

/** General matrix products and the dense linear layer, as plain triple loops with double accumulation. */
final class ReferenceGemm {
    private ReferenceGemm() {}

    /**
     * C = α·op(A)·op(B) + β·C per batch index. Rank 2: op(A) [m,k], op(B) [k,n], C [m,n]; rank 3 adds a
     * leading batch dimension to all three. With β = 0, C is only written.
     */
    static void gemm(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, float alpha, float beta) {
        int r = a.rank();
        int batch = r == 3 ? a.dim(0) : 1;
        int aRows = a.dim(r - 2);
        int aCols = a.dim(r - 1);
        int bRows = b.dim(r - 2);
        int bCols = b.dim(r - 1);
        int m = transA ? aCols : aRows;
        int k = transA ? aRows : aCols;
        int n = transB ? bRows : bCols;
        float[] as = a.data();
        float[] bs = b.data();
        float[] cs = c.data();
        for (int p = 0; p < batch; p++) {
            int aOff = p * aRows * aCols;
            int bOff = p * bRows * bCols;
            int cOff = p * m * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    for (int l = 0; l < k; l++) {
                        double av = transA ? as[aOff + l * aCols + i] : as[aOff + i * aCols + l];
                        double bv = transB ? bs[bOff + j * bCols + l] : bs[bOff + l * bCols + j];
                        sum += av * bv;
                    }
                    double result = alpha * sum;
                    if (beta != 0) {
                        result += (double) beta * cs[cOff + i * n + j];
                    }
                    cs[cOff + i * n + j] = (float) result;
                }
            }
        }
    }

    /** y = x Wᵀ + b. x [N,in], W [out,in], b [out] nullable, y [N,out]. */
    static void linearForward(Tensor x, Tensor w, Tensor bias, Tensor y) {
        int rows = Shapes.rows(x);
        int out = w.dim(0);
        int in = w.dim(1);
        float[] xs = x.data();
        float[] ws = w.data();
        float[] bs = bias == null ? null : bias.data();
        float[] ys = y.data();
        for (int nIdx = 0; nIdx < rows; nIdx++) {
            for (int o = 0; o < out; o++) {
                double sum = bs == null ? 0 : bs[o];
                for (int i = 0; i < in; i++) {
                    sum += (double) xs[nIdx * in + i] * ws[o * in + i];
                }
                ys[nIdx * out + o] = (float) sum;
            }
        }
    }

    /**
     * From y = x Wᵀ + b, i.e. y[n,o] = Σ_i x[n,i]·W[o,i] + b[o]:
     * dx[n,i] = Σ_o dy[n,o]·W[o,i] (dx = dy W), dW[o,i] = Σ_n dy[n,o]·x[n,i] (dW = dyᵀ x), db[o] = Σ_n dy[n,o].
     */
    static void linearBackward(Tensor dy, Tensor x, Tensor w, Tensor dx, Tensor dw, Tensor db) {
        int rows = Shapes.rows(x);
        int out = w.dim(0);
        int in = w.dim(1);
        float[] g = dy.data();
        float[] xs = x.data();
        float[] ws = w.data();
        if (dx != null) {
            float[] d = dx.data();
            for (int nIdx = 0; nIdx < rows; nIdx++) {
                for (int i = 0; i < in; i++) {
                    double sum = 0;
                    for (int o = 0; o < out; o++) {
                        sum += (double) g[nIdx * out + o] * ws[o * in + i];
                    }
                    d[nIdx * in + i] = (float) sum;
                }
            }
        }
        if (dw != null) {
            float[] d = dw.data();
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    double sum = 0;
                    for (int nIdx = 0; nIdx < rows; nIdx++) {
                        sum += (double) g[nIdx * out + o] * xs[nIdx * in + i];
                    }
                    d[o * in + i] = (float) sum;
                }
            }
        }
        if (db != null) {
            columnSums(g, rows, out, db.data(), 1.0);
        }
    }

    /** dst[j] = factor·Σ_rows src[row, j] for a row-major src [rows, cols]. */
    static void columnSums(float[] src, int rows, int cols, float[] dst, double factor) {
        for (int j = 0; j < cols; j++) {
            double sum = 0;
            for (int i = 0; i < rows; i++) {
                sum += src[i * cols + j];
            }
            dst[j] = (float) (factor * sum);
        }
    }
}
