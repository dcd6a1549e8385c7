package dev.peft4j.search;

import java.util.List;

/**
 * Where a batch of trials runs: in this process on a thread pool ({@link LocalTrialExecutor}, the default) or
 * elsewhere (a cluster). An executor only runs trials and hands each result back; the driver-side
 * {@link TrialScheduler} keeps the journal, the fingerprints and the trial limit, so every executor journals each
 * trial exactly once and a search resumes from its journal whichever executor ran it.
 *
 * <p>Contract of {@link #execute}: every trial of the batch ends in exactly one call of the sink with its batch
 * index, as the trial ends (so it is journaled then, not when the batch ends), possibly from other threads; a trial
 * that throws, answers another trial's id or scores a non-finite metric is handed back as FAILED (see
 * {@link TrialRunner#runChecked}), so the search goes on. A trial that the executor itself loses (a machine gone)
 * is retried by the executor, never handed back twice. {@code execute} returns when every trial has been handed
 * back, and throws when that cannot happen (the cluster is gone, the sink threw).
 */
public interface TrialExecutor extends AutoCloseable {
    /** Receives one trial's result; {@code index} is the trial's position in the batch given to {@link #execute}. */
    @FunctionalInterface
    interface ResultSink {
        void accept(int index, TrialResult result);
    }

    /**
     * What the trials' results depend on besides the trial itself; it enters every trial's fingerprint (see
     * {@link TrialRunner#setup()}).
     */
    TrialSetup setup();

    /** Runs every trial of {@code trials} and hands each result to {@code sink} as it ends (see the type's contract). */
    void execute(List<Trial> trials, ResultSink sink);

    /** Releases what the executor holds (threads, a cluster connection); the default holds nothing. */
    @Override
    default void close() {}
}
