package dev.peft4j.train;

import dev.peft4j.model.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where a {@link ClassifierTrainer} run stands between optimizer steps: steps taken, the next micro-batch's epoch and
 * index, tokens seen, the loss of every step, the validation history and the early-stopping state. A checkpoint is
 * this state plus the parameter values and AdamW moments ({@link #checkpoint}); a resume restores it
 * ({@link #resume}).
 */
final class TrainingState {
    private final float[] losses;
    private final List<Metrics> history = new ArrayList<>();
    private final EarlyStopping stopping;
    private long step;
    private int epoch;
    private int micro;
    private long tokens;
    /** Tokens a resumed checkpoint had counted: this call's throughput leaves them out. */
    private long resumedTokens;

    /** A run that has not started, with room for {@code totalSteps} losses. */
    TrainingState(long totalSteps, int patience) {
        this.losses = new float[(int) totalSteps];
        this.stopping = new EarlyStopping(patience);
    }

    /** Takes over a checkpoint's position, losses, history and early-stopping state. */
    void resume(TrainingCheckpoint c) {
        step = c.step();
        epoch = c.epoch();
        micro = c.micro();
        tokens = c.tokens();
        resumedTokens = c.tokens();
        System.arraycopy(c.losses(), 0, losses, 0, (int) step);
        history.addAll(c.history());
        stopping.resume(c.best(), c.bestValues(), c.sinceBest());
    }

    /**
     * The checkpoint of this state after the current step, the next micro-batch being number {@code nextMicro} of
     * epoch {@code nextEpoch}.
     */
    TrainingCheckpoint checkpoint(String fingerprint, int nextEpoch, int nextMicro, List<Parameter> trainable,
                                  Optimizer opt) {
        return new TrainingCheckpoint(fingerprint, step, nextEpoch, nextMicro, tokens, lossesSoFar(),
                trainable.stream().map(Parameter::name).toList(), trainable.stream().map(p -> p.value().shape()).toList(),
                ParameterValues.snapshot(trainable), opt.firstMoments(), opt.secondMoments(), List.copyOf(history),
                stopping.best(), stopping.bestValues(), stopping.sinceBest());
    }

    /** Counts a finished optimizer step with its loss; returns the new step number. */
    long finishStep(float loss) {
        step++;
        losses[(int) step - 1] = loss;
        return step;
    }

    void addTokens(long n) {
        tokens += n;
    }

    /** The epoch the run starts (or resumes) in. */
    int startEpoch() {
        return epoch;
    }

    /** The micro-batch the start epoch starts (or resumes) at. */
    int startMicro() {
        return micro;
    }

    long step() {
        return step;
    }

    long tokens() {
        return tokens;
    }

    /** Tokens trained on since this run started or resumed. */
    long tokensSinceStart() {
        return tokens - resumedTokens;
    }

    float[] lossesSoFar() {
        return Arrays.copyOf(losses, (int) step);
    }

    /** The validations so far, oldest first; the loop appends to it. */
    List<Metrics> history() {
        return history;
    }

    EarlyStopping stopping() {
        return stopping;
    }
}
