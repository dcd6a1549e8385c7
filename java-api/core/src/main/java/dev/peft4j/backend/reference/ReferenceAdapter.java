package dev.peft4j.backend.reference;

import dev.peft4j.backend.Activation;
import dev.peft4j.tensor.Shapes;
import dev.peft4j.tensor.Tensor;

/** The adapter bottleneck y = residual + s·(f(x W_dᵀ + b_d) W_uᵀ + b_u), serial or parallel. */
final class ReferenceAdapter {
    private ReferenceAdapter() {}

    /**
     * z = x W_dᵀ + b_d [N,m] (saved), y = residual + s·(f(z) W_uᵀ + b_u) [N,d]. x, residual [N,d],
     * W_d [m,d], b_d [m], W_u [d,m], b_u [d] (biases nullable). Works a row at a time and reads row n of x and
     * residual before writing row n of y, so y may alias residual (and even x).
     */
    static void forward(Tensor x, Tensor residual, Tensor wDown, Tensor bDown, Tensor wUp, Tensor bUp,
                        Activation f, float s, Tensor y, Tensor z) {
        int rows = Shapes.rows(x);
        int m = wDown.dim(0);
        int d = wDown.dim(1);
        float[] xs = x.data();
        float[] res = residual.data();
        float[] wd = wDown.data();
        float[] bd = bDown == null ? null : bDown.data();
        float[] wu = wUp.data();
        float[] bu = bUp == null ? null : bUp.data();
        float[] ys = y.data();
        float[] zs = z.data();
        double[] h = new double[m];
        double[] yRow = new double[d];
        for (int n = 0; n < rows; n++) {
            for (int j = 0; j < m; j++) {
                double sum = bd == null ? 0 : bd[j];
                for (int i = 0; i < d; i++) {
                    sum += (double) xs[n * d + i] * wd[j * d + i];
                }
                zs[n * m + j] = (float) sum;
                h[j] = ReferenceActivations.value(f, sum);
            }
            for (int i = 0; i < d; i++) {
                double sum = bu == null ? 0 : bu[i];
                for (int j = 0; j < m; j++) {
                    sum += h[j] * wu[i * m + j];
                }
                yRow[i] = res[n * d + i] + s * sum;
            }
            for (int i = 0; i < d; i++) {
                ys[n * d + i] = (float) yRow[i];
            }
        }
    }

    /**
     * Derivation, with h = f(z) and a = h W_uᵀ + b_u so that y = residual + s·a:
     * da = s·dy; dW_u = daᵀ h = s·dyᵀ h; db_u = Σ_rows da = s·Σ_rows dy; dh = da W_u = s·dy W_u;
     * dz = dh ⊙ f'(z); dW_d = dzᵀ x; db_d = Σ_rows dz; dx = dz W_d (adapter path only);
     * dScale = ∂L/∂s = Σ dy ⊙ a.
     */
    static void backward(Tensor dy, Tensor x, Tensor wDown, Tensor wUp, Tensor bUp, Activation f, float s, Tensor z,
                         Tensor dx, Tensor dWDown, Tensor dbDown, Tensor dWUp, Tensor dbUp, Tensor dScale) {
        int rows = Shapes.rows(x);
        int m = wDown.dim(0);
        int d = wDown.dim(1);
        float[] gy = dy.data();
        float[] xs = x.data();
        float[] wd = wDown.data();
        float[] wu = wUp.data();
        float[] bu = bUp == null ? null : bUp.data();
        float[] zs = z.data();
        double[] h = new double[rows * m];
        double[] dz = new double[rows * m];
        double scaleGrad = 0;
        for (int n = 0; n < rows; n++) {
            for (int j = 0; j < m; j++) {
                h[n * m + j] = ReferenceActivations.value(f, zs[n * m + j]);
            }
            for (int j = 0; j < m; j++) {
                double dh = 0;
                for (int i = 0; i < d; i++) {
                    dh += (double) gy[n * d + i] * wu[i * m + j];
                }
                dz[n * m + j] = s * dh * ReferenceActivations.derivative(f, zs[n * m + j]);
            }
            for (int i = 0; i < d; i++) {
                double a = bu == null ? 0 : bu[i];
                for (int j = 0; j < m; j++) {
                    a += h[n * m + j] * wu[i * m + j];
                }
                scaleGrad += gy[n * d + i] * a;
            }
        }
        if (dWUp != null) {
            float[] out = dWUp.data();
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < m; j++) {
                    double sum = 0;
                    for (int n = 0; n < rows; n++) {
                        sum += gy[n * d + i] * h[n * m + j];
                    }
                    out[i * m + j] = (float) (s * sum);
                }
            }
        }
        if (dbUp != null) {
            ReferenceGemm.columnSums(gy, rows, d, dbUp.data(), s);
        }
        if (dWDown != null) {
            float[] out = dWDown.data();
            for (int j = 0; j < m; j++) {
                for (int i = 0; i < d; i++) {
                    double sum = 0;
                    for (int n = 0; n < rows; n++) {
                        sum += dz[n * m + j] * xs[n * d + i];
                    }
                    out[j * d + i] = (float) sum;
                }
            }
        }
        if (dbDown != null) {
            float[] out = dbDown.data();
            for (int j = 0; j < m; j++) {
                double sum = 0;
                for (int n = 0; n < rows; n++) {
                    sum += dz[n * m + j];
                }
                out[j] = (float) sum;
            }
        }
        if (dx != null) {
            float[] out = dx.data();
            for (int n = 0; n < rows; n++) {
                for (int i = 0; i < d; i++) {
                    double sum = 0;
                    for (int j = 0; j < m; j++) {
                        sum += dz[n * m + j] * wd[j * d + i];
                    }
                    out[n * d + i] = (float) sum;
                }
            }
        }
        if (dScale != null) {
            dScale.data()[0] = (float) scaleGrad;
        }
    }
}
