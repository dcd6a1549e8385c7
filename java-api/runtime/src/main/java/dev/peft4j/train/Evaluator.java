package dev.peft4j.train;

import dev.peft4j.model.Batch;
import dev.peft4j.model.SequenceClassifier;
import java.util.List;

/**
 * Runs a classifier without dropout over labelled examples, in order, in batches of {@code batchSize} padded by the
 * {@link Batcher}, and reports {@link Metrics} (the trainer's validation) or the predicted classes one by one.
 */
public final class Evaluator {
    private final Batcher batcher;
    private final int batchSize;

    public Evaluator(Batcher batcher, int batchSize) {
        this.batcher = batcher;
        this.batchSize = batchSize;
    }

    public Metrics evaluate(SequenceClassifier model, List<EncodedExample> examples) {
        Scores s = score(model, examples);
        return Metrics.of(s.predicted, s.labels, model.numLabels(), s.lossSum);
    }

    /**
     * The class {@link #evaluate} counts as each example's prediction, in order: the highest probability, the lower
     * class on a tie.
     */
    public int[] predict(SequenceClassifier model, List<EncodedExample> examples) {
        return score(model, examples).predicted;
    }

    private record Scores(int[] predicted, int[] labels, double lossSum) {}

    private Scores score(SequenceClassifier model, List<EncodedExample> examples) {
        int n = examples.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        int[] predicted = new int[n];
        int[] labels = new int[n];
        double lossSum = 0;
        int c = model.numLabels();
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            Batch b = batcher.batch(examples, order, from, to);
            lossSum += (double) model.inferenceLoss(b) * (to - from);
            float[] probs = model.lastProbabilities();
            for (int i = 0; i < to - from; i++) {
                int best = 0;
                for (int k = 1; k < c; k++) {
                    if (probs[i * c + k] > probs[i * c + best]) {
                        best = k;
                    }
                }
                predicted[from + i] = best;
                labels[from + i] = b.labels()[i];
            }
        }
        return new Scores(predicted, labels, lossSum);
    }
}
