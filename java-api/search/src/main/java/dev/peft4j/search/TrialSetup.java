package dev.peft4j.search;

import dev.peft4j.train.TrainConfig;

/**
 * Everything besides a trial's own plan and proxy that changes its result: the base model (its name and a digest of
 * its shape and weights), the data (the dataset and split as named by the caller, and a digest of the encoded
 * training and validation examples, which also covers the tokenizer and the maximum length), the maximum length,
 * the backend's class, the training settings (learning rate, schedule, batch, weight decay, clipping, ...; epochs
 * and seed are the proxy's), whether the rate follows each plan's methods, the number of labels and the metric. A
 * trial's {@linkplain Trial#fingerprint(TrialSetup) fingerprint} hashes it, so a journal written under another
 * setting is never reused.
 */
public record TrialSetup(String model, String modelDigest, String data, String dataDigest, int maxLength,
                         String backend, TrainConfig training, boolean learningRateFromPlan, int numLabels,
                         ClassifierTrialRunner.Score metric) {
    /** The setup of a runner whose result depends on the trial alone (a deterministic stand-in in tests). */
    public static final TrialSetup NONE = new TrialSetup("none", "", "none", "", 0, "none", null, false, 0, null);

    public TrialSetup {
        if (model == null || modelDigest == null || data == null || dataDigest == null || backend == null) {
            throw new IllegalArgumentException("a trial setup names its model, data and backend (null given)");
        }
    }

    /** The text a fingerprint hashes: every field, in a fixed order. */
    String canonical() {
        return toString();
    }
}
