package dev.peft4j.cpu;

import static dev.peft4j.cpu.Simd.L;
import static dev.peft4j.cpu.Simd.S;

import dev.peft4j.backend.Backend;
import dev.peft4j.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Row softmax y = e^(x − max)/Σ e^(x − max), its backward dx = y ⊙ (dy − Σ dy ⊙ y), and the cross-entropy. */
final class SoftmaxKernels {
    private SoftmaxKernels() {}

    /**
     * Softmax of one row, y[yo..yo+n) from x[xo..xo+n) (x and y may be one array at one offset); returns
     * log Σ e^(x − max) + max (the row's log-sum-exp).
     */
    static double softmaxRow(float[] x, int xo, float[] y, int yo, int n) {
        float max = Float.NEGATIVE_INFINITY;
        int i = 0;
        int bnd = Simd.bound(n);
        if (bnd > 0) {
            FloatVector mx = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (; i < bnd; i += L) {
                mx = mx.max(FloatVector.fromArray(S, x, xo + i));
            }
            max = mx.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) {
            max = Math.max(max, x[xo + i]);
        }
        double sum = 0;
        i = 0;
        if (bnd > 0) {
            VectorMath.expBlock(x, xo, max, y, yo, bnd);
            FloatVector acc = FloatVector.zero(S);
            for (; i < bnd; i += L) {
                acc = acc.add(FloatVector.fromArray(S, y, yo + i));
            }
            sum = Simd.sum(acc);
        }
        for (; i < n; i++) {
            float e = (float) Math.exp(x[xo + i] - max);
            y[yo + i] = e;
            sum += e;
        }
        VectorLoops.scale(y, yo, (float) (1.0 / sum), n);
        return max + Math.log(sum);
    }

    // every kernel below reads and writes each array at its tensor's offset (tensors may wrap part of an array)

    /** y {@code [rows,n]} = softmax of each row of x. */
    static void softmaxForward(WorkerPool pool, Tensor x, Tensor y) {
        int n = x.dim(-1);
        int rows = (int) (x.numel() / Math.max(1, n));
        float[] xv = x.array(), yv = y.array();
        int xo = x.offset(), yo = y.offset();
        pool.parallelRange(rows, 8, (from, to) -> {
            for (int r = from; r < to; r++) {
                softmaxRow(xv, xo + r * n, yv, yo + r * n, n);
            }
        });
    }

    /** dx {@code [rows,n]} = y ⊙ (dy − Σ dy ⊙ y) per row. */
    static void softmaxBackward(WorkerPool pool, Tensor dy, Tensor y, Tensor dx) {
        int n = y.dim(-1);
        int rows = (int) (y.numel() / Math.max(1, n));
        float[] dyv = dy.array(), yv = y.array(), dxv = dx.array();
        int dyo = dy.offset(), yo = y.offset(), dxo = dx.offset();
        pool.parallelRange(rows, 8, (from, to) -> {
            for (int r = from; r < to; r++) {
                int o = r * n;
                float dot = VectorLoops.dot(dyv, dyo + o, yv, yo + o, n);
                int i = 0;
                for (int bnd = Simd.bound(n); i < bnd; i += L) {
                    FloatVector.fromArray(S, dyv, dyo + o + i).sub(dot).mul(FloatVector.fromArray(S, yv, yo + o + i))
                            .intoArray(dxv, dxo + o + i);
                }
                for (; i < n; i++) {
                    dxv[dxo + o + i] = yv[yo + o + i] * (dyv[dyo + o + i] - dot);
                }
            }
        });
    }

    /** probs = softmax(logits); returns mean over counted rows of lse − logit[target] (log-space, not log(p)). */
    static float crossEntropyForward(Tensor logits, int[] targets, Tensor probs) {
        int c = logits.dim(-1);
        int rows = targets.length;
        float[] lv = logits.array(), pv = probs.array();
        int lo = logits.offset(), po = probs.offset();
        double loss = 0;
        int count = 0;
        for (int r = 0; r < rows; r++) {
            double lse = softmaxRow(lv, lo + r * c, pv, po + r * c, c);
            if (targets[r] != Backend.IGNORE_INDEX) {
                loss += lse - lv[lo + r * c + targets[r]];
                count++;
            }
        }
        return count == 0 ? 0f : (float) (loss / count);
    }

    /** dLogits {@code [rows,c]} = f·(probs − onehot(target)), f = scale/counted rows; 0 for ignored rows. */
    static void crossEntropyBackward(Tensor probs, int[] targets, float scale, Tensor dLogits) {
        int c = probs.dim(-1);
        int rows = targets.length;
        float[] pv = probs.array(), dv = dLogits.array();
        int po = probs.offset(), dOff = dLogits.offset();
        int count = 0;
        for (int t : targets) {
            if (t != Backend.IGNORE_INDEX) {
                count++;
            }
        }
        float f = count == 0 ? 0f : scale / count;
        for (int r = 0; r < rows; r++) {
            int d = dOff + r * c;
            if (targets[r] == Backend.IGNORE_INDEX) {
                java.util.Arrays.fill(dv, d, d + c, 0f);
            } else {
                VectorLoops.scaleCopy(pv, po + r * c, f, dv, d, c);
                dv[d + targets[r]] -= f;
            }
        }
    }
}
