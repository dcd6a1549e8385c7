package dev.peft4j.text;

import dev.peft4j.train.Metrics;
import dev.peft4j.train.TrainResult;
import java.nio.file.Path;

/**
 * What a {@link FineTune} run did: the trainer's record (steps, losses, validation history, time), the best
 * validation metrics (null without a validation set), the trainable parameter count, and the adapter folder it
 * saved (null when none was asked for).
 */
public record FineTuneResult(TrainResult training, Metrics bestValidation, long trainableParameters,
                             long baseParameters, Path adapter) {
    /** trainable ÷ base parameters. */
    public double trainableFraction() {
        return (double) trainableParameters / baseParameters;
    }
}
