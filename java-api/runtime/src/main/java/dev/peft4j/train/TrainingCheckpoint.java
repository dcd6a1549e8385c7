package dev.peft4j.train;

import java.util.List;

/**
 * Everything a {@link ClassifierTrainer} run needs to continue exactly where it was: after optimizer step
 * {@code step}, the next micro-batch is number {@code micro} of epoch {@code epoch}. Values, AdamW moments and the
 * best-so-far snapshot are in the order of the model's trainable-parameter list.
 *
 * @param fingerprint what the run was (config, parameter names and shapes, data size): a resume must match it
 */
record TrainingCheckpoint(String fingerprint, long step, int epoch, int micro, long tokens, float[] losses,
                          List<String> names, List<int[]> shapes, float[][] values, float[][] adamM, float[][] adamV,
                          List<Metrics> history, Metrics best, float[][] bestValues, int sinceBest) {}
