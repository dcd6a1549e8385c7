package dev.peft4j.cpu;

import static dev.peft4j.cpu.Simd.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Small vector loops shared by the kernels (each with its scalar tail, which is the whole loop on the scalar path). */
final class VectorLoops {
    private VectorLoops() {}

    /** dst[d..d+n) = s·src[o..o+n). */
    static void scaleCopy(float[] src, int o, float s, float[] dst, int d, int n) {
        int i = 0;
        for (int b = Simd.bound(n); i < b; i += Simd.L) {
            FloatVector.fromArray(S, src, o + i).mul(s).intoArray(dst, d + i);
        }
        for (; i < n; i++) {
            dst[d + i] = s * src[o + i];
        }
    }

    /** y[yo..yo+n) += a·x[xo..xo+n). */
    static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int b = Simd.bound(n); i < b; i += Simd.L) {
            FloatVector.fromArray(S, x, xo + i).fma(FloatVector.broadcast(S, a), FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] += a * x[xo + i];
        }
    }

    /** Σ x[xo+i]·y[yo+i], i &lt; n. */
    static float dot(float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        float sum = 0f;
        int b = Simd.bound(n);
        if (b > 0) {
            FloatVector acc = FloatVector.zero(S);
            for (; i < b; i += Simd.L) {
                acc = FloatVector.fromArray(S, x, xo + i).fma(FloatVector.fromArray(S, y, yo + i), acc);
            }
            sum = Simd.sum(acc);
        }
        for (; i < n; i++) {
            sum += x[xo + i] * y[yo + i];
        }
        return sum;
    }

    /** Σ x[xo+i], i &lt; n, accumulated in float lanes and returned as double. */
    static double sum(float[] x, int xo, int n) {
        int i = 0;
        double sum = 0;
        int b = Simd.bound(n);
        if (b > 0) {
            FloatVector acc = FloatVector.zero(S);
            for (; i < b; i += Simd.L) {
                acc = acc.add(FloatVector.fromArray(S, x, xo + i));
            }
            sum = Simd.sum(acc);
        }
        for (; i < n; i++) {
            sum += x[xo + i];
        }
        return sum;
    }

    /** Σ x[xo+i]², i &lt; n, as double (float lanes over chunks of 4096, summed in double). */
    static double sumSquares(float[] x, int xo, int n) {
        double total = 0;
        for (int c = 0; c < n; c += 4096) {
            int len = Math.min(4096, n - c);
            total += dot(x, xo + c, x, xo + c, len);
        }
        return total;
    }

    /** dst[j] = Σ_rows src[r·cols + j] (column sums of a row-major [rows, cols] block), times s. */
    static void columnSums(float[] src, int off, int rows, int cols, float s, float[] dst, int dOff) {
        java.util.Arrays.fill(dst, dOff, dOff + cols, 0f);
        for (int r = 0; r < rows; r++) {
            axpy(1f, src, off + r * cols, dst, dOff, cols);
        }
        if (s != 1f) {
            scaleCopy(dst, dOff, s, dst, dOff, cols);
        }
    }

    /** x[xo..xo+n) *= s. */
    static void scale(float[] x, int xo, float s, int n) {
        scaleCopy(x, xo, s, x, xo, n);
    }
}
