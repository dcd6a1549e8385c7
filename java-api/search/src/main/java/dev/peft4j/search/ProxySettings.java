package dev.peft4j.search;

/**
 * The low-fidelity proxy a trial trains with: epochs, the first {@code trainExamples} training and
 * {@code validationExamples} validation examples (0 = all), and the training seed.
 */
public record ProxySettings(int epochs, int trainExamples, int validationExamples, long seed) {
    public ProxySettings {
        if (epochs < 1 || trainExamples < 0 || validationExamples < 0) {
            throw new IllegalArgumentException("need epochs ≥ 1 and example counts ≥ 0 (0 = all), got " + epochs + ", "
                    + trainExamples + ", " + validationExamples);
        }
    }

    public ProxySettings withSeed(long s) {
        return new ProxySettings(epochs, trainExamples, validationExamples, s);
    }
}
