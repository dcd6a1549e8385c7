package dev.peft4j.cpu;

import static dev.peft4j.cpu.Simd.L;

import dev.peft4j.backend.Activation;

/** y = f(x) and dx = dy ⊙ f'(x), elementwise, split over the pool in contiguous ranges. */
final class ActivationKernels {
    private static final int MIN_CHUNK = 1 << 14;

    private ActivationKernels() {}

    /** y[yo+i] = f(x[xo+i]) for i in [0, n). */
    static void forward(WorkerPool pool, Activation f, float[] x, int xo, float[] y, int yo, int n) {
        pool.parallelRange(n, MIN_CHUNK, (from, to) -> forwardRange(f, x, xo, y, yo, from, to));
    }

    /** Floats per piece of an off-heap activation: x and y pieces stay in L1. */
    private static final int PIECE = 1024;

    /**
     * y = f(x) for n elements of host floats, bit for bit the array path's results. Arrays in place; an off-heap
     * x or y passes through two L1-sized buffers, {@value #PIECE} floats at a time (bulk copies: the Vector API's
     * segment loads and stores compiled unevenly from JVM to JVM, see BENCHMARKS.md).
     */
    static void forward(WorkerPool pool, Activation f, HostFloats x, HostFloats y, int n) {
        if (x instanceof HostFloats.InArray xa && y instanceof HostFloats.InArray ya) {
            forward(pool, f, xa.array(), xa.offset(), ya.array(), ya.offset(), n);
            return;
        }
        pool.parallelRange(n, MIN_CHUNK, (from, to) -> {
            float[] xb = new float[PIECE];
            float[] yb = new float[PIECE];
            for (int i = from; i < to; i += PIECE) {
                int len = Math.min(PIECE, to - i);
                x.read(i, xb, 0, len);
                forwardRange(f, xb, 0, yb, 0, 0, len);
                y.write(yb, 0, i, len);
            }
        });
    }

    /**
     * y = f(x) over [from, to). The last partial vector runs through the vector code too (on a zero-padded copy),
     * so every element gets the same bits whatever the range boundaries are (the pool's thread chunks, the
     * off-heap path's pieces).
     */
    static void forwardRange(Activation f, float[] x, float[] y, int from, int to) {
        forwardRange(f, x, 0, y, 0, from, to);
    }

    /** y[yo+i] = f(x[xo+i]) for i in [from, to), bit for bit as {@link #forwardRange(Activation, float[], float[], int, int)}. */
    static void forwardRange(Activation f, float[] x, int xo, float[] y, int yo, int from, int to) {
        if (Simd.SCALAR) {
            for (int i = from; i < to; i++) {
                y[yo + i] = ScalarMath.activation(f, x[xo + i]);
            }
            return;
        }
        int end = from + Simd.bound(to - from);
        vectorForward(f, x, xo, y, yo, from, end);
        if (end < to) {
            float[] xt = new float[L];
            float[] yt = new float[L];
            System.arraycopy(x, xo + end, xt, 0, to - end);
            vectorForward(f, xt, 0, yt, 0, 0, L);
            System.arraycopy(yt, 0, y, yo + end, to - end);
        }
    }

    /** y[yo+i] = f(x[xo+i]) over [from, to), a whole number of vectors. */
    private static void vectorForward(Activation f, float[] x, int xo, float[] y, int yo, int from, int to) {
        if (f == Activation.GELU) {
            GeluLoops.forward(x, xo, y, yo, from, to);
        } else {
            ActivationLoops.forward(f, x, xo, y, yo, from, to);
        }
    }

    /** dx[dxo+i] = dy[dyo+i]·f'(x[xo+i]) for i in [0, n). */
    static void backward(WorkerPool pool, Activation f, float[] dy, int dyo, float[] x, int xo, float[] dx, int dxo,
                         int n) {
        pool.parallelRange(n, MIN_CHUNK, (from, to) -> backwardRange(f, dy, dyo, x, xo, dx, dxo, 1f, from, to));
    }

    /** dx = s·dy ⊙ f'(x) over [from, to). */
    static void backwardRange(Activation f, float[] dy, float[] x, float[] dx, float s, int from, int to) {
        backwardRange(f, dy, 0, x, 0, dx, 0, s, from, to);
    }

    /** dx[dxo+i] = s·dy[dyo+i]·f'(x[xo+i]) for i in [from, to). */
    static void backwardRange(Activation f, float[] dy, int dyo, float[] x, int xo, float[] dx, int dxo, float s,
                              int from, int to) {
        if (Simd.SCALAR) {
            for (int i = from; i < to; i++) {
                dx[dxo + i] = s * dy[dyo + i] * ScalarMath.derivative(f, x[xo + i]);
            }
            return;
        }
        int end = from + Simd.bound(to - from);
        vectorBackward(f, dy, dyo, x, xo, dx, dxo, s, from, end);
        if (end < to) { // the partial vector on zero-padded copies, as in forwardRange
            float[] dyt = new float[L];
            float[] xt = new float[L];
            float[] dxt = new float[L];
            System.arraycopy(dy, dyo + end, dyt, 0, to - end);
            System.arraycopy(x, xo + end, xt, 0, to - end);
            vectorBackward(f, dyt, 0, xt, 0, dxt, 0, s, 0, L);
            System.arraycopy(dxt, 0, dx, dxo + end, to - end);
        }
    }

    /** dx[dxo+i] = s·dy[dyo+i]·f'(x[xo+i]) over [from, to), a whole number of vectors. */
    private static void vectorBackward(Activation f, float[] dy, int dyo, float[] x, int xo, float[] dx, int dxo,
                                       float s, int from, int to) {
        if (f == Activation.GELU) {
            GeluLoops.backward(dy, dyo, x, xo, dx, dxo, s, from, to);
        } else {
            ActivationLoops.backward(f, dy, dyo, x, xo, dx, dxo, s, from, to);
        }
    }
}
