package dev.peft4j.text;

import dev.peft4j.train.Metrics;
import dev.peft4j.train.TrainResult;
import java.nio.file.Path;

/**
 * What a {@link FineTune} run did: the trainer's record (steps, losses, validation history, time), the best
 * validation metrics (null without a validation set, and for an embedding run), the trainable parameter count, the
 * adapter folder it saved (null when none was asked for), and for an embedding run with held-out texts the same-label
 * retrieval metrics before and after training (null otherwise).
 */
public record FineTuneResult(TrainResult training, Metrics bestValidation, long trainableParameters,
                             long baseParameters, Path adapter, RetrievalMetrics retrievalBefore,
                             RetrievalMetrics retrievalAfter) {
    /** A result without retrieval metrics (a classifier run). */
    public FineTuneResult(TrainResult training, Metrics bestValidation, long trainableParameters, long baseParameters,
                          Path adapter) {
        this(training, bestValidation, trainableParameters, baseParameters, adapter, null, null);
    }

    /** trainable ÷ base parameters. */
    public double trainableFraction() {
        return (double) trainableParameters / baseParameters;
    }
}
