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

    /**
     * Runs {@code trial} on {@code runner} and never throws: an exception, a null result, a result for another trial
     * or a non-finite metric comes back as a FAILED result with the reason (its wall time included). The result
     * carries no fingerprint; the {@link TrialScheduler} stamps it. Every {@link TrialExecutor} runs trials through
     * this, so a trial fails the same way wherever it runs.
     */
    static TrialResult runChecked(TrialRunner runner, Trial trial) {
        long start = System.nanoTime();
        try {
            TrialResult r = runner.run(trial);
            if (r == null) {
                return TrialResult.failed(trial, -1, Double.NaN, "the runner returned no result", seconds(start));
            }
            if (r.ok() && !Double.isFinite(r.metric())) {
                return TrialResult.failed(trial, r.trainableParameters(), r.parameterFraction(),
                        "the metric is " + r.metric() + " (diverged)", r.seconds());
            }
            if (!r.trialId().equals(trial.id())) {
                throw new IllegalStateException("the runner answered trial " + r.trialId() + " for " + trial.id());
            }
            return r;
        } catch (Exception e) {
            return TrialResult.failed(trial, -1, Double.NaN, e.getClass().getSimpleName() + ": " + e.getMessage(),
                    seconds(start));
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
