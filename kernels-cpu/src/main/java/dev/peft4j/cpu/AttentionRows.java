package dev.peft4j.cpu;

import static dev.peft4j.cpu.Simd.L;
import static dev.peft4j.cpu.Simd.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Row operations of the blocked attention on one score row of a tile (vector loops; n a multiple of L). */
final class AttentionRows {
    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    private AttentionRows() {}

    /** s[j] = j &lt; limit ? s[j] + bias[bOff+j] : −∞ for j &lt; n; returns max_j s[j]. */
    static float maskAndMax(float[] s, int off, int n, float[] bias, int bOff, int limit) {
        if (Simd.SCALAR) {
            float max = NEG_INF;
            for (int j = 0; j < n; j++) {
                float v = j < limit ? s[off + j] + bias[bOff + j] : NEG_INF;
                s[off + j] = v;
                max = Math.max(max, v);
            }
            return max;
        }
        FloatVector max = FloatVector.broadcast(S, NEG_INF);
        FloatVector ninf = max;
        for (int j = 0; j < n; j += L) {
            FloatVector v = FloatVector.fromArray(S, s, off + j).add(FloatVector.fromArray(S, bias, bOff + j));
            if (j + L > limit) {
                v = ninf.blend(v, S.indexInRange(j, limit));
            }
            v.intoArray(s, off + j);
            max = max.max(v);
        }
        return max.reduceLanes(VectorOperators.MAX);
    }

    /** s[j] = e^(s[j] − sub) for j &lt; n (−∞ gives 0); returns Σ_j s[j]. sub must be finite. */
    static float expShifted(float[] s, int off, int n, float sub) {
        if (Simd.SCALAR) {
            float sum = 0f;
            for (int j = 0; j < n; j++) {
                float e = (float) Math.exp(s[off + j] - sub);
                s[off + j] = e;
                sum += e;
            }
            return sum;
        }
        FloatVector sum = FloatVector.zero(S);
        for (int j = 0; j < n; j += L) {
            FloatVector e = FloatVector.fromArray(S, s, off + j).sub(sub).lanewise(VectorOperators.EXP);
            e.intoArray(s, off + j);
            sum = sum.add(e);
        }
        return sum.reduceLanes(VectorOperators.ADD);
    }

    /** ds[j] = p[j]·(ds[j] − delta) for j &lt; n. */
    static void softmaxGrad(float[] p, int pOff, float[] ds, int dOff, int n, float delta) {
        int j = 0;
        if (!Simd.SCALAR) {
            for (; j < n; j += L) {
                FloatVector.fromArray(S, ds, dOff + j).sub(delta).mul(FloatVector.fromArray(S, p, pOff + j))
                        .intoArray(ds, dOff + j);
            }
        }
        for (; j < n; j++) {
            ds[dOff + j] = p[pOff + j] * (ds[dOff + j] - delta);
        }
    }
}
