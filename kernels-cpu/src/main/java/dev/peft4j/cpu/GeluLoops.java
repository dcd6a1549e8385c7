package dev.peft4j.cpu;

import static dev.peft4j.cpu.Simd.L;
import static dev.peft4j.cpu.Simd.S;

import dev.peft4j.backend.FloatErf;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The exact (erf) GELU loops: y = x·Φ(x) and dx = s·dy·(Φ(x) + x·φ(x)), φ(x) = e^(−x²/2)/√(2π). Φ is computed by
 * a helper that takes and returns arrays, not vectors. Why: VectorMath.phi gets hot and compiled on its own long
 * before the loop's C2 compile; its machine code then exceeds C2's inlining size limit, and a vector passed to
 * or returned from a method that is not inlined is boxed on the heap, so the loop ran many times slower.
 * Same polynomials as VectorMath, same results.
 */
final class GeluLoops {
    private GeluLoops() {}

    /**
     * y[yo+i] = x[xo+i]·Φ(x[xo+i]) for i in [from, to) (vector part; the caller does the scalar tail from the
     * returned index).
     */
    static int forward(float[] x, int xo, float[] y, int yo, int from, int to) {
        int i = from;
        float[] phi = new float[L]; // not y: y may alias x
        for (int b = from + Simd.bound(to - from); i < b; i += L) {
            phiAt(x, xo + i, phi, 0);
            FloatVector.fromArray(S, x, xo + i).mul(FloatVector.fromArray(S, phi, 0)).intoArray(y, yo + i);
        }
        return i;
    }

    /**
     * y[i] = x[i]·Φ(x[i]) for i in [from, to), a whole number of vectors, x and y segments from their element 0
     * (off-heap tensors): the arithmetic of {@link #forward(float[], int, float[], int, int, int)}, same bits.
     */
    static void forward(MemorySegment x, MemorySegment y, int from, int to) {
        ByteOrder order = ByteOrder.nativeOrder();
        float[] xa = new float[L];
        float[] phi = new float[L]; // not y: y may alias x
        for (int i = from; i < to; i += L) {
            FloatVector.fromMemorySegment(S, x, 4L * i, order).intoArray(xa, 0);
            phiAt(xa, 0, phi, 0); // no vector lives across this call (see the class comment)
            FloatVector.fromArray(S, xa, 0).mul(FloatVector.fromArray(S, phi, 0)).intoMemorySegment(y, 4L * i, order);
        }
    }

    /**
     * dx = s·dy·(Φ(x) + x·φ(x)) for element i in [from, to) of each array, read from its own offset (dyo, xo, dxo)
     * (vector part); returns where the scalar tail starts.
     */
    static int backward(float[] dy, int dyo, float[] x, int xo, float[] dx, int dxo, float s, int from, int to) {
        int i = from;
        float[] phi = new float[L]; // not dx: dx may alias dy or x
        float[] e = new float[L];
        for (int b = from + Simd.bound(to - from); i < b; i += L) {
            phiAt(x, xo + i, phi, 0);
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.mul(v).mul(-0.5f).intoArray(e, 0);
            VectorMath.expAt(e, 0, 0f, e, 0);
            FloatVector pdf = FloatVector.fromArray(S, e, 0).mul(FloatErf.INV_SQRT_2PI);
            FloatVector d = pdf.fma(v, FloatVector.fromArray(S, phi, 0));
            d.mul(FloatVector.fromArray(S, dy, dyo + i)).mul(s).intoArray(dx, dxo + i);
        }
        return i;
    }

    /**
     * dst[d..d+L) = Φ(src[i..i+L)) as {@link VectorMath#phi}. Arrays in and out, no vector crosses the call, so
     * nothing is boxed whether or not C2 inlines this method.
     */
    private static void phiAt(float[] src, int i, float[] dst, int d) {
        FloatVector x = FloatVector.fromArray(S, src, i);
        float[] cs = VectorMath.ERF_SMALL;
        float[] cl = VectorMath.ERFC_LARGE;
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
        hi.neg().intoArray(dst, d); // dst as scratch for e^(−hi)
        VectorMath.expAt(dst, d, 0f, dst, d);
        FloatVector e = FloatVector.fromArray(S, dst, d).mul(lo.neg().add(1f));
        FloatVector pl = FloatVector.broadcast(S, cl[cl.length - 1]);
        for (int c = cl.length - 2; c >= 0; c--) {
            pl = pl.fma(t, FloatVector.broadcast(S, cl[c]));
        }
        FloatVector cv = e.mul(pl).mul(t).mul(0.5f).blend(0f, a.compare(VectorOperators.GT, 10f)); // as FloatErf
        FloatVector large = cv.neg().add(1f).blend(cv, z.compare(VectorOperators.LT, 0f));
        small.blend(large, a.compare(VectorOperators.GT, 1f)).intoArray(dst, d);
    }
}
