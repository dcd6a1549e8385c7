package dev.peft4j.backend.reference;

import dev.peft4j.backend.Backend;
import dev.peft4j.tensor.Tensor;

/** Softmax cross-entropy over rows of logits [N,C], ignoring rows whose target is {@link Backend#IGNORE_INDEX}. */
final class ReferenceLoss {
    private ReferenceLoss() {}

    /**
     * probs = softmax(logits) per row (every row, ignored ones included); returns
     * (1/count)·Σ_{i counted} (lse_i − logits[i, targets[i]]) = mean of −log probs[i, targets[i]],
     * computed from the log-sum-exp in double rather than from the rounded probabilities; 0 when count = 0.
     */
    static float forward(Tensor logits, int[] targets, Tensor probs) {
        int rows = logits.dim(0);
        int cols = logits.dim(1);
        float[] z = logits.data();
        float[] p = probs.data();
        double[] row = new double[cols];
        double total = 0;
        int count = 0;
        for (int i = 0; i < rows; i++) {
            double lse = ReferenceNorm.softmaxRow(z, i * cols, cols, row);
            for (int c = 0; c < cols; c++) {
                p[i * cols + c] = (float) row[c];
            }
            if (targets[i] != Backend.IGNORE_INDEX) {
                total += lse - z[i * cols + targets[i]];
                count++;
            }
        }
        return count == 0 ? 0f : (float) (total / count);
    }

    /**
     * Derivation: for a counted row, ∂(lse − z_t)/∂z_c = p_c − [c = t]; the loss is their mean times scale, so
     * dLogits = scale·(probs − onehot(targets))/count; ignored rows get 0.
     */
    static void backward(Tensor probs, int[] targets, float scale, Tensor dLogits) {
        int rows = probs.dim(0);
        int cols = probs.dim(1);
        float[] p = probs.data();
        float[] d = dLogits.data();
        int count = 0;
        for (int target : targets) {
            if (target != Backend.IGNORE_INDEX) {
                count++;
            }
        }
        for (int i = 0; i < rows; i++) {
            boolean ignored = targets[i] == Backend.IGNORE_INDEX;
            for (int c = 0; c < cols; c++) {
                double g = ignored ? 0.0 : (double) scale * (p[i * cols + c] - (c == targets[i] ? 1.0 : 0.0)) / count;
                d[i * cols + c] = (float) g;
            }
        }
    }
}
