package dev.peft4j.backend.reference;

import dev.peft4j.backend.AdamW;
import dev.peft4j.tensor.Tensor;

/** AdamW, the masked BitFit update and global gradient-norm clipping, each element in double. */
final class ReferenceOptim {
    private ReferenceOptim() {}

    /** One AdamW step (equations in {@link AdamW}) on every params[i] with grads[i] and state m[i], v[i]. */
    static void adamW(Tensor[] params, Tensor[] grads, Tensor[] m, Tensor[] v, AdamW hp, long step) {
        for (int t = 0; t < params.length; t++) {
            float[] theta = params[t].data();
            float[] g = grads[t].data();
            float[] ms = m[t].data();
            float[] vs = v[t].data();
            for (int i = 0; i < theta.length; i++) {
                adamWElement(theta, ms, vs, i, g[i], hp, step);
            }
        }
    }

    /** g = Σ_rows dy (into db if given); AdamW on bias[i], m[i], v[i] only where mask[i] ≠ 0. */
    static void maskedBiasUpdate(Tensor dy, Tensor bias, Tensor mask, Tensor m, Tensor v, AdamW hp, long step,
                                 Tensor db) {
        int dim = bias.dim(0);
        int rows = dim == 0 ? 0 : (int) (dy.numel() / dim);
        float[] grad = new float[dim];
        ReferenceGemm.columnSums(dy.data(), rows, dim, grad, 1.0);
        if (db != null) {
            System.arraycopy(grad, 0, db.data(), 0, dim);
        }
        float[] theta = bias.data();
        float[] keep = mask.data();
        float[] ms = m.data();
        float[] vs = v.data();
        for (int i = 0; i < dim; i++) {
            if (keep[i] != 0f) {
                adamWElement(theta, ms, vs, i, grad[i], hp, step);
            }
        }
    }

    /**
     * m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², m̂ = m/(1−β1^t), v̂ = v/(1−β2^t),
     * θ ← θ − lr·(m̂/(√v̂ + ε) + λ·θ); m and v are stored rounded to float, θ uses the unrounded values.
     */
    private static void adamWElement(float[] theta, float[] ms, float[] vs, int i, double g, AdamW hp, long step) {
        double b1 = hp.beta1();
        double b2 = hp.beta2();
        double mNew = b1 * ms[i] + (1 - b1) * g;
        double vNew = b2 * vs[i] + (1 - b2) * g * g;
        double mHat = mNew / (1 - Math.pow(b1, step));
        double vHat = vNew / (1 - Math.pow(b2, step));
        double p = theta[i];
        theta[i] = (float) (p - (double) hp.lr() * (mHat / (Math.sqrt(vHat) + hp.eps()) + (double) hp.weightDecay() * p));
        ms[i] = (float) mNew;
        vs[i] = (float) vNew;
    }

    /** n = √(Σ ‖g‖²); if n &gt; maxNorm every gradient is multiplied by maxNorm/(n + 1e-6). Returns n. */
    static float clipGradNorm(Tensor[] grads, float maxNorm) {
        double sumSq = 0;
        for (Tensor t : grads) {
            for (float g : t.data()) {
                sumSq += (double) g * g;
            }
        }
        double norm = Math.sqrt(sumSq);
        if (norm > maxNorm) {
            double factor = maxNorm / (norm + 1e-6);
            for (Tensor t : grads) {
                float[] g = t.data();
                for (int i = 0; i < g.length; i++) {
                    g[i] = (float) (g[i] * factor);
                }
            }
        }
        return (float) norm;
    }
}
