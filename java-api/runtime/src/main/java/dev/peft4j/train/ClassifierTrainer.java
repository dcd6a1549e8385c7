package dev.peft4j.train;

import dev.peft4j.backend.AdamW;
import dev.peft4j.backend.Backend;
import dev.peft4j.model.Batch;
import dev.peft4j.model.Parameter;
import dev.peft4j.model.SequenceClassifier;
import dev.peft4j.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Fine-tunes a {@link SequenceClassifier}'s trainable parameters: per epoch a seeded shuffle, micro-batches with
 * dropout, gradient accumulation, global-norm clipping, AdamW with a warmup/decay schedule, periodic validation,
 * early stopping on validation accuracy, and at the end the best validated parameters restored.
 * The same seed gives the same loss curve, bit for bit, on the CPU backends.
 */
public final class ClassifierTrainer {
    private final TrainConfig config;
    private final Batcher batcher;
    private final TrainListener listener;
    private final CheckpointOptions checkpoints;

    public ClassifierTrainer(TrainConfig config, Batcher batcher, TrainListener listener) {
        this(config, batcher, listener, null);
    }

    /** A trainer that writes checkpoints (and resumes from one) as {@code checkpoints} says; null = none. */
    public ClassifierTrainer(TrainConfig config, Batcher batcher, TrainListener listener, CheckpointOptions checkpoints) {
        this.config = config;
        this.batcher = batcher;
        this.listener = listener == null ? TrainListener.NONE : listener;
        this.checkpoints = checkpoints;
    }

    /**
     * Trains; with checkpoint options, resumes from an existing checkpoint first (when asked) and writes one every N
     * steps. Checkpoint I/O failures surface as {@link UncheckedIOException} wrapping a {@link CheckpointException}
     * or the I/O error.
     */
    public TrainResult train(SequenceClassifier model, List<EncodedExample> train, List<EncodedExample> validation) {
        if (train.isEmpty()) {
            throw new IllegalArgumentException("the training set is empty");
        }
        Backend be = model.encoder().backend();
        List<Parameter> trainable = model.trainableParameters();
        int microPerEpoch = (train.size() + config.batchSize() - 1) / config.batchSize();
        long stepsPerEpoch = (microPerEpoch + config.accumulationSteps() - 1) / config.accumulationSteps();
        long totalSteps = stepsPerEpoch * config.epochs();
        LrSchedule schedule = new LrSchedule(config.lr(), (int) Math.round(config.warmupFraction() * totalSteps),
                (int) totalSteps, config.decay());
        Evaluator evaluator = new Evaluator(batcher, config.batchSize());
        List<Metrics> history = new ArrayList<>();
        float[] losses = new float[(int) totalSteps];
        Metrics best = null;
        float[][] bestValues = null;
        int sinceBest = 0;
        boolean stoppedEarly = false;
        long tokens = 0;
        long start = System.nanoTime();
        long step = 0;
        int startEpoch = 0;
        int startMicro = 0;
        String fingerprint = fingerprint(trainable, train.size(), validation.size());
        try (Optimizer opt = new Optimizer(be, trainable); GradientAccumulator acc = new GradientAccumulator(be, trainable);
             Tensor stepLoss = be.allocate(1); Tensor stepNorm = be.allocate(1)) {
            if (checkpoints != null && checkpoints.resume() && Files.exists(checkpoints.path())) {
                TrainingCheckpoint c = readCheckpoint(fingerprint);
                restore(trainable, c.values());
                opt.restore(c.step(), c.adamM(), c.adamV());
                step = c.step();
                startEpoch = c.epoch();
                startMicro = c.micro();
                tokens = c.tokens();
                System.arraycopy(c.losses(), 0, losses, 0, (int) step);
                history.addAll(c.history());
                best = c.best();
                bestValues = c.bestValues();
                sinceBest = c.sinceBest();
            }
            epochs:
            for (int epoch = startEpoch; epoch < config.epochs(); epoch++) {
                int[] order = shuffled(train.size(), new SplittableRandom(config.seed() * 31 + epoch));
                int micro = epoch == startEpoch ? startMicro : 0;
                boolean stepStarts = true;
                for (int from = micro * config.batchSize(); from < train.size(); from += config.batchSize()) {
                    int to = Math.min(train.size(), from + config.batchSize());
                    Batch b = batcher.batch(train, order, from, to);
                    long dropoutSeed = config.seed() * 1_000_003L + step * 97 + micro;
                    // the step's work is queued without waiting for the device: the loss and the gradient norm stay
                    // there until the step's end, where both are read once
                    Tensor loss = model.deviceLoss(b, true, dropoutSeed);
                    int inThisStep = (int) Math.min(config.accumulationSteps(),
                            microPerEpoch - (long) (micro / config.accumulationSteps()) * config.accumulationSteps());
                    model.backward(1f / inThisStep);
                    tokens += b.batch() * (long) b.seqLen();
                    if (stepStarts) {
                        be.fill(stepLoss, 0f);
                        stepStarts = false;
                    }
                    be.axpy(1f / inThisStep, loss, stepLoss); // the step's loss: the mean over its micro-batches
                    acc.add();
                    micro++;
                    if (micro % config.accumulationSteps() != 0 && micro != microPerEpoch) {
                        continue;
                    }
                    acc.moveIntoGradients();
                    step++;
                    float lr = schedule.at(step);
                    opt.step(new AdamW(lr, 0.9f, 0.999f, 1e-8f, config.weightDecay()), config.maxGradNorm(), stepNorm);
                    float lossSum = stepLoss.toArray()[0];
                    float norm = config.maxGradNorm() > 0 ? stepNorm.toArray()[0] : Float.NaN;
                    stepStarts = true;
                    if (!Float.isFinite(lossSum)) {
                        throw new IllegalStateException("the loss diverged to " + lossSum + " at step " + step
                                + "; lower the learning rate (now " + config.lr() + ")");
                    }
                    losses[(int) step - 1] = lossSum;
                    double seconds = (System.nanoTime() - start) / 1e9;
                    listener.onStep(step, totalSteps, lossSum, lr, norm, tokens / seconds);
                    boolean evalNow = config.evalEvery() > 0 ? step % config.evalEvery() == 0 : micro == microPerEpoch;
                    if (evalNow && !validation.isEmpty()) {
                        Metrics m = evaluator.evaluate(model, validation);
                        history.add(m);
                        listener.onEvaluation(step, m);
                        if (best == null || m.accuracy() > best.accuracy()) {
                            best = m;
                            bestValues = snapshot(trainable);
                            sinceBest = 0;
                        } else if (config.patience() > 0 && ++sinceBest >= config.patience()) {
                            stoppedEarly = true;
                            break epochs;
                        }
                    }
                    if (checkpoints != null && checkpoints.every() > 0 && step % checkpoints.every() == 0) {
                        boolean epochDone = micro == microPerEpoch;
                        writeCheckpoint(new TrainingCheckpoint(fingerprint, step, epochDone ? epoch + 1 : epoch,
                                epochDone ? 0 : micro, tokens, java.util.Arrays.copyOf(losses, (int) step),
                                trainable.stream().map(Parameter::name).toList(),
                                trainable.stream().map(p -> p.value().shape()).toList(), snapshot(trainable),
                                opt.firstMoments(), opt.secondMoments(), List.copyOf(history), best, bestValues, sinceBest));
                    }
                }
            }
        }
        if (bestValues != null) {
            restore(trainable, bestValues);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        float[] ran = java.util.Arrays.copyOf(losses, (int) step);
        return new TrainResult(step, ran, history, best, seconds, tokens / seconds, stoppedEarly);
    }

    private void writeCheckpoint(TrainingCheckpoint c) {
        try {
            CheckpointFile.write(checkpoints.path(), c);
        } catch (IOException e) {
            throw new UncheckedIOException("writing checkpoint " + checkpoints.path() + " failed: " + e.getMessage(), e);
        }
    }

    private TrainingCheckpoint readCheckpoint(String fingerprint) {
        try {
            TrainingCheckpoint c = CheckpointFile.read(checkpoints.path());
            if (!c.fingerprint().equals(fingerprint)) {
                throw new CheckpointException(checkpoints.path() + ": written by a different run; it holds\n  "
                        + c.fingerprint() + "\nbut this run is\n  " + fingerprint);
            }
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** What must match for a resume: the config, the trainable parameters' names and shapes, the data sizes. */
    private String fingerprint(List<Parameter> trainable, int trainSize, int validationSize) {
        StringBuilder b = new StringBuilder(config.toString()).append(" train=").append(trainSize)
                .append(" validation=").append(validationSize).append(" params=");
        for (Parameter p : trainable) {
            b.append(p.name()).append(java.util.Arrays.toString(p.value().shape())).append(';');
        }
        return b.toString();
    }

    static int[] shuffled(int n, SplittableRandom rng) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private static float[][] snapshot(List<Parameter> params) {
        float[][] out = new float[params.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = params.get(i).value().toArray();
        }
        return out;
    }

    private static void restore(List<Parameter> params, float[][] values) {
        for (int i = 0; i < values.length; i++) {
            params.get(i).value().copyFrom(values[i]);
        }
    }

    /**
     * Sums micro-batch gradients (kernels overwrite gradients, so each backward's result is added here) and
     * moves the sum back into the parameters' gradients before the optimizer step.
     */
    private static final class GradientAccumulator implements AutoCloseable {
        private final Backend be;
        private final List<Parameter> params;
        private final Tensor[] sums;
        private boolean empty = true;

        GradientAccumulator(Backend be, List<Parameter> params) {
            this.be = be;
            this.params = params;
            this.sums = new Tensor[params.size()];
            for (int i = 0; i < sums.length; i++) {
                sums[i] = be.allocate(params.get(i).value().shape());
            }
        }

        void add() {
            for (int i = 0; i < sums.length; i++) {
                if (empty) {
                    be.copy(params.get(i).grad(), sums[i]);
                } else {
                    be.axpy(1f, params.get(i).grad(), sums[i]);
                }
            }
            empty = false;
        }

        void moveIntoGradients() {
            for (int i = 0; i < sums.length; i++) {
                be.copy(sums[i], params.get(i).grad());
            }
            empty = true;
        }

        @Override
        public void close() {
            for (Tensor t : sums) {
                t.close();
            }
        }
    }
}
