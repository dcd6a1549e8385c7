package dev.peft4j.backend.reference;

import dev.peft4j.tensor.Tensor;

/** (IA)³ scaling y = l ⊙ x with l [D] broadcast over the rows of x [.., D], and the bias gradient. */
final class ReferenceScale {
    private ReferenceScale() {}

    /** y[r,i] = l[i]·x[r,i]; y may alias x. */
    static void forward(Tensor x, Tensor l, Tensor y) {
        int dim = l.dim(0);
        float[] xs = x.data();
        float[] ls = l.data();
        float[] ys = y.data();
        for (int idx = 0; idx < xs.length; idx++) {
            ys[idx] = (float) ((double) ls[idx % dim] * xs[idx]);
        }
    }

    /** Derivation: ∂y[r,i]/∂x[r,i] = l[i], ∂y[r,i]/∂l[i] = x[r,i]; so dx = l ⊙ dy and dl = Σ_rows dy ⊙ x. */
    static void backward(Tensor dy, Tensor x, Tensor l, Tensor dx, Tensor dl) {
        int dim = l.dim(0);
        float[] gy = dy.data();
        float[] xs = x.data();
        float[] ls = l.data();
        if (dx != null) {
            float[] d = dx.data();
            for (int idx = 0; idx < xs.length; idx++) {
                d[idx] = (float) ((double) ls[idx % dim] * gy[idx]);
            }
        }
        if (dl != null) {
            double[] sum = new double[dim];
            for (int idx = 0; idx < xs.length; idx++) {
                sum[idx % dim] += (double) gy[idx] * xs[idx];
            }
            float[] d = dl.data();
            for (int i = 0; i < dim; i++) {
                d[i] = (float) sum[i];
            }
        }
    }

    /** db = Σ_rows dy for dy [.., D], db [D]. */
    static void biasGradient(Tensor dy, Tensor db) {
        int dim = db.dim(0);
        int rows = dim == 0 ? 0 : (int) (dy.numel() / dim);
        ReferenceGemm.columnSums(dy.data(), rows, dim, db.data(), 1.0);
    }
}
