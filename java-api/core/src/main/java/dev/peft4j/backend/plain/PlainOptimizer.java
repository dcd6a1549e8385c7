package dev.peft4j.backend.plain;

import dev.peft4j.backend.AdamW;

/**
 * AdamW and global gradient-norm clipping in float32 on the {@link RowPool}, each tensor's elements split over the
 * threads. The equations are the reference's (dev.peft4j.backend.reference.ReferenceOptim); the bias corrections
 * 1/(1 − β^t) are computed once per call in double, not per element. The sum of squares is taken over fixed
 * blocks of {@link #BLOCK} elements, each with a double accumulator, and the blocks' sums are added in order, so
 * the norm does not depend on the thread count.
 */
final class PlainOptimizer {
    /** Elements per block of the sum of squares. */
    static final int BLOCK = 4096;

    private PlainOptimizer() {}

    /**
     * One step on every params[i] with grads[i] and state m[i], v[i] (whole arrays): m ← β1·m + (1−β1)·g,
     * v ← β2·v + (1−β2)·g², m̂ = m/(1−β1^t), v̂ = v/(1−β2^t), θ ← θ − lr·(m̂/(√v̂ + ε) + λ·θ).
     */
    static void adamW(RowPool pool, float[][] params, float[][] grads, float[][] m, float[][] v, AdamW hp, long step) {
        float b1 = hp.beta1(), b2 = hp.beta2();
        float a1 = (float) (1.0 - b1), a2 = (float) (1.0 - b2);
        float c1 = (float) (1.0 / (1.0 - Math.pow(b1, step)));
        float c2 = (float) (1.0 / (1.0 - Math.pow(b2, step)));
        float lr = hp.lr(), eps = hp.eps(), wd = hp.weightDecay();
        for (int t = 0; t < params.length; t++) {
            float[] th = params[t], g = grads[t], ms = m[t], vs = v[t];
            pool.forRows(th.length, 16, (from, to) -> {
                for (int i = from; i < to; i++) {
                    float gi = g[i];
                    float mi = Math.fma(b1, ms[i], a1 * gi);
                    float vi = Math.fma(b2, vs[i], a2 * gi * gi);
                    float p = th[i];
                    th[i] = p - lr * (mi * c1 / ((float) Math.sqrt(vi * c2) + eps) + wd * p);
                    ms[i] = mi;
                    vs[i] = vi;
                }
            });
        }
    }

    /**
     * n = √(Σ ‖g‖²); if n &gt; maxNorm every gradient is multiplied by maxNorm/(n + 1e-6). Returns n. The gradients
     * are whole arrays.
     */
    static float clipGradNorm(RowPool pool, float[][] grads, float maxNorm) {
        double sumSq = 0;
        for (float[] g : grads) {
            int blocks = (g.length + BLOCK - 1) / BLOCK;
            double[] partial = new double[blocks];
            pool.forRows(blocks, 2L * BLOCK, (b0, b1) -> {
                for (int b = b0; b < b1; b++) {
                    double s = 0;
                    for (int i = b * BLOCK, end = Math.min(g.length, i + BLOCK); i < end; i++) {
                        s += (double) g[i] * g[i];
                    }
                    partial[b] = s;
                }
            });
            for (double s : partial) {
                sumSq += s;
            }
        }
        double norm = Math.sqrt(sumSq);
        if (norm > maxNorm) {
            float factor = (float) (maxNorm / (norm + 1e-6));
            for (float[] g : grads) {
                pool.forRows(g.length, 1, (from, to) -> {
                    for (int i = from; i < to; i++) {
                        g[i] *= factor;
                    }
                });
            }
        }
        return (float) norm;
    }
}
