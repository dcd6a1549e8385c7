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
        return bestWithin(Double.POSITIVE_INFINITY);
    }

    /** The front's point with the highest metric among those with fraction ≤ maxFraction (ties: the smaller
     *  fraction); null when every point of the front is above it. */
    public ParetoPoint bestWithin(double maxFraction) {
        ParetoPoint best = null;
        for (ParetoPoint p : front) {
            if (p.fraction() <= maxFraction && (best == null || p.metric() > best.metric()
                    || p.metric() == best.metric() && p.fraction() < best.fraction())) {
                best = p;
            }
        }
        return best;
    }
}
