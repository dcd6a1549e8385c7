package dev.peft4j.cpu;

import static dev.peft4j.cpu.Simd.L;
import static dev.peft4j.cpu.Simd.S;

import dev.peft4j.tensor.Shapes;
import dev.peft4j.tensor.Tensor;
import jdk.incubator.vector.FloatVector;

/** add, mul, axpy, and the (IA)³ scale y = l ⊙ x (l broadcast over rows) with dl = Σ_rows dy ⊙ x. */
final class ElementwiseKernels {
    private static final int MIN_CHUNK = 1 << 15;

    private ElementwiseKernels() {}

    /** out[oo+i] = a[ao+i] + b[bo+i] for i in [0, n); out may be a or b at the same offset. */
    static void add(WorkerPool pool, float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        pool.parallelRange(n, MIN_CHUNK, (from, to) -> {
            int i = from;
            for (int bnd = from + Simd.bound(to - from); i < bnd; i += L) {
                FloatVector.fromArray(S, a, ao + i).add(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            }
            for (; i < to; i++) {
                out[oo + i] = a[ao + i] + b[bo + i];
            }
        });
    }

    /** out[oo+i] = a[ao+i] * b[bo+i] for i in [0, n); out may be a or b at the same offset. */
    static void mul(WorkerPool pool, float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        pool.parallelRange(n, MIN_CHUNK, (from, to) -> {
            int i = from;
            for (int bnd = from + Simd.bound(to - from); i < bnd; i += L) {
                FloatVector.fromArray(S, a, ao + i).mul(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            }
            for (; i < to; i++) {
                out[oo + i] = a[ao + i] * b[bo + i];
            }
        });
    }

    /** y[yo+i] += alpha·x[xo+i] for i in [0, n). */
    static void axpy(WorkerPool pool, float alpha, float[] x, int xo, float[] y, int yo, int n) {
        pool.parallelRange(n, MIN_CHUNK, (from, to) -> VectorLoops.axpy(alpha, x, xo + from, y, yo + from, to - from));
    }

    /** y {@code [rows,d]} = x ⊙ l (l {@code [d]} broadcast over rows); arrays at their tensors' offsets. */
    static void scaleForward(Tensor x, Tensor l, Tensor y) {
        int d = x.dim(-1);
        int rows = Shapes.rows(x);
        float[] xv = x.array(), lv = l.array(), yv = y.array();
        int xo = x.offset(), lo = l.offset(), yo = y.offset();
        for (int r = 0; r < rows; r++) {
            int o = r * d;
            int i = 0;
            for (int bnd = Simd.bound(d); i < bnd; i += L) {
                FloatVector.fromArray(S, xv, xo + o + i).mul(FloatVector.fromArray(S, lv, lo + i))
                        .intoArray(yv, yo + o + i);
            }
            for (; i < d; i++) {
                yv[yo + o + i] = xv[xo + o + i] * lv[lo + i];
            }
        }
    }

    /** dl {@code [d]} = Σ_rows dy ⊙ x, dx {@code [rows,d]} = dy ⊙ l (each nullable); arrays at their offsets. */
    static void scaleBackward(Tensor dy, Tensor x, Tensor l, Tensor dx, Tensor dl) {
        int d = x.dim(-1);
        int rows = Shapes.rows(x);
        float[] gv = dy.array(), xv = x.array(), lv = l.array();
        int go = dy.offset(), xo = x.offset(), lo = l.offset();
        if (dl != null) {
            float[] dlv = dl.array();
            int dlo = dl.offset();
            java.util.Arrays.fill(dlv, dlo, dlo + d, 0f);
            for (int r = 0; r < rows; r++) {
                int o = r * d;
                int i = 0;
                for (int bnd = Simd.bound(d); i < bnd; i += L) {
                    FloatVector.fromArray(S, gv, go + o + i).fma(FloatVector.fromArray(S, xv, xo + o + i),
                            FloatVector.fromArray(S, dlv, dlo + i)).intoArray(dlv, dlo + i);
                }
                for (; i < d; i++) {
                    dlv[dlo + i] += gv[go + o + i] * xv[xo + o + i];
                }
            }
        }
        if (dx != null) {
            float[] dxv = dx.array();
            int dxo = dx.offset();
            for (int r = 0; r < rows; r++) {
                int o = r * d;
                int i = 0;
                for (int bnd = Simd.bound(d); i < bnd; i += L) {
                    FloatVector.fromArray(S, gv, go + o + i).mul(FloatVector.fromArray(S, lv, lo + i))
                            .intoArray(dxv, dxo + o + i);
                }
                for (; i < d; i++) {
                    dxv[dxo + o + i] = gv[go + o + i] * lv[lo + i];
                }
            }
        }
    }
}
