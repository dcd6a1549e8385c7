package dev.peft4j.search;

/**
 * What a trial gave: its validation metric (higher is better; NaN unless OK), the exact trainable-parameter count
 * of its plan and that count as a fraction of the base model, the status, why it failed, and its wall time. The
 * fingerprint is the trial's under the runner's setup; a runner leaves it null and the {@link TrialScheduler}
 * stamps it before journaling.
 */
public record TrialResult(String trialId, String fingerprint, Status status, double metric, long trainableParameters,
                          double parameterFraction, String reason, double seconds) {
    public enum Status { OK, FAILED }

    public static TrialResult ok(Trial t, double metric, long params, double fraction, double seconds) {
        return new TrialResult(t.id(), null, Status.OK, metric, params, fraction, null, seconds);
    }

    public static TrialResult failed(Trial t, long params, double fraction, String reason, double seconds) {
        return new TrialResult(t.id(), null, Status.FAILED, Double.NaN, params, fraction, reason, seconds);
    }

    /** This result with {@code fp} as its fingerprint. */
    public TrialResult withFingerprint(String fp) {
        return new TrialResult(trialId, fp, status, metric, trainableParameters, parameterFraction, reason, seconds);
    }

    public boolean ok() {
        return status == Status.OK;
    }
}
