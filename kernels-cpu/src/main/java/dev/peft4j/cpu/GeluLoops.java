package dev.peft4j.cpu;

import static dev.peft4j.cpu.Simd.L;
import static dev.peft4j.cpu.Simd.S;

import dev.peft4j.backend.FloatErf;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The exact (erf) GELU loops: y = x·Φ(x) and dx = s·dy·(Φ(x) + x·φ(x)), φ(x) = e^(−x²/2)/√(2π). One loop
 * ({@link #phi}) has every operation of Φ written out, e^x included, and calls nothing with a vector: the forward
 * runs it over the whole range, the backward over blocks of {@value #BLOCK} floats into an L1 buffer. Why: a vector
 * passed to or returned from a method C2 does not inline is boxed on the heap, and whether C2 inlines a large
 * helper depends on whether that helper was compiled on its own first, which varies from JVM to JVM. A per-vector
 * helper (the previous design) ran GELU 1.6 × slower in about a third of the JVMs. Same polynomials and operation
 * order as before (FloatErf's polynomials, {@link VectorMath#expBlock}'s e^x), same bits.
 */
final class GeluLoops {
    /** Floats per block (1 KiB of Φ). */
    static final int BLOCK = 256;

    private GeluLoops() {}

    /** y[yo+i] = x[xo+i]·Φ(x[xo+i]) for i in [from, to), a whole number of vectors (y may be x). */
    static void forward(float[] x, int xo, float[] y, int yo, int from, int to) {
        phi(x, xo + from, y, yo + from, to - from, true);
    }

    /**
     * dx[dxo+i] = s·dy[dyo+i]·(Φ(x) + x·φ(x)), x = x[xo+i], for i in [from, to), a whole number of vectors (dx may
     * be dy or x).
     */
    static void backward(float[] dy, int dyo, float[] x, int xo, float[] dx, int dxo, float s, int from, int to) {
        float[] phi = new float[BLOCK];
        float[] e = new float[BLOCK];
        for (int b = from; b < to; b += BLOCK) {
            int n = Math.min(BLOCK, to - b);
            phi(x, xo + b, phi, 0, n, false);
            for (int i = 0; i < n; i += L) {
                FloatVector v = FloatVector.fromArray(S, x, xo + b + i);
                v.mul(v).mul(-0.5f).intoArray(e, i);
            }
            VectorMath.expBlock(e, 0, 0f, e, 0, n);
            for (int i = 0; i < n; i += L) {
                FloatVector v = FloatVector.fromArray(S, x, xo + b + i);
                FloatVector pdf = FloatVector.fromArray(S, e, i).mul(FloatErf.INV_SQRT_2PI);
                FloatVector d = pdf.fma(v, FloatVector.fromArray(S, phi, i));
                d.mul(FloatVector.fromArray(S, dy, dyo + b + i)).mul(s).intoArray(dx, dxo + b + i);
            }
        }
    }

    /**
     * dst[d+j] = Φ(src[s+j]), or src[s+j]·Φ(src[s+j]) when timesX, for j &lt; n, n a whole number of vectors (dst
     * may be src): Φ(x) = (1 + erf(x/√2))/2, through erfc in both tails as {@link dev.peft4j.backend.FloatErf},
     * with {@link VectorMath#expBlock}'s e^x written out in the loop (see the class comment).
     */
    static void phi(float[] src, int s, float[] dst, int d, int n, boolean timesX) {
        float[] cs = VectorMath.ERF_SMALL;
        float[] cl = VectorMath.ERFC_LARGE;
        float[] ct = VectorMath.EXP_TAYLOR;
        for (int j = 0; j < n; j += L) {
            FloatVector x = FloatVector.fromArray(S, src, s + j);
            FloatVector z = x.mul(FloatErf.INV_SQRT2);
            FloatVector a = z.abs();
            FloatVector z2 = z.mul(z);
            FloatVector ps = FloatVector.broadcast(S, cs[cs.length - 1]);
            for (int c = cs.length - 2; c >= 0; c--) {
                ps = ps.fma(z2, FloatVector.broadcast(S, cs[c]));
            }
            FloatVector small = z.mul(ps).fma(FloatVector.broadcast(S, 0.5f), FloatVector.broadcast(S, 0.5f));
            FloatVector ac = a.max(1f).min(10f);
            FloatVector t = FloatVector.broadcast(S, 1f).div(ac);
            FloatVector hi = ac.mul(ac);
            FloatVector lo = ac.fma(ac, hi.neg());
            // e^(−hi) as VectorMath.expBlock: −hi = k·ln2 + r, e^r by its Taylor polynomial, times 2^k as two factors
            FloatVector xc = hi.neg().max(-104f).min(89f);
            FloatVector tk = xc.fma(FloatVector.broadcast(S, VectorMath.LOG2E),
                    FloatVector.broadcast(S, VectorMath.ROUND));
            FloatVector kf = tk.sub(VectorMath.ROUND);
            IntVector k = (IntVector) tk.reinterpretAsInts().sub(VectorMath.ROUND_BITS);
            FloatVector r = kf.fma(FloatVector.broadcast(S, -VectorMath.LN2_HI), xc);
            r = kf.fma(FloatVector.broadcast(S, -VectorMath.LN2_LO), r);
            FloatVector p = FloatVector.broadcast(S, ct[ct.length - 1]);
            for (int c = ct.length - 2; c >= 0; c--) {
                p = p.fma(r, FloatVector.broadcast(S, ct[c]));
            }
            IntVector k1 = k.lanewise(VectorOperators.ASHR, 1);
            IntVector k2 = k.sub(k1);
            FloatVector s1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector s2 = k2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector e = p.mul(s1).mul(s2).mul(lo.neg().add(1f));
            FloatVector pl = FloatVector.broadcast(S, cl[cl.length - 1]);
            for (int c = cl.length - 2; c >= 0; c--) {
                pl = pl.fma(t, FloatVector.broadcast(S, cl[c]));
            }
            FloatVector cv = e.mul(pl).mul(t).mul(0.5f).blend(0f, a.compare(VectorOperators.GT, 10f)); // as FloatErf
            FloatVector large = cv.neg().add(1f).blend(cv, z.compare(VectorOperators.LT, 0f));
            FloatVector phi = small.blend(large, a.compare(VectorOperators.GT, 1f));
            (timesX ? x.mul(phi) : phi).intoArray(dst, d + j);
        }
    }
}
