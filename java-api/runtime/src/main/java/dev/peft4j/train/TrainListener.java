package dev.peft4j.train;

/** Progress of a training run, for progress bars, logs and JSON-lines metrics. */
public interface TrainListener {
    /** Once, before the first step (also when resuming): the optimizer steps the whole run takes. */
    default void onStart(long totalSteps) {}

    /**
     * After each optimizer step; {@code tokensPerSecond} is this call's throughput (a resumed run's counts from the
     * resume, not from the checkpoint's start).
     */
    default void onStep(long step, long totalSteps, float loss, float lr, float gradNorm, double tokensPerSecond) {}

    /** After each evaluation on the validation set. */
    default void onEvaluation(long step, Metrics validation) {}

    /** After a checkpoint was written (atomically) to {@code file}. */
    default void onCheckpoint(long step, java.nio.file.Path file) {}

    /**
     * Asked after each optimizer step: true ends the run there (cooperative cancellation). The trainer then restores
     * the best validated parameters, as at any end, and reports {@link TrainResult#cancelled()}.
     */
    default boolean stopRequested() {
        return false;
    }

    TrainListener NONE = new TrainListener() {};
}
