package dev.peft4j.text;

import dev.peft4j.model.TrainableReport;
import dev.peft4j.train.Metrics;
import java.nio.file.Path;

/** What a {@link FineTune} run reports to its listener, in this order: started, steps (with evaluations and
 * checkpoints between them), possibly stopped, finished. An embedding run reports {@link RetrievalEvaluated} where a
 * classifier run reports {@link Evaluated}: once before its first step (step 0) and once after its last, and writes
 * no checkpoints. */
public sealed interface FineTuneEvent {
    /**
     * Training begins: the optimizer steps it will take, the trainable share of the model (and where it sits), and
     * the peak learning rate.
     */
    record Started(long totalSteps, long trainableParameters, long baseParameters, float learningRate,
                   TrainableReport report) implements FineTuneEvent {
        /** trainable ÷ base parameters. */
        public double trainableFraction() {
            return (double) trainableParameters / baseParameters;
        }
    }

    /** One optimizer step done: its mean loss, learning rate, gradient norm before clipping, and throughput so far. */
    record Step(long step, long totalSteps, float loss, float learningRate, float gradientNorm, double tokensPerSecond)
            implements FineTuneEvent {}

    /** The validation set was scored after {@code step}. */
    record Evaluated(long step, Metrics validation) implements FineTuneEvent {}

    /**
     * An embedding run's held-out texts were scored by same-label retrieval (k-NN label accuracy, mean reciprocal
     * rank): at step 0 before training (the base model), then after the last step.
     */
    record RetrievalEvaluated(long step, RetrievalMetrics metrics) implements FineTuneEvent {}

    /** A resumable checkpoint was written after {@code step}. */
    record Checkpointed(long step, Path file) implements FineTuneEvent {}

    /** The run ended before its last epoch: early stopping on validation accuracy, or {@link FineTune#cancel()}. */
    record Stopped(long step, Reason reason) implements FineTuneEvent {
        /** Why a run stopped early. */
        public enum Reason { EARLY_STOPPING, CANCELLED }
    }

    /** The run is over and, when an adapter folder was given, the adapter is saved. */
    record Finished(FineTuneResult result) implements FineTuneEvent {}
}
