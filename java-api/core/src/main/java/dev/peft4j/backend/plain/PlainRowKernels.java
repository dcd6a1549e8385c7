package dev.peft4j.backend.plain;

import dev.peft4j.backend.Backend;

/**
 * The plain backend's row-wise kernels in float32 on the {@link RowPool}: layer norm, softmax, cross-entropy and
 * the bias gradient. The equations are the reference's (dev.peft4j.backend.reference.ReferenceNorm, ReferenceLoss,
 * ReferenceScale). Every element is computed in float; a row's sums (mean, variance, Σe, dot products) keep a
 * double accumulator, which costs a scalar loop nothing. Kernels that write per row split the rows over the
 * pool; the bias gradient, a sum over rows, splits the columns instead, each column summed over the rows in
 * order (layer norm's backward: partial sums of fixed blocks of rows, added in block order); the loss sums its
 * per-row terms in row order. So no result depends on the thread count. Arrays are whole
 * tensors from index 0 (the backend stages the others).
 */
final class PlainRowKernels {
    private PlainRowKernels() {}

    /**
     * Per row of x [rows,D]: μ = Σx/D, var = Σ(x − μ)²/D (two passes), rstd = 1/√(var + eps),
     * y = (x − μ)·rstd·γ + β (beta nullable). mean, rstd [rows] receive μ and rstd.
     */
    static void layerNormForward(RowPool pool, float[] x, float[] gamma, float[] beta, float eps, float[] y,
                                 float[] mean, float[] rstd, int rows, int dim) {
        pool.forRows(rows, 6L * dim, (from, to) -> {
            for (int r = from; r < to; r++) {
                int o = r * dim;
                double sum = 0;
                for (int i = 0; i < dim; i++) {
                    sum += x[o + i];
                }
                float mu = (float) (sum / dim);
                double sq = 0;
                for (int i = 0; i < dim; i++) {
                    float c = x[o + i] - mu;
                    sq += c * c;
                }
                float rs = (float) (1.0 / Math.sqrt(sq / dim + eps));
                if (beta == null) {
                    for (int i = 0; i < dim; i++) {
                        y[o + i] = (x[o + i] - mu) * rs * gamma[i];
                    }
                } else {
                    for (int i = 0; i < dim; i++) {
                        y[o + i] = (x[o + i] - mu) * rs * gamma[i] + beta[i];
                    }
                }
                mean[r] = mu;
                rstd[r] = rs;
            }
        });
    }

    /** Rows per block of layer norm's backward: each block's partial dγ, dβ are summed in block order. */
    static final int NORM_BLOCK_ROWS = 32;

    /**
     * With x̂ = (x − μ)·rstd (the saved μ and rstd) and ĝ = dy ⊙ γ: dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ ⊙ x̂)),
     * dγ = Σ_rows dy ⊙ x̂, dβ = Σ_rows dy (each of dx, dGamma, dBeta nullable). One pass over blocks of
     * {@link #NORM_BLOCK_ROWS} rows: a block writes its rows of dx and its own partial column sums (double); the
     * partials are then added in block order, so the sums do not depend on how the blocks fall on the threads.
     */
    static void layerNormBackward(RowPool pool, float[] dy, float[] x, float[] gamma, float[] mean, float[] rstd,
                                  float[] dx, float[] dGamma, float[] dBeta, int rows, int dim) {
        int blocks = (rows + NORM_BLOCK_ROWS - 1) / NORM_BLOCK_ROWS;
        boolean sums = dGamma != null || dBeta != null;
        double[][] partialGamma = sums ? new double[blocks][] : null;
        double[][] partialBeta = sums ? new double[blocks][] : null;
        pool.forRows(blocks, 10L * NORM_BLOCK_ROWS * dim, (b0, b1) -> {
            float[] xhat = new float[dim];
            for (int b = b0; b < b1; b++) {
                double[] sg = sums ? new double[dim] : null, sb = sums ? new double[dim] : null;
                for (int r = b * NORM_BLOCK_ROWS, end = Math.min(rows, r + NORM_BLOCK_ROWS); r < end; r++) {
                    int o = r * dim;
                    float mu = mean[r], rs = rstd[r];
                    double sumG = 0, sumGX = 0;
                    for (int i = 0; i < dim; i++) {
                        float xh = (x[o + i] - mu) * rs;
                        float gh = dy[o + i] * gamma[i];
                        xhat[i] = xh;
                        sumG += gh;
                        sumGX += gh * xh;
                    }
                    if (sums) {
                        for (int i = 0; i < dim; i++) {
                            float g = dy[o + i];
                            sg[i] += g * xhat[i];
                            sb[i] += g;
                        }
                    }
                    if (dx != null) {
                        float meanG = (float) (sumG / dim), meanGX = (float) (sumGX / dim);
                        for (int i = 0; i < dim; i++) {
                            dx[o + i] = rs * (dy[o + i] * gamma[i] - meanG - xhat[i] * meanGX);
                        }
                    }
                }
                if (sums) {
                    partialGamma[b] = sg;
                    partialBeta[b] = sb;
                }
            }
        });
        if (sums) {
            storeSums(partialGamma, dGamma, dim);
            storeSums(partialBeta, dBeta, dim);
        }
    }

    /** dst[i] = Σ_b partial[b][i] in block order (dst null: nothing). */
    private static void storeSums(double[][] partial, float[] dst, int dim) {
        if (dst == null) {
            return;
        }
        double[] total = new double[dim];
        for (double[] p : partial) {
            for (int i = 0; i < dim; i++) {
                total[i] += p[i];
            }
        }
        for (int i = 0; i < dim; i++) {
            dst[i] = (float) total[i];
        }
    }

    /** y = softmax(x) per row of cols: e^(x − max)/Σ e^(x − max). y may alias x. */
    static void softmaxForward(RowPool pool, float[] x, float[] y, int rows, int cols) {
        pool.forRows(rows, 16L * cols, (from, to) -> {
            for (int r = from; r < to; r++) {
                softmaxRow(x, y, r * cols, cols);
            }
        });
    }

    /** Derivation: ∂y_i/∂x_k = y_i(δ_ik − y_k), so dx = y ⊙ (dy − Σ_k dy_k y_k), per row. */
    static void softmaxBackward(RowPool pool, float[] dy, float[] y, float[] dx, int rows, int cols) {
        pool.forRows(rows, 4L * cols, (from, to) -> {
            for (int r = from; r < to; r++) {
                int o = r * cols;
                double dot = 0;
                for (int i = 0; i < cols; i++) {
                    dot += dy[o + i] * y[o + i];
                }
                float d = (float) dot;
                for (int i = 0; i < cols; i++) {
                    dx[o + i] = y[o + i] * (dy[o + i] - d);
                }
            }
        });
    }

    /**
     * probs = softmax(logits) per row [N,C] (ignored rows too); returns (1/count)·Σ_{counted i} (lse_i − z[i, t_i]),
     * the mean of −log probs[i, t_i] from the log-sum-exp, rows with target {@link Backend#IGNORE_INDEX} not
     * counted; 0 when none counts.
     */
    static float crossEntropyForward(RowPool pool, float[] logits, int[] targets, float[] probs, int rows, int cols) {
        double[] terms = new double[rows];
        pool.forRows(rows, 16L * cols, (from, to) -> {
            for (int r = from; r < to; r++) {
                double lse = softmaxRow(logits, probs, r * cols, cols);
                if (targets[r] != Backend.IGNORE_INDEX) {
                    terms[r] = lse - logits[r * cols + targets[r]];
                }
            }
        });
        double total = 0;
        int count = 0;
        for (int r = 0; r < rows; r++) {
            if (targets[r] != Backend.IGNORE_INDEX) {
                total += terms[r];
                count++;
            }
        }
        return count == 0 ? 0f : (float) (total / count);
    }

    /** dLogits = scale·(probs − onehot(targets))/count for counted rows, 0 for ignored ones. */
    static void crossEntropyBackward(RowPool pool, float[] probs, int[] targets, float scale, float[] dLogits,
                                     int rows, int cols) {
        int count = 0;
        for (int t : targets) {
            if (t != Backend.IGNORE_INDEX) {
                count++;
            }
        }
        float k = count == 0 ? 0f : (float) ((double) scale / count);
        pool.forRows(rows, cols, (from, to) -> {
            for (int r = from; r < to; r++) {
                int o = r * cols, t = targets[r];
                if (t == Backend.IGNORE_INDEX) {
                    java.util.Arrays.fill(dLogits, o, o + cols, 0f);
                    continue;
                }
                for (int c = 0; c < cols; c++) {
                    dLogits[o + c] = k * probs[o + c];
                }
                dLogits[o + t] = k * (probs[o + t] - 1f);
            }
        });
    }

    /** db = Σ_rows dy for dy [rows, D], db [D]: columns split over the pool, each summed over rows in order. */
    static void biasGradient(RowPool pool, float[] dy, float[] db, int rows, int dim) {
        pool.forRows(dim, rows, (c0, c1) -> {
            double[] s = new double[c1 - c0];
            for (int r = 0; r < rows; r++) {
                int o = r * dim;
                for (int i = c0; i < c1; i++) {
                    s[i - c0] += dy[o + i];
                }
            }
            for (int i = c0; i < c1; i++) {
                db[i] = (float) s[i - c0];
            }
        });
    }

    /** dst[off, off + cols) = softmax(src[off, off + cols)) in float; returns the row's log-sum-exp. dst may be src. */
    private static double softmaxRow(float[] src, float[] dst, int off, int cols) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < cols; i++) {
            max = Math.max(max, src[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < cols; i++) {
            float e = (float) Math.exp((double) src[off + i] - max); // the difference exact, as the reference's
            dst[off + i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < cols; i++) {
            dst[off + i] *= inv;
        }
        return max + Math.log(sum);
    }
}
