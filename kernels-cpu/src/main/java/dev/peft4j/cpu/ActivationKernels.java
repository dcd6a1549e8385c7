package dev.peft4j.cpu;

import static dev.peft4j.cpu.Simd.L;
import static dev.peft4j.cpu.Simd.S;

import dev.peft4j.backend.Activation;
import jdk.incubator.vector.FloatVector;

/** y = f(x) and dx = dy ⊙ f'(x), elementwise, split over the pool in contiguous ranges. */
final class ActivationKernels {
    private static final int MIN_CHUNK = 1 << 14;

    private ActivationKernels() {}

    static void forward(WorkerPool pool, Activation f, float[] x, float[] y, int n) {
        pool.parallelRange(n, MIN_CHUNK, (from, to) -> forwardRange(f, x, y, from, to));
    }

    /**
     * y = f(x) over [from, to). The last partial vector runs through the vector code too (on a zero-padded copy),
     * so every element gets the same bits whatever the range boundaries are (the fused GEMM epilogue calls this
     * per row panel, the plain kernel per thread chunk).
     */
    static void forwardRange(Activation f, float[] x, float[] y, int from, int to) {
        if (Simd.SCALAR) {
            for (int i = from; i < to; i++) {
                y[i] = ScalarMath.activation(f, x[i]);
            }
            return;
        }
        int end = from + Simd.bound(to - from);
        vectorForward(f, x, y, from, end);
        if (end < to) {
            float[] xt = new float[L];
            float[] yt = new float[L];
            System.arraycopy(x, end, xt, 0, to - end);
            vectorForward(f, xt, yt, 0, L);
            System.arraycopy(yt, 0, y, end, to - end);
        }
    }

    /** y = f(x) over [from, to), a whole number of vectors. */
    private static void vectorForward(Activation f, float[] x, float[] y, int from, int to) {
        if (f == Activation.GELU) {
            GeluLoops.forward(x, y, from, to);
            return;
        }
        for (int i = from; i < to; i += L) {
            VectorMath.activationAt(f, x, i, y, i);
        }
    }

    static void backward(WorkerPool pool, Activation f, float[] dy, float[] x, float[] dx, int n) {
        pool.parallelRange(n, MIN_CHUNK, (from, to) -> backwardRange(f, dy, x, dx, 1f, from, to));
    }

    /** dx = s·dy ⊙ f'(x) over [from, to). */
    static void backwardRange(Activation f, float[] dy, float[] x, float[] dx, float s, int from, int to) {
        if (Simd.SCALAR) {
            for (int i = from; i < to; i++) {
                dx[i] = s * dy[i] * ScalarMath.derivative(f, x[i]);
            }
            return;
        }
        int end = from + Simd.bound(to - from);
        vectorBackward(f, dy, x, dx, s, from, end);
        if (end < to) { // the partial vector on zero-padded copies, as in forwardRange
            float[] dyt = new float[L];
            float[] xt = new float[L];
            float[] dxt = new float[L];
            System.arraycopy(dy, end, dyt, 0, to - end);
            System.arraycopy(x, end, xt, 0, to - end);
            vectorBackward(f, dyt, xt, dxt, s, 0, L);
            System.arraycopy(dxt, 0, dx, end, to - end);
        }
    }

    /** dx = s·dy ⊙ f'(x) over [from, to), a whole number of vectors. */
    private static void vectorBackward(Activation f, float[] dy, float[] x, float[] dx, float s, int from, int to) {
        if (f == Activation.GELU) {
            GeluLoops.backward(dy, x, dx, s, from, to);
            return;
        }
        for (int i = from; i < to; i += L) {
            VectorMath.derivativeAt(f, dy, x, i, s, dx, i);
        }
    }
}
