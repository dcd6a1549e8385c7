package dev.peft4j.train;

/**
 * How to train: epochs, batch size, AdamW (peak lr, weight decay), warmup fraction and decay, gradient clipping
 * (≤ 0 = off), gradient accumulation, evaluation every N optimizer steps (0 = each epoch's end), early stopping
 * after {@code patience} evaluations without a better validation accuracy (0 = never), and the seed.
 */
public record TrainConfig(int epochs, int batchSize, float lr, float weightDecay, float warmupFraction,
                          LrSchedule.Decay decay, float maxGradNorm, int accumulationSteps, int evalEvery, int patience,
                          long seed) {
    public TrainConfig {
        if (epochs < 1 || batchSize < 1 || accumulationSteps < 1 || evalEvery < 0 || patience < 0) {
            throw new IllegalArgumentException("need epochs, batchSize, accumulationSteps ≥ 1 and evalEvery, patience ≥ 0; got "
                    + epochs + ", " + batchSize + ", " + accumulationSteps + ", " + evalEvery + ", " + patience);
        }
        if (!(lr > 0) || !Float.isFinite(lr) || !(weightDecay >= 0) || !Float.isFinite(weightDecay)) {
            throw new IllegalArgumentException("lr must be finite and > 0, weightDecay finite and ≥ 0; got " + lr + ", " + weightDecay);
        }
        if (!(warmupFraction >= 0 && warmupFraction <= 1)) {
            throw new IllegalArgumentException("warmupFraction must lie in [0, 1], got " + warmupFraction);
        }
        if (!Float.isFinite(maxGradNorm) || decay == null) {
            throw new IllegalArgumentException("maxGradNorm must be finite and decay given");
        }
    }

    /**
     * The defaults, stated here once for the library and the CLI: 3 epochs, batch 16, lr 5e-4, weight decay 0.01,
     * 6 % warmup then linear decay, clip at norm 1.0, no accumulation, evaluation at each epoch's end, no early
     * stopping, seed 42.
     */
    public static TrainConfig defaults() {
        return new TrainConfig(3, 16, 5e-4f, 0.01f, 0.06f, LrSchedule.Decay.LINEAR, 1f, 1, 0, 0, 42);
    }

    /** This config with {@code epochs} epochs. */
    public TrainConfig withEpochs(int epochs) {
        return new TrainConfig(epochs, batchSize, lr, weightDecay, warmupFraction, decay, maxGradNorm, accumulationSteps,
                evalEvery, patience, seed);
    }

    /** This config with {@code batchSize} examples per micro-batch. */
    public TrainConfig withBatchSize(int batchSize) {
        return new TrainConfig(epochs, batchSize, lr, weightDecay, warmupFraction, decay, maxGradNorm, accumulationSteps,
                evalEvery, patience, seed);
    }

    /** This config with peak learning rate {@code lr}. */
    public TrainConfig withLr(float lr) {
        return new TrainConfig(epochs, batchSize, lr, weightDecay, warmupFraction, decay, maxGradNorm, accumulationSteps,
                evalEvery, patience, seed);
    }

    /** This config with seed {@code seed}. */
    public TrainConfig withSeed(long seed) {
        return new TrainConfig(epochs, batchSize, lr, weightDecay, warmupFraction, decay, maxGradNorm, accumulationSteps,
                evalEvery, patience, seed);
    }
}
