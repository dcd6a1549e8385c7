package dev.peft4j.search.spark;

import dev.peft4j.search.TrialResult;
import java.io.Serializable;

/** A {@link TrialResult} as it travels back from a Spark executor, with where it ran (for the log). */
record TrialOutcome(String trialId, boolean ok, double metric, long trainableParameters, double parameterFraction,
                    String reason, double seconds, String executorId, int attempt) implements Serializable {
    static TrialOutcome of(TrialResult r, String executorId, int attempt) {
        return new TrialOutcome(r.trialId(), r.ok(), r.metric(), r.trainableParameters(), r.parameterFraction(),
                r.reason(), r.seconds(), executorId, attempt);
    }

    TrialResult result() {
        return new TrialResult(trialId, null, ok ? TrialResult.Status.OK : TrialResult.Status.FAILED, metric,
                trainableParameters, parameterFraction, reason, seconds);
    }
}
