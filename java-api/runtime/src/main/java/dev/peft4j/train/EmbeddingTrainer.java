package dev.peft4j.train;

import dev.peft4j.backend.AdamW;
import dev.peft4j.backend.Backend;
import dev.peft4j.model.Batch;
import dev.peft4j.model.ContrastiveObjective;
import dev.peft4j.model.Parameter;
import java.util.Arrays;
import java.util.List;

/**
 * Fine-tunes an encoder's trainable parameters for embeddings: the {@link ContrastiveObjective} (in-batch negatives)
 * over (anchor, positive) pairs. Per epoch a seeded shuffle of the pairs (the order {@link ClassifierTrainer} uses),
 * micro-batches of {@code batchSize} pairs with dropout, gradient accumulation over {@code accumulationSteps}
 * micro-batches, global-norm clipping, AdamW with the warmup/decay schedule, and a {@link TrainListener#onStep} per
 * optimizer step (loss, learning rate, gradient norm before clipping, tokens per second). After each step
 * {@link TrainListener#stopRequested()} may end the run there (cooperative cancellation; the result says
 * {@link TrainResult#cancelled()}).
 *
 * <p>There is no validation set here: {@link TrainConfig#evalEvery()} and {@link TrainConfig#patience()} are not
 * used, the result has no validations, and the parameters are those of the last step. The same seed gives the same
 * loss curve, bit for bit, on the CPU backends.
 *
 * <p>A micro-batch's pairs are each other's negatives, so accumulation gives the gradient of the mean of the
 * micro-batch losses, not of one loss over the union (larger batches need more memory, not more steps). An epoch's
 * last micro-batch holds what is left; if that is one pair, it has no negative, and its loss and gradient are 0.
 */
public final class EmbeddingTrainer {
    private final TrainConfig config;
    private final PairBatcher batcher;
    private final TrainListener listener;

    /** A trainer padding with {@code padId}; listener may be null. */
    public EmbeddingTrainer(TrainConfig config, int padId, TrainListener listener) {
        this.config = config;
        this.batcher = new PairBatcher(padId);
        this.listener = listener == null ? TrainListener.NONE : listener;
    }

    /** Trains {@code objective}'s encoder on {@code pairs}; the per-step loss is the mean over the step's micro-batches. */
    public TrainResult train(ContrastiveObjective objective, List<EncodedPair> pairs) {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("no training pairs");
        }
        Backend be = objective.encoder().backend();
        List<Parameter> trainable = objective.trainableParameters();
        int batch = config.batchSize();
        int accumulation = config.accumulationSteps();
        int microPerEpoch = (pairs.size() + batch - 1) / batch;
        long stepsPerEpoch = (microPerEpoch + accumulation - 1) / accumulation;
        long totalSteps = stepsPerEpoch * config.epochs();
        if (totalSteps > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(config.epochs() + " epochs of " + stepsPerEpoch + " steps make "
                    + totalSteps + " steps, more than one run can count (" + (Integer.MAX_VALUE - 8) + ")");
        }
        LrSchedule schedule = new LrSchedule(config.lr(), (int) Math.round(config.warmupFraction() * totalSteps),
                (int) totalSteps, config.decay());
        float[] losses = new float[(int) totalSteps];
        long tokens = 0;
        long step = 0;
        listener.onStart(totalSteps);
        long start = System.nanoTime();
        boolean cancelled = false;
        try (Optimizer opt = new Optimizer(be, trainable);
             GradientAccumulator sum = new GradientAccumulator(be, trainable)) {
            epochs:
            for (int epoch = 0; epoch < config.epochs(); epoch++) {
                int[] order = SeededShuffle.epochOrder(pairs.size(), config.seed(), epoch);
                double stepLoss = 0;
                for (int micro = 0; micro < microPerEpoch; micro++) {
                    int from = micro * batch;
                    Batch b = batcher.batch(pairs, order, from, Math.min(pairs.size(), from + batch));
                    // micro-batches in this optimizer step: accumulationSteps, or fewer at the epoch's end
                    int inThisStep = Math.min(accumulation, microPerEpoch - micro / accumulation * accumulation);
                    long dropoutSeed = config.seed() * 1_000_003L + step * 97 + micro;
                    stepLoss += objective.loss(b, true, dropoutSeed) / inThisStep;
                    objective.backward(1f / inThisStep);
                    tokens += b.batch() * (long) b.seqLen();
                    sum.add();
                    if ((micro + 1) % accumulation != 0 && micro + 1 != microPerEpoch) {
                        continue;
                    }
                    sum.moveIntoGradients();
                    step++;
                    float lr = schedule.at(step);
                    float norm = opt.step(new AdamW(lr, 0.9f, 0.999f, 1e-8f, config.weightDecay()), config.maxGradNorm());
                    if (!Double.isFinite(stepLoss)) {
                        throw new IllegalStateException("the loss diverged to " + stepLoss + " at step " + step
                                + "; lower the learning rate (now " + config.lr() + ")");
                    }
                    losses[(int) step - 1] = (float) stepLoss;
                    listener.onStep(step, totalSteps, (float) stepLoss, lr, norm,
                            tokens / ((System.nanoTime() - start) / 1e9));
                    stepLoss = 0;
                    if (listener.stopRequested()) {
                        cancelled = true;
                        break epochs;
                    }
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new TrainResult(step, Arrays.copyOf(losses, (int) step), List.of(), null, seconds, tokens,
                tokens / seconds, false, cancelled);
    }
}
