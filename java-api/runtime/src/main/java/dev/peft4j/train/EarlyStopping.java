package dev.peft4j.train;

import dev.peft4j.model.Parameter;
import java.util.List;

/**
 * Early stopping on validation accuracy: keeps the best evaluation so far with the trainable values it was made
 * with, and says stop once {@code patience} evaluations in a row did not beat it (patience 0 = never stop).
 */
final class EarlyStopping {
    private final int patience;
    private Metrics best;
    private float[][] bestValues;
    private int sinceBest;

    EarlyStopping(int patience) {
        this.patience = patience;
    }

    /** Continues a run from a checkpoint's best-so-far state. */
    void resume(Metrics best, float[][] bestValues, int sinceBest) {
        this.best = best;
        this.bestValues = bestValues;
        this.sinceBest = sinceBest;
    }

    /**
     * Records evaluation {@code m} of the model whose trainable parameters are {@code trainable}; true when training
     * should stop here.
     */
    boolean shouldStop(Metrics m, List<Parameter> trainable) {
        if (best == null || m.accuracy() > best.accuracy()) {
            best = m;
            bestValues = ParameterValues.snapshot(trainable);
            sinceBest = 0;
            return false;
        }
        return patience > 0 && ++sinceBest >= patience;
    }

    /** Puts the best evaluation's values back into {@code trainable}; nothing when there was no evaluation. */
    void restoreBest(List<Parameter> trainable) {
        if (bestValues != null) {
            ParameterValues.restore(trainable, bestValues);
        }
    }

    /** The best evaluation so far, or null before the first. */
    Metrics best() {
        return best;
    }

    float[][] bestValues() {
        return bestValues;
    }

    int sinceBest() {
        return sinceBest;
    }
}
