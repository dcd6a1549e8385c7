package dev.peft4j.train;

/** Progress of a training run, for progress bars, logs and JSON-lines metrics. */
public interface TrainListener {
    /** After each optimizer step. */
    default void onStep(long step, long totalSteps, float loss, float lr, float gradNorm, double tokensPerSecond) {}

    /** After each evaluation on the validation set. */
    default void onEvaluation(long step, Metrics validation) {}

    TrainListener NONE = new TrainListener() {};
}
