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
import java.util.List;

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
        long totalSteps = stepsPerEpoch * config.epochs(); // < 2^62: no overflow
        if (totalSteps > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(config.epochs() + " epochs of " + stepsPerEpoch + " steps make "
                    + totalSteps + " steps, more than one run can count (" + (Integer.MAX_VALUE - 8) + ")");
        }
        TrainingState state = new TrainingState(totalSteps, config.patience());
        String fingerprint = fingerprint(trainable, train.size(), validation.size());
        listener.onStart(totalSteps);
        long start = System.nanoTime();
        boolean stoppedEarly;
        boolean cancelled;
        try (Optimizer opt = new Optimizer(be, trainable)) {
            if (checkpoints != null && checkpoints.resume() && Files.exists(checkpoints.path())) {
                TrainingCheckpoint c = readCheckpoint(fingerprint, totalSteps, microPerEpoch);
                ParameterValues.restore(trainable, c.values());
                opt.restore(c.step(), c.adamM(), c.adamV());
                state.resume(c);
            }
            try (Loop loop = new Loop(model, train, validation, trainable, opt, state, fingerprint, microPerEpoch,
                    totalSteps, start)) {
                stoppedEarly = loop.run();
                cancelled = loop.cancelled;
            }
        }
        state.stopping().restoreBest(trainable);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new TrainResult(state.step(), state.lossesSoFar(), state.history(), state.stopping().best(), seconds,
                state.tokens(), state.tokensSinceStart() / seconds, stoppedEarly && !cancelled, cancelled);
    }

    /**
     * One run's loop over epochs, micro-batches and optimizer steps. Each step's work is queued without waiting for
     * the device: the loss and the gradient norm stay there until the step's end, where both are read once.
     */
    private final class Loop implements AutoCloseable {
        private final SequenceClassifier model;
        private final List<EncodedExample> train;
        private final List<EncodedExample> validation;
        private final List<Parameter> trainable;
        private final Optimizer opt;
        private final TrainingState state;
        private final String fingerprint;
        private final int microPerEpoch;
        private final long totalSteps;
        private final long start;
        private final Backend be;
        private final LrSchedule schedule;
        private final Evaluator evaluator;
        private final GradientAccumulator acc;
        private final Tensor stepLoss;  // [1], the step's loss: the mean over its micro-batches
        private final Tensor stepNorm;  // [1], the gradient's global norm before clipping
        private boolean cancelled;

        Loop(SequenceClassifier model, List<EncodedExample> train, List<EncodedExample> validation,
             List<Parameter> trainable, Optimizer opt, TrainingState state, String fingerprint, int microPerEpoch,
             long totalSteps, long start) {
            this.model = model;
            this.train = train;
            this.validation = validation;
            this.trainable = trainable;
            this.opt = opt;
            this.state = state;
            this.fingerprint = fingerprint;
            this.microPerEpoch = microPerEpoch;
            this.totalSteps = totalSteps;
            this.start = start;
            this.be = model.encoder().backend();
            this.schedule = new LrSchedule(config.lr(), (int) Math.round(config.warmupFraction() * totalSteps),
                    (int) totalSteps, config.decay());
            this.evaluator = new Evaluator(batcher, config.batchSize());
            this.acc = new GradientAccumulator(be, trainable);
            this.stepLoss = be.allocate(1);
            this.stepNorm = be.allocate(1);
        }

        /** Runs the remaining epochs; true when early stopping or a stop request ended the run. */
        boolean run() {
            for (int epoch = state.startEpoch(); epoch < config.epochs(); epoch++) {
                if (epoch(epoch, epoch == state.startEpoch() ? state.startMicro() : 0)) {
                    return true;
                }
            }
            return false;
        }

        /** One epoch from micro-batch {@code micro} on; true when early stopping ended the run. */
        private boolean epoch(int epoch, int micro) {
            int[] order = SeededShuffle.epochOrder(train.size(), config.seed(), epoch);
            boolean stepStarts = true;
            for (int from = micro * config.batchSize(); from < train.size(); from += config.batchSize()) {
                int to = Math.min(train.size(), from + config.batchSize());
                Batch b = batcher.batch(train, order, from, to);
                long dropoutSeed = config.seed() * 1_000_003L + state.step() * 97 + micro;
                Tensor loss = model.deviceLoss(b, true, dropoutSeed);
                int inThisStep = (int) Math.min(config.accumulationSteps(),
                        microPerEpoch - (long) (micro / config.accumulationSteps()) * config.accumulationSteps());
                model.backward(1f / inThisStep);
                state.addTokens(b.batch() * (long) b.seqLen());
                if (stepStarts) {
                    be.fill(stepLoss, 0f);
                    stepStarts = false;
                }
                be.axpy(1f / inThisStep, loss, stepLoss);
                acc.add();
                micro++;
                if (micro % config.accumulationSteps() != 0 && micro != microPerEpoch) {
                    continue;
                }
                stepStarts = true;
                if (optimizerStep(epoch, micro)) {
                    return true;
                }
            }
            return false;
        }

        /**
         * The optimizer step that closes micro-batch {@code micro} of {@code epoch}, then its report, evaluation and
         * checkpoint; true when early stopping ends the run here.
         */
        private boolean optimizerStep(int epoch, int micro) {
            acc.moveIntoGradients();
            long step = state.step() + 1;
            float lr = schedule.at(step);
            opt.step(new AdamW(lr, 0.9f, 0.999f, 1e-8f, config.weightDecay()), config.maxGradNorm(), stepNorm);
            float lossSum = stepLoss.toArray()[0];
            float norm = config.maxGradNorm() > 0 ? stepNorm.toArray()[0] : Float.NaN;
            if (!Float.isFinite(lossSum)) {
                throw new IllegalStateException("the loss diverged to " + lossSum + " at step " + step
                        + "; lower the learning rate (now " + config.lr() + ")");
            }
            state.finishStep(lossSum);
            double seconds = (System.nanoTime() - start) / 1e9;
            listener.onStep(step, totalSteps, lossSum, lr, norm, state.tokensSinceStart() / seconds);
            boolean epochDone = micro == microPerEpoch;
            boolean evalNow = config.evalEvery() > 0 ? step % config.evalEvery() == 0 : epochDone;
            if (evalNow && !validation.isEmpty()) {
                Metrics m = evaluator.evaluate(model, validation);
                state.history().add(m);
                listener.onEvaluation(step, m);
                if (state.stopping().shouldStop(m, trainable)) {
                    return true;
                }
            }
            if (checkpoints != null && checkpoints.every() > 0 && step % checkpoints.every() == 0) {
                writeCheckpoint(state.checkpoint(fingerprint, epochDone ? epoch + 1 : epoch, epochDone ? 0 : micro,
                        trainable, opt));
                listener.onCheckpoint(step, checkpoints.path());
            }
            if (listener.stopRequested()) {
                cancelled = true;
                return true;
            }
            return false;
        }

        @Override
        public void close() {
            acc.close();
            stepLoss.close();
            stepNorm.close();
        }
    }

    private void writeCheckpoint(TrainingCheckpoint c) {
        try {
            CheckpointFile.write(checkpoints.path(), c);
        } catch (IOException e) {
            throw new UncheckedIOException("writing checkpoint " + checkpoints.path() + " failed: " + e.getMessage(), e);
        }
    }

    /** The checkpoint's position must lie inside this run (its metadata passed the checksum but may be hand-edited). */
    private void checkPosition(TrainingCheckpoint c, long totalSteps, int microPerEpoch) throws CheckpointException {
        String problem = c.step() > totalSteps ? "step " + c.step() + " is beyond the run's " + totalSteps + " steps"
                : c.epoch() > config.epochs() ? "epoch " + c.epoch() + " is beyond the run's " + config.epochs() + " epochs"
                : c.micro() > microPerEpoch ? "micro-step " + c.micro() + " is beyond an epoch's " + microPerEpoch
                + " micro-batches" : null;
        if (problem != null) {
            throw new CheckpointException(checkpoints.path() + ": malformed checkpoint: metadata " + problem);
        }
    }

    private TrainingCheckpoint readCheckpoint(String fingerprint, long totalSteps, int microPerEpoch) {
        try {
            TrainingCheckpoint c = CheckpointFile.read(checkpoints.path());
            if (!c.fingerprint().equals(fingerprint)) {
                throw new CheckpointException(checkpoints.path() + ": written by a different run; it holds\n  "
                        + c.fingerprint() + "\nbut this run is\n  " + fingerprint);
            }
            checkPosition(c, totalSteps, microPerEpoch);
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
}
