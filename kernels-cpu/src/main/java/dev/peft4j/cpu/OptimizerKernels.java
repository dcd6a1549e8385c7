package dev.peft4j.cpu;

import static dev.peft4j.cpu.Simd.L;
import static dev.peft4j.cpu.Simd.S;

import dev.peft4j.backend.AdamW;
import dev.peft4j.tensor.Shapes;
import dev.peft4j.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * AdamW (m ← β1 m + (1−β1) g, v ← β2 v + (1−β2) g², θ ← θ − lr·(m̂/(√v̂ + ε) + λθ), m̂ = m/(1−β1^t),
 * v̂ = v/(1−β2^t)), global norm clipping, BitFit's masked bias update, and bias gradients.
 */
final class OptimizerKernels {
    private OptimizerKernels() {}

    static void adamW(WorkerPool pool, Tensor[] params, Tensor[] grads, Tensor[] m, Tensor[] v, AdamW hp, long step) {
        float c1 = (float) (1.0 / (1 - Math.pow(hp.beta1(), step)));
        float c2 = (float) (1.0 / (1 - Math.pow(hp.beta2(), step)));
        for (int t = 0; t < params.length; t++) {
            float[] th = params[t].data(), g = grads[t].data(), mv = m[t].data(), vv = v[t].data();
            int n = th.length;
            pool.parallelRange(n, 1 << 15, (from, to) -> adamRange(th, g, mv, vv, from, to, hp, c1, c2));
        }
    }

    private static void adamRange(float[] th, float[] g, float[] mv, float[] vv, int from, int to, AdamW hp,
                                  float c1, float c2) {
        float b1 = hp.beta1(), b2 = hp.beta2(), lr = hp.lr(), eps = hp.eps(), wd = hp.weightDecay();
        int i = from;
        for (int bnd = from + Simd.bound(to - from); i < bnd; i += L) {
            FloatVector gi = FloatVector.fromArray(S, g, i);
            FloatVector mi = FloatVector.fromArray(S, mv, i).mul(b1).add(gi.mul(1f - b1));
            FloatVector vi = FloatVector.fromArray(S, vv, i).mul(b2).add(gi.mul(gi).mul(1f - b2));
            mi.intoArray(mv, i);
            vi.intoArray(vv, i);
            FloatVector p = FloatVector.fromArray(S, th, i);
            FloatVector upd = mi.mul(c1).div(vi.mul(c2).lanewise(VectorOperators.SQRT).add(eps)).add(p.mul(wd));
            p.sub(upd.mul(lr)).intoArray(th, i);
        }
        for (; i < to; i++) {
            adamElement(th, g[i], mv, vv, i, b1, b2, lr, eps, wd, c1, c2);
        }
    }

    private static void adamElement(float[] th, float g, float[] mv, float[] vv, int i, float b1, float b2, float lr,
                                    float eps, float wd, float c1, float c2) {
        float mi = b1 * mv[i] + (1f - b1) * g;
        float vi = b2 * vv[i] + (1f - b2) * g * g;
        mv[i] = mi;
        vv[i] = vi;
        th[i] -= lr * (mi * c1 / ((float) Math.sqrt(vi * c2) + eps) + wd * th[i]);
    }

    static float clipGradNorm(Tensor[] grads, float maxNorm) {
        double sumSq = 0;
        for (Tensor g : grads) {
            sumSq += VectorLoops.sumSquares(g.data(), 0, (int) g.numel());
        }
        double norm = Math.sqrt(sumSq);
        if (norm > maxNorm) {
            float f = (float) (maxNorm / (norm + 1e-6));
            for (Tensor g : grads) {
                VectorLoops.scale(g.data(), 0, f, (int) g.numel());
            }
        }
        return (float) norm;
    }

    static void biasGradient(Tensor dy, Tensor db) {
        int d = dy.dim(-1);
        VectorLoops.columnSums(dy.data(), 0, Shapes.rows(dy), d, 1f, db.data(), 0);
    }

    static void maskedBiasUpdate(Tensor dy, Tensor bias, Tensor mask, Tensor m, Tensor v, AdamW hp, long step,
                                 Tensor db) {
        int d = dy.dim(-1);
        float[] g = db != null ? db.data() : new float[d];
        VectorLoops.columnSums(dy.data(), 0, Shapes.rows(dy), d, 1f, g, 0);
        float c1 = (float) (1.0 / (1 - Math.pow(hp.beta1(), step)));
        float c2 = (float) (1.0 / (1 - Math.pow(hp.beta2(), step)));
        float[] th = bias.data(), mk = mask.data(), mv = m.data(), vv = v.data();
        for (int i = 0; i < d; i++) {
            if (mk[i] == 1f) {
                adamElement(th, g[i], mv, vv, i, hp.beta1(), hp.beta2(), hp.lr(), hp.eps(), hp.weightDecay(), c1, c2);
            }
        }
    }
}
