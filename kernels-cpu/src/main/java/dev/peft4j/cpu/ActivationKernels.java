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

    static void forwardRange(Activation f, float[] x, float[] y, int from, int to) {
        int i = from;
        if (f == Activation.GELU && !Simd.SCALAR) {
            i = GeluLoops.forward(x, y, from, to);
        }
        for (int b = from + Simd.bound(to - from); i < b; i += L) {
            VectorMath.activation(f, FloatVector.fromArray(S, x, i)).intoArray(y, i);
        }
        for (; i < to; i++) {
            y[i] = ScalarMath.activation(f, x[i]);
        }
    }

    static void backward(WorkerPool pool, Activation f, float[] dy, float[] x, float[] dx, int n) {
        pool.parallelRange(n, MIN_CHUNK, (from, to) -> backwardRange(f, dy, x, dx, 1f, from, to));
    }

    /** dx = s·dy ⊙ f'(x) over [from, to). */
    static void backwardRange(Activation f, float[] dy, float[] x, float[] dx, float s, int from, int to) {
        int i = from;
        if (f == Activation.GELU && !Simd.SCALAR) {
            i = GeluLoops.backward(dy, x, dx, s, from, to);
        }
        for (int b = from + Simd.bound(to - from); i < b; i += L) {
            FloatVector d = VectorMath.derivative(f, FloatVector.fromArray(S, x, i));
            d.mul(FloatVector.fromArray(S, dy, i)).mul(s).intoArray(dx, i);
        }
        for (; i < to; i++) {
            dx[i] = s * dy[i] * ScalarMath.derivative(f, x[i]);
        }
    }
}
