package dev.peft4j.cli;

import java.nio.file.Files;

/**
 * The option values of {@code finetune}, checked before the model and the data load: ranges, the sum of the split
 * sizes, and the run's optimizer steps (overflow, the count one run can hold, and the memory their per-step
 * records take).
 */
final class FinetuneChecks {
    /** Per optimizer step: the trainer's loss, the result's copy, the curve's three doubles and the chart's points. */
    static final long BYTES_PER_STEP = 160;
    /** The most steps a run counts (the per-step loss array is a Java array). */
    static final long MAX_STEPS = Integer.MAX_VALUE - 8;

    private FinetuneChecks() {}

    static void check(FinetuneCommand c) {
        OptionChecks.atLeast("--train", c.train, 1);
        OptionChecks.atLeast("--validation", c.validation, 0);
        OptionChecks.atLeast("--test", c.test, 1);
        OptionChecks.atLeast("--max-length", c.maxLength.tokens(), 3);
        OptionChecks.atLeast("--epochs", c.epochs, 1);
        OptionChecks.atLeast("--batch", c.batch, 1);
        OptionChecks.atLeast("--size", c.size, 0);
        OptionChecks.atLeast("--checkpoint-every", c.checkpointEvery, 0);
        if (c.lr != null) {
            OptionChecks.positive("--lr", c.lr);
        }
        if (c.plan != null && !Files.isRegularFile(c.plan)) {
            throw new UsageException("--plan " + c.plan + ": " + (Files.isDirectory(c.plan) ? "is a folder, not a file"
                    : "not found"));
        }
        OptionChecks.sum("--train + --validation + --test",
                OptionChecks.sum("--train + --validation", c.train, c.validation), c.test);
        steps(c.train, c.batch, c.epochs, Runtime.getRuntime().maxMemory());
    }

    /** The run's optimizer steps, refused where they overflow, exceed {@link #MAX_STEPS} or cannot fit the heap. */
    static long steps(int train, int batch, int epochs, long maxHeap) {
        return steps("--epochs", "--train", train, batch, epochs, maxHeap);
    }

    /** As {@link #steps(int, int, int, long)}, naming the options as the command calls them. */
    static long steps(String epochsOption, String trainOption, int train, int batch, int epochs, long maxHeap) {
        long perEpoch = (train + (long) batch - 1) / batch;
        String what = epochsOption + " " + epochs + " with " + perEpoch + " steps per epoch (" + trainOption + " " + train
                + ", --batch " + batch + ")";
        long total = OptionChecks.product(what, perEpoch, epochs);
        if (total > MAX_STEPS) {
            throw new UsageException(what + " makes " + total + " optimizer steps, more than one run can count ("
                    + MAX_STEPS + ")");
        }
        new MemoryEstimate(what + ": the records of " + total + " steps", total * BYTES_PER_STEP)
                .requireFits(maxHeap, 0.5);
        return total;
    }
}
