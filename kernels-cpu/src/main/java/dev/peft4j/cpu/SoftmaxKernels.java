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

    /** Softmax of one row; returns log Σ e^(x − max) + max (the row's log-sum-exp). */
    static double softmaxRow(float[] x, float[] y, int o, int n) {
        float max = Float.NEGATIVE_INFINITY;
        int i = 0;
        int bnd = Simd.bound(n);
        if (bnd > 0) {
            FloatVector mx = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (; i < bnd; i += L) {
                mx = mx.max(FloatVector.fromArray(S, x, o + i));
            }
            max = mx.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) {
            max = Math.max(max, x[o + i]);
        }
        double sum = 0;
        i = 0;
        if (bnd > 0) {
            FloatVector acc = FloatVector.zero(S);
            for (; i < bnd; i += L) {
                VectorMath.expAt(x, o + i, max, y, o + i);
                acc = acc.add(FloatVector.fromArray(S, y, o + i));
            }
            sum = Simd.sum(acc);
        }
        for (; i < n; i++) {
            float e = (float) Math.exp(x[o + i] - max);
            y[o + i] = e;
            sum += e;
        }
        VectorLoops.scale(y, o, (float) (1.0 / sum), n);
        return max + Math.log(sum);
    }

    static void softmaxForward(WorkerPool pool, Tensor x, Tensor y) {
        int n = x.dim(-1);
        int rows = (int) (x.numel() / Math.max(1, n));
        float[] xv = x.data(), yv = y.data();
        pool.parallelRange(rows, 8, (from, to) -> {
            for (int r = from; r < to; r++) {
                softmaxRow(xv, yv, r * n, n);
            }
        });
    }

    static void softmaxBackward(WorkerPool pool, Tensor dy, Tensor y, Tensor dx) {
        int n = y.dim(-1);
        int rows = (int) (y.numel() / Math.max(1, n));
        float[] dyv = dy.data(), yv = y.data(), dxv = dx.data();
        pool.parallelRange(rows, 8, (from, to) -> {
            for (int r = from; r < to; r++) {
                int o = r * n;
                float dot = VectorLoops.dot(dyv, o, yv, o, n);
                int i = 0;
                for (int bnd = Simd.bound(n); i < bnd; i += L) {
                    FloatVector.fromArray(S, dyv, o + i).sub(dot).mul(FloatVector.fromArray(S, yv, o + i))
                            .intoArray(dxv, o + i);
                }
                for (; i < n; i++) {
                    dxv[o + i] = yv[o + i] * (dyv[o + i] - dot);
                }
            }
        });
    }

    /** probs = softmax(logits); returns mean over counted rows of lse − logit[target] (log-space, not log(p)). */
    static float crossEntropyForward(Tensor logits, int[] targets, Tensor probs) {
        int c = logits.dim(-1);
        int rows = targets.length;
        float[] lv = logits.data(), pv = probs.data();
        double loss = 0;
        int count = 0;
        for (int r = 0; r < rows; r++) {
            double lse = softmaxRow(lv, pv, r * c, c);
            if (targets[r] != Backend.IGNORE_INDEX) {
                loss += lse - lv[r * c + targets[r]];
                count++;
            }
        }
        return count == 0 ? 0f : (float) (loss / count);
    }

    static void crossEntropyBackward(Tensor probs, int[] targets, float scale, Tensor dLogits) {
        int c = probs.dim(-1);
        int rows = targets.length;
        float[] pv = probs.data(), dv = dLogits.data();
        int count = 0;
        for (int t : targets) {
            if (t != Backend.IGNORE_INDEX) {
                count++;
            }
        }
        float f = count == 0 ? 0f : scale / count;
        for (int r = 0; r < rows; r++) {
            if (targets[r] == Backend.IGNORE_INDEX) {
                java.util.Arrays.fill(dv, r * c, r * c + c, 0f);
            } else {
                VectorLoops.scaleCopy(pv, r * c, f, dv, r * c, c);
                dv[r * c + targets[r]] -= f;
            }
        }
    }
}
