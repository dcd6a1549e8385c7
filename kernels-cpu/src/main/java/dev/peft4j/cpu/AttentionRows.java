package dev.peft4j.cpu;

import static dev.peft4j.cpu.Simd.L;
import static dev.peft4j.cpu.Simd.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Row operations of the blocked attention on one score row of a tile (vector loops; n a multiple of L). Columns
 * j ≥ limit are invisible keys (causal mask, or the zero padding past the last key).
 */
final class AttentionRows {
    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    private AttentionRows() {}

    /** s[j] = −∞ for limit ≤ j &lt; n; returns max_{j&lt;n} s[j] (−∞ when limit ≤ 0). */
    static float maskAndMax(float[] s, int off, int n, int limit) {
        limit = Math.max(0, limit);
        if (Simd.SCALAR) {
            float max = NEG_INF;
            for (int j = 0; j < n; j++) {
                float v = j < limit ? s[off + j] : NEG_INF;
                s[off + j] = v;
                max = Math.max(max, v);
            }
            return max;
        }
        FloatVector ninf = FloatVector.broadcast(S, NEG_INF);
        FloatVector max = ninf;
        int full = Math.max(0, Math.min(n, limit / L * L));
        int j = 0;
        for (; j < full; j += L) {
            max = max.max(FloatVector.fromArray(S, s, off + j));
        }
        for (; j < n; j += L) {
            FloatVector v = ninf.blend(FloatVector.fromArray(S, s, off + j), S.indexInRange(j, limit));
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
        VectorMath.expBlock(s, off, sub, s, off, n);
        FloatVector sum = FloatVector.zero(S);
        for (int j = 0; j < n; j += L) {
            sum = sum.add(FloatVector.fromArray(S, s, off + j));
        }
        return Simd.sum(sum);
    }

    /**
     * The backward's row: p[j] = e^(s[j] − lse) for j &lt; limit, else 0 (s is overwritten by p), and
     * ds[j] = p[j]·(dp[j] − delta) (ds holds dp on entry), for j &lt; n. lse must be finite.
     */
    static void probabilityAndGrad(float[] s, int sOff, float[] ds, int dOff, int n, int limit, float lse,
                                   float delta) {
        limit = Math.max(0, limit);
        if (Simd.SCALAR) {
            for (int j = 0; j < n; j++) {
                float p = j < limit ? (float) Math.exp(s[sOff + j] - lse) : 0f;
                s[sOff + j] = p;
                ds[dOff + j] = p * (ds[dOff + j] - delta);
            }
            return;
        }
        VectorMath.expBlock(s, sOff, lse, s, sOff, n);
        FloatVector zero = FloatVector.zero(S);
        for (int j = 0; j < n; j += L) {
            FloatVector p = FloatVector.fromArray(S, s, sOff + j);
            if (j + L > limit) {
                p = zero.blend(p, S.indexInRange(j, limit));
            }
            p.intoArray(s, sOff + j);
            FloatVector.fromArray(S, ds, dOff + j).sub(delta).mul(p).intoArray(ds, dOff + j);
        }
    }
}
