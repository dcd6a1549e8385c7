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
            // each array at its tensor's offset (tensors may wrap part of a caller's array)
            Tensor pt = params[t], gt = grads[t], mt = m[t], vt = v[t];
            float[] th = pt.array(), g = gt.array(), mv = mt.array(), vv = vt.array();
            int tho = pt.offset(), go = gt.offset(), mo = mt.offset(), vo = vt.offset();
            int n = (int) pt.numel();
            pool.parallelRange(n, 1 << 15,
                    (from, to) -> adamRange(th, tho, g, go, mv, mo, vv, vo, from, to, hp, c1, c2));
        }
    }

    /** Elements [from, to) of one tensor; each array indexed from its own offset. */
    private static void adamRange(float[] th, int tho, float[] g, int go, float[] mv, int mo, float[] vv, int vo,
                                  int from, int to, AdamW hp, float c1, float c2) {
        float b1 = hp.beta1(), b2 = hp.beta2(), lr = hp.lr(), eps = hp.eps(), wd = hp.weightDecay();
        int i = from;
        for (int bnd = from + Simd.bound(to - from); i < bnd; i += L) {
            FloatVector gi = FloatVector.fromArray(S, g, go + i);
            FloatVector mi = FloatVector.fromArray(S, mv, mo + i).mul(b1).add(gi.mul(1f - b1));
            FloatVector vi = FloatVector.fromArray(S, vv, vo + i).mul(b2).add(gi.mul(gi).mul(1f - b2));
            mi.intoArray(mv, mo + i);
            vi.intoArray(vv, vo + i);
            FloatVector p = FloatVector.fromArray(S, th, tho + i);
            FloatVector upd = mi.mul(c1).div(vi.mul(c2).lanewise(VectorOperators.SQRT).add(eps)).add(p.mul(wd));
            p.sub(upd.mul(lr)).intoArray(th, tho + i);
        }
        for (; i < to; i++) {
            adamElement(th, tho + i, g[go + i], mv, mo + i, vv, vo + i, b1, b2, lr, eps, wd, c1, c2);
        }
    }

    /** One element: θ at th[ti], m at mv[mi], v at vv[vi]. */
    private static void adamElement(float[] th, int ti, float g, float[] mv, int mi, float[] vv, int vi, float b1,
                                    float b2, float lr, float eps, float wd, float c1, float c2) {
        float m = b1 * mv[mi] + (1f - b1) * g;
        float v = b2 * vv[vi] + (1f - b2) * g * g;
        mv[mi] = m;
        vv[vi] = v;
        th[ti] -= lr * (m * c1 / ((float) Math.sqrt(v * c2) + eps) + wd * th[ti]);
    }

    static float clipGradNorm(Tensor[] grads, float maxNorm) {
        double sumSq = 0;
        for (Tensor g : grads) {
            sumSq += VectorLoops.sumSquares(g.array(), g.offset(), (int) g.numel());
        }
        double norm = Math.sqrt(sumSq);
        if (norm > maxNorm) {
            float f = (float) (maxNorm / (norm + 1e-6));
            for (Tensor g : grads) {
                VectorLoops.scale(g.array(), g.offset(), f, (int) g.numel());
            }
        }
        return (float) norm;
    }

    static void biasGradient(Tensor dy, Tensor db) {
        int d = dy.dim(-1);
        VectorLoops.columnSums(dy.array(), dy.offset(), Shapes.rows(dy), d, 1f, db.array(), db.offset());
    }

    static void maskedBiasUpdate(Tensor dy, Tensor bias, Tensor mask, Tensor m, Tensor v, AdamW hp, long step,
                                 Tensor db) {
        int d = dy.dim(-1);
        // g [d]: db's array at its offset, or a temporary
        float[] g = db != null ? db.array() : new float[d];
        int gOff = db != null ? db.offset() : 0;
        VectorLoops.columnSums(dy.array(), dy.offset(), Shapes.rows(dy), d, 1f, g, gOff);
        float c1 = (float) (1.0 / (1 - Math.pow(hp.beta1(), step)));
        float c2 = (float) (1.0 / (1 - Math.pow(hp.beta2(), step)));
        float[] th = bias.array(), mk = mask.array(), mv = m.array(), vv = v.array();
        int tho = bias.offset(), mko = mask.offset(), mo = m.offset(), vo = v.offset();
        for (int i = 0; i < d; i++) {
            if (mk[mko + i] == 1f) {
                adamElement(th, tho + i, g[gOff + i], mv, mo + i, vv, vo + i, hp.beta1(), hp.beta2(), hp.lr(),
                        hp.eps(), hp.weightDecay(), c1, c2);
            }
        }
    }
}
