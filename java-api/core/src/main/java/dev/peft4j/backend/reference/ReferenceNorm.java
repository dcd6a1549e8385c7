package dev.peft4j.backend.reference;

import dev.peft4j.tensor.Shapes;
import dev.peft4j.tensor.Tensor;

/** Row-wise normalisations: layer norm and softmax over the last dimension. */
final class ReferenceNorm {
    private ReferenceNorm() {}

    /**
     * Per row of x [rows,D]: μ = Σx/D, var = Σ(x − μ)²/D (two passes), rstd = 1/√(var + eps),
     * y = (x − μ)·rstd·γ + β. mean, rstd [rows] receive μ and rstd.
     */
    static void layerNormForward(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor mean, Tensor rstd) {
        int rows = Shapes.rows(x);
        int dim = gamma.dim(0);
        float[] xs = x.data();
        float[] g = gamma.data();
        float[] bt = beta == null ? null : beta.data();
        float[] ys = y.data();
        for (int r = 0; r < rows; r++) {
            int o = r * dim;
            double mu = 0;
            for (int i = 0; i < dim; i++) {
                mu += xs[o + i];
            }
            mu /= dim;
            double var = 0;
            for (int i = 0; i < dim; i++) {
                double c = xs[o + i] - mu;
                var += c * c;
            }
            var /= dim;
            double rs = 1.0 / Math.sqrt(var + eps);
            for (int i = 0; i < dim; i++) {
                double v = (xs[o + i] - mu) * rs * g[i] + (bt == null ? 0 : bt[i]);
                ys[o + i] = (float) v;
            }
            mean.data()[r] = (float) mu;
            rstd.data()[r] = (float) rs;
        }
    }

    /**
     * Derivation: x̂ = (x − μ)·rstd, y = x̂ ⊙ γ + β. dγ = Σ_rows dy ⊙ x̂, dβ = Σ_rows dy; with ĝ = dy ⊙ γ,
     * ∂x̂_i/∂x_k = rstd·(δ_ik − 1/D − x̂_i x̂_k/D), hence dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ ⊙ x̂)).
     * μ and rstd are the saved values.
     */
    static void layerNormBackward(Tensor dy, Tensor x, Tensor gamma, Tensor mean, Tensor rstd,
                                  Tensor dx, Tensor dGamma, Tensor dBeta) {
        int rows = Shapes.rows(x);
        int dim = gamma.dim(0);
        float[] gy = dy.data();
        float[] xs = x.data();
        float[] g = gamma.data();
        float[] mu = mean.data();
        float[] rs = rstd.data();
        double[] sumGamma = new double[dim];
        double[] sumBeta = new double[dim];
        double[] xhat = new double[dim];
        for (int r = 0; r < rows; r++) {
            int o = r * dim;
            double meanG = 0;
            double meanGX = 0;
            for (int i = 0; i < dim; i++) {
                xhat[i] = (xs[o + i] - (double) mu[r]) * rs[r];
                double gh = (double) gy[o + i] * g[i];
                meanG += gh;
                meanGX += gh * xhat[i];
                sumGamma[i] += gy[o + i] * xhat[i];
                sumBeta[i] += gy[o + i];
            }
            meanG /= dim;
            meanGX /= dim;
            if (dx != null) {
                float[] d = dx.data();
                for (int i = 0; i < dim; i++) {
                    double gh = (double) gy[o + i] * g[i];
                    d[o + i] = (float) (rs[r] * (gh - meanG - xhat[i] * meanGX));
                }
            }
        }
        if (dGamma != null) {
            store(sumGamma, dGamma.data());
        }
        if (dBeta != null) {
            store(sumBeta, dBeta.data());
        }
    }

    /** y = softmax(x) per row: e^(x − max)/Σ e^(x − max). y may alias x (a row is fully read first). */
    static void softmaxForward(Tensor x, Tensor y) {
        int cols = x.dim(-1);
        int rows = cols == 0 ? 0 : (int) (x.numel() / cols);
        float[] xs = x.data();
        float[] ys = y.data();
        double[] e = new double[cols];
        for (int r = 0; r < rows; r++) {
            softmaxRow(xs, r * cols, cols, e);
            for (int i = 0; i < cols; i++) {
                ys[r * cols + i] = (float) e[i];
            }
        }
    }

    /** dst = softmax(src[off, off + cols)) in double; returns log Σ e^(src), the row's log-sum-exp. */
    static double softmaxRow(float[] src, int off, int cols, double[] dst) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < cols; i++) {
            max = Math.max(max, src[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < cols; i++) {
            dst[i] = Math.exp(src[off + i] - max);
            sum += dst[i];
        }
        for (int i = 0; i < cols; i++) {
            dst[i] /= sum;
        }
        return max + Math.log(sum);
    }

    /** Derivation: y_i = e^(x_i)/Σe, ∂y_i/∂x_k = y_i(δ_ik − y_k), so dx = y ⊙ (dy − Σ_k dy_k y_k). */
    static void softmaxBackward(Tensor dy, Tensor y, Tensor dx) {
        int cols = y.dim(-1);
        int rows = cols == 0 ? 0 : (int) (y.numel() / cols);
        float[] gy = dy.data();
        float[] ys = y.data();
        float[] d = dx.data();
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            double dot = 0;
            for (int i = 0; i < cols; i++) {
                dot += (double) gy[o + i] * ys[o + i];
            }
            for (int i = 0; i < cols; i++) {
                d[o + i] = (float) (ys[o + i] * (gy[o + i] - dot));
            }
        }
    }

    private static void store(double[] src, float[] dst) {
        for (int i = 0; i < src.length; i++) {
            dst[i] = (float) src[i];
        }
    }
}
