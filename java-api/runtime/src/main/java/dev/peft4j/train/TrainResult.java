package dev.peft4j.train;

import java.util.List;

/**
 * What a run did: steps, per-step losses, validation history, the best validation metrics, time and throughput, and
 * whether it ended before its last epoch: by early stopping, or because its listener asked it to stop.
 *
 * @param steps           optimizer steps of the whole run (a resumed run counts the checkpoint's)
 * @param seconds         training time of this call (a resumed run: since it resumed)
 * @param tokens          tokens trained on over the whole run (a resumed run counts the checkpoint's)
 * @param tokensPerSecond tokens trained on in this call per second of it
 */
public record TrainResult(long steps, float[] losses, List<Metrics> validations, Metrics bestValidation, double seconds,
                          long tokens, double tokensPerSecond, boolean stoppedEarly, boolean cancelled) {}
