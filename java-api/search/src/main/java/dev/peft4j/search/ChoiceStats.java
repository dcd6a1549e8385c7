package dev.peft4j.search;

import java.util.List;

/**
 * The scores one choice of a stage got across its samples: count, mean, sample standard deviation (n − 1), range,
 * and how many of its samples failed in training or were rejected by the budget.
 */
public record ChoiceStats(String label, List<Double> scores, int failed, int rejected, double mean, double std,
                          double min, double max) {
    public static ChoiceStats of(String label, List<Double> scores, int failed, int rejected) {
        int n = scores.size();
        double mean = scores.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        double ss = 0;
        for (double s : scores) {
            ss += (s - mean) * (s - mean);
        }
        double std = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
        return new ChoiceStats(label, List.copyOf(scores), failed, rejected, mean, std,
                scores.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
                scores.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
    }

    /** mean − penalty·std: the criterion a stage maximises. */
    public double criterion(double spreadPenalty) {
        return mean - spreadPenalty * std;
    }
}
