package dev.peft4j.search;

import java.util.List;

/**
 * The outcome of the multi-objective search: every successful evaluation in the order it was proposed, the Pareto
 * front among them (metric up, fraction down; sorted by fraction), its hypervolume against the reference point
 * (metricReference, fractionReference), and how many trials failed.
 */
public record AutoPeftResult(List<ParetoPoint> evaluated, List<ParetoPoint> front, double hypervolume,
                             double metricReference, double fractionReference, int failed) {
    /** The front's point with the highest metric (ties: the smaller fraction). */
    public ParetoPoint bestMetric() {
        ParetoPoint best = null;
        for (ParetoPoint p : front) {
            if (best == null || p.metric() > best.metric()) {
                best = p;
            }
        }
        return best;
    }
}
