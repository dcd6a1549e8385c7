package dev.peft4j.train;

import java.util.List;

/**
 * What a run did: steps, per-step losses, validation history, the best validation metrics, time and throughput, and
 * whether it ended before its last epoch: by early stopping, or because its listener asked it to stop.
 */
public record TrainResult(long steps, float[] losses, List<Metrics> validations, Metrics bestValidation, double seconds,
                          double tokensPerSecond, boolean stoppedEarly, boolean cancelled) {}
