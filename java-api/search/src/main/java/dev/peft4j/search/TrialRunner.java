package dev.peft4j.search;

/**
 * Trains and scores one trial. Implementations must be safe to call from several threads at once (each call
 * builds its own model) and deterministic for a given trial. An exception or a non-finite metric marks the
 * trial failed; the search goes on.
 */
public interface TrialRunner {
    TrialResult run(Trial trial) throws Exception;

    /**
     * Everything besides the trial that changes its result (model, data, training settings, backend, metric); it
     * enters every trial's fingerprint. A runner that wraps another (to report progress, say) returns the wrapped
     * one's; {@link TrialSetup#NONE} suits only a runner whose result depends on the trial alone.
     */
    TrialSetup setup();
}
