package dev.peft4j.search;

import dev.peft4j.train.Metrics;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A paired comparison of two configurations on the same test examples over the same seeds (the protocol's primary
 * test, docs/search/PROTOCOL.md). Each seed s gives both a prediction per example; the effect is
 * Δ = mean over seeds of metric(candidate_s) − metric(baseline_s), the metric accuracy or macro-F1.
 * <ul>
 *   <li>Paired bootstrap: each of {@code resamples} resamples draws the seeds and the test examples with replacement
 *       (one example draw shared by every seed, so each example stays paired across both configurations and all
 *       seeds) and recomputes Δ; the 95 % interval is the 2.5 and 97.5 percentiles, and the two-sided p-value is
 *       2·min(share of Δ* ≤ 0, share of Δ* ≥ 0), at most 1.</li>
 *   <li>McNemar's exact test on the (example, seed) pairs pooled over seeds: b = baseline right and candidate wrong,
 *       c = the reverse; p = min(1, 2·P(X ≤ min(b, c))) for X ~ Binomial(b + c, ½).</li>
 * </ul>
 */
public final class PairedComparison {
    /** The comparison's numbers: Δ, its 95 % bootstrap interval and p-value, McNemar's b, c and p. */
    public record Result(double delta, double low, double high, double bootstrapP, long baselineOnly,
                         long candidateOnly, double mcnemarP, int seeds, int examples) {}

    private PairedComparison() {}

    /**
     * @param labels    the test labels (the same for every seed)
     * @param baseline  per seed, the baseline's predicted label per example
     * @param candidate per seed (same order), the candidate's
     */
    public static Result compare(int[] labels, List<int[]> baseline, List<int[]> candidate, int numLabels,
                                 ClassifierTrialRunner.Score metric, int resamples, long seed) {
        int seeds = baseline.size();
        int n = labels.length;
        if (seeds == 0 || candidate.size() != seeds) {
            throw new IllegalArgumentException("need the same number (≥ 1) of seeds for both, got " + seeds + " and "
                    + candidate.size());
        }
        for (int s = 0; s < seeds; s++) {
            if (baseline.get(s).length != n || candidate.get(s).length != n) {
                throw new IllegalArgumentException("seed " + s + ": " + baseline.get(s).length + " and "
                        + candidate.get(s).length + " predictions for " + n + " test labels");
            }
        }
        if (n == 0 || resamples < 1) {
            throw new IllegalArgumentException("need test examples and resamples ≥ 1, got " + n + ", " + resamples);
        }
        int[] all = new int[n];
        int[] allSeeds = new int[seeds];
        Arrays.setAll(all, i -> i);
        Arrays.setAll(allSeeds, s -> s);
        double delta = delta(labels, baseline, candidate, numLabels, metric, all, allSeeds);
        SplittableRandom rng = new SplittableRandom(seed);
        double[] boot = new double[resamples];
        int[] idx = new int[n];
        int[] sd = new int[seeds];
        for (int r = 0; r < resamples; r++) {
            for (int s = 0; s < seeds; s++) {
                sd[s] = rng.nextInt(seeds);
            }
            for (int i = 0; i < n; i++) {
                idx[i] = rng.nextInt(n);
            }
            boot[r] = delta(labels, baseline, candidate, numLabels, metric, idx, sd);
        }
        Arrays.sort(boot);
        long below = Arrays.stream(boot).filter(x -> x <= 0).count();
        long above = Arrays.stream(boot).filter(x -> x >= 0).count();
        double p = Math.min(1, 2.0 * Math.min(below, above) / resamples);
        long b = 0;
        long c = 0;
        for (int s = 0; s < seeds; s++) {
            for (int i = 0; i < n; i++) {
                boolean baseRight = baseline.get(s)[i] == labels[i];
                boolean candRight = candidate.get(s)[i] == labels[i];
                b += baseRight && !candRight ? 1 : 0;
                c += candRight && !baseRight ? 1 : 0;
            }
        }
        return new Result(delta, percentile(boot, 0.025), percentile(boot, 0.975), p, b, c, mcnemar(b, c), seeds, n);
    }

    /** Exact two-sided McNemar p-value: min(1, 2·P(X ≤ min(b, c))), X ~ Binomial(b + c, ½). */
    public static double mcnemar(long b, long c) {
        long m = b + c;
        if (m == 0) {
            return 1;
        }
        long k = Math.min(b, c);
        // log P(X = i) = log C(m, i) − m·log 2, summed in log space from i = 0.
        double logTerm = -m * Math.log(2);
        double sum = Math.exp(logTerm);
        for (long i = 1; i <= k; i++) {
            logTerm += Math.log((double) (m - i + 1) / i);
            sum += Math.exp(logTerm);
        }
        return Math.min(1, 2 * sum);
    }

    private static double delta(int[] labels, List<int[]> baseline, List<int[]> candidate, int numLabels,
                                ClassifierTrialRunner.Score metric, int[] idx, int[] seeds) {
        double sum = 0;
        for (int s : seeds) {
            sum += score(labels, candidate.get(s), numLabels, metric, idx) - score(labels, baseline.get(s), numLabels, metric, idx);
        }
        return sum / seeds.length;
    }

    private static double score(int[] labels, int[] predicted, int numLabels, ClassifierTrialRunner.Score metric,
                                int[] idx) {
        int[] l = new int[idx.length];
        int[] p = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            l[i] = labels[idx[i]];
            p[i] = predicted[idx[i]];
        }
        Metrics m = Metrics.of(p, l, numLabels, 0);
        return metric == ClassifierTrialRunner.Score.ACCURACY ? m.accuracy() : m.macroF1();
    }

    private static double percentile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
