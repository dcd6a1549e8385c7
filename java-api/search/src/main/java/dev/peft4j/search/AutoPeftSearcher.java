package dev.peft4j.search;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.hipparchus.random.SobolSequenceGenerator;

/**
 * AutoPEFT-style multi-objective Bayesian optimisation (Zhou et al.). Objectives, both minimised internally:
 * y₁ = −(validation metric), y₂ = parameter fraction. An initial design of {@code initialPoints} distinct points from a
 * Sobol sequence (starting at an offset drawn from the seed); then each round fits a {@link GaussianProcess} to the
 * metric of every successful trial (and, if {@code fractionSurrogate}, one to the fraction; otherwise the fraction
 * is exact from {@link ParameterCounter}, a surrogate with zero variance), scores a seeded pool of unevaluated
 * candidates by noisy expected hypervolume improvement (NEHVI, as AutoPEFT uses: {@value #NEHVI_DRAWS} seeded joint
 * posterior draws of the observed points' latent metric, each giving a front, the candidate's metric Gaussian given
 * the draw, the exact 2-D EHVI of {@link Hypervolume2D} averaged over the draws; so a lucky observation does not
 * make an unbeatable front) and picks a batch of {@code batchSize} by believer: take the best, add it to every
 * draw's front at its conditional mean in that draw, repeat. The metric's GP has one length scale per dimension
 * (ARD) with a sparsity prior on them ({@link GaussianProcess}). Batches go to the {@link TrialScheduler} in proposal order; failed trials are neither
 * modelled nor proposed again. Reference point: (metricReference, 1.1 × the space's largest fraction). With a
 * {@code maxFraction} below 1, only configurations whose exact fraction is within it are drawn, for the initial
 * design and the candidate pools alike (rejection sampling), and the reference fraction is 1.1 × that budget: the
 * front is then the best trade-off inside the budget. A configuration that adds nothing to the encoder
 * ({@link AutoPeftSpace#addsNothing}: the head alone) is never proposed. The metric reference should be what a model
 * without learning scores (the majority-class score, {@link ClassBalance#majorityScore}), so that every point
 * better than that counts towards the hypervolume.
 */
public final class AutoPeftSearcher {
    public record Settings(int initialPoints, int iterations, int batchSize, int candidatePool, ProxySettings proxy,
                           long seed, double metricReference, boolean fractionSurrogate, double maxFraction) {
        public Settings {
            if (initialPoints < 1 || iterations < 0 || batchSize < 1 || candidatePool < 1) {
                throw new IllegalArgumentException("need initialPoints, batchSize, candidatePool ≥ 1 and iterations ≥ 0; got "
                        + initialPoints + ", " + batchSize + ", " + candidatePool + ", " + iterations);
            }
            if (!(maxFraction > 0)) {
                throw new IllegalArgumentException("maxFraction must be > 0 (1 or more: unconstrained), got " + maxFraction);
            }
        }

        /** Unconstrained: the whole space. */
        public Settings(int initialPoints, int iterations, int batchSize, int candidatePool, ProxySettings proxy,
                        long seed, double metricReference, boolean fractionSurrogate) {
            this(initialPoints, iterations, batchSize, candidatePool, proxy, seed, metricReference, fractionSurrogate, 1.0);
        }
    }

    /** Joint posterior draws of the observed points' metrics that NEHVI averages over. */
    static final int NEHVI_DRAWS = 32;

    /** Draws tried per wanted point when rejection sampling inside a budget. */
    private static final int DRAWS_PER_POINT = 200;

    private final AutoPeftSpace space;
    private final Settings settings;

    public AutoPeftSearcher(AutoPeftSpace space, Settings settings) {
        this.space = space;
        this.settings = settings;
    }

    public AutoPeftResult search(TrialScheduler scheduler) {
        Map<String, AutoPeftConfig> proposed = new LinkedHashMap<>();
        Map<String, TrialResult> results = new LinkedHashMap<>();
        double[] ref = {-settings.metricReference(), 1.1 * Math.min(space.maxFraction(), settings.maxFraction())};

        List<AutoPeftConfig> initial = new ArrayList<>();
        SobolSequenceGenerator sobol = new SobolSequenceGenerator(space.dimensions());
        sobol.skipTo(1 + (int) Math.floorMod(Seeds.mix(settings.seed(), 1), 1024L));
        LinkedHashSet<String> seen = new LinkedHashSet<>();
        for (int tries = 0; initial.size() < settings.initialPoints() && tries < DRAWS_PER_POINT * settings.initialPoints(); tries++) {
            AutoPeftConfig c = space.fromUnit(sobol.nextVector());
            if (withinBudget(c) && seen.add(space.label(c))) {
                initial.add(c);
            }
        }
        if (initial.isEmpty()) {
            throw new IllegalArgumentException("no configuration of the space found within the fraction "
                    + settings.maxFraction() + " after " + DRAWS_PER_POINT * settings.initialPoints() + " draws");
        }
        evaluate(initial, proposed, results, scheduler);

        for (int round = 0; round < settings.iterations(); round++) {
            List<AutoPeftConfig> batch = propose(round, proposed, results, ref);
            if (batch.isEmpty()) {
                break;
            }
            evaluate(batch, proposed, results, scheduler);
        }

        List<ParetoPoint> evaluated = new ArrayList<>();
        int failed = 0;
        for (Map.Entry<String, TrialResult> e : results.entrySet()) {
            TrialResult r = e.getValue();
            if (!r.ok()) {
                failed++;
                continue;
            }
            AutoPeftConfig c = proposed.get(e.getKey());
            evaluated.add(new ParetoPoint(e.getKey(), c, space.toPlan(c), r.metric(), r.parameterFraction()));
        }
        List<double[]> pts = new ArrayList<>();
        evaluated.forEach(p -> pts.add(new double[] {-p.metric(), p.fraction()}));
        List<double[]> nd = Hypervolume2D.nondominated(pts);
        List<ParetoPoint> front = new ArrayList<>();
        for (double[] q : nd) {
            for (ParetoPoint p : evaluated) {
                if (-p.metric() == q[0] && p.fraction() == q[1]) {
                    front.add(p);
                    break;
                }
            }
        }
        front.sort(java.util.Comparator.comparingDouble(ParetoPoint::fraction));
        return new AutoPeftResult(evaluated, front, Hypervolume2D.hypervolume(pts, ref), settings.metricReference(),
                ref[1], failed);
    }

    /** Whether c may be proposed: it adds something to the encoder and, with a budget, lies within it. */
    private boolean withinBudget(AutoPeftConfig c) {
        return !space.addsNothing(c) && (settings.maxFraction() >= 1
                || ParameterCounter.fraction(space.model(), space.toPlan(c)) <= settings.maxFraction());
    }

    private void evaluate(List<AutoPeftConfig> configs, Map<String, AutoPeftConfig> proposed,
                          Map<String, TrialResult> results, TrialScheduler scheduler) {
        List<Trial> trials = new ArrayList<>();
        for (AutoPeftConfig c : configs) {
            String label = space.label(c);
            proposed.put(label, c);
            trials.add(new Trial("bo/" + label, space.toPlan(c), settings.proxy(), label));
        }
        List<TrialResult> out = scheduler.run(trials);
        for (int i = 0; i < out.size(); i++) {
            results.put(space.label(configs.get(i)), out.get(i));
        }
    }

    private List<AutoPeftConfig> propose(int round, Map<String, AutoPeftConfig> proposed,
                                         Map<String, TrialResult> results, double[] ref) {
        SplittableRandom rng = new SplittableRandom(Seeds.mix(settings.seed(), 2, round));
        Map<String, AutoPeftConfig> pool = new LinkedHashMap<>();
        int draws = settings.candidatePool() * (settings.maxFraction() < 1 ? DRAWS_PER_POINT / 10 : 4);
        for (int i = 0; i < draws && pool.size() < settings.candidatePool(); i++) {
            AutoPeftConfig c = space.random(rng);
            String label = space.label(c);
            if (!proposed.containsKey(label) && withinBudget(c)) {
                pool.putIfAbsent(label, c);
            }
        }
        List<double[]> xs = new ArrayList<>();
        List<Double> metric = new ArrayList<>();
        List<Double> fraction = new ArrayList<>();
        List<double[]> front = new ArrayList<>();
        for (Map.Entry<String, TrialResult> e : results.entrySet()) {
            if (e.getValue().ok()) {
                xs.add(space.encode(proposed.get(e.getKey())));
                metric.add(e.getValue().metric());
                fraction.add(e.getValue().parameterFraction());
                front.add(new double[] {-e.getValue().metric(), e.getValue().parameterFraction()});
            }
        }
        List<AutoPeftConfig> batch = new ArrayList<>();
        List<AutoPeftConfig> candidates = new ArrayList<>(pool.values());
        if (xs.size() < 2) { // too little to model: take the pool's first points
            return candidates.subList(0, Math.min(settings.batchSize(), candidates.size()));
        }
        double[][] x = xs.toArray(new double[0][]);
        GaussianProcess gpMetric = GaussianProcess.fit(x, metric.stream().mapToDouble(Double::doubleValue).toArray());
        GaussianProcess gpFraction = settings.fractionSurrogate()
                ? GaussianProcess.fit(x, fraction.stream().mapToDouble(Double::doubleValue).toArray()) : null;
        // NEHVI: the observed metrics are noisy, so the front itself is uncertain. Draw the latent metric at the
        // observed points jointly from the posterior; per draw, the front is those draws (with the exact
        // fractions) and the candidate's metric is Gaussian given them; average the exact EHVI over the draws.
        double[][] metricDraws = gpMetric.posteriorDrawsAtData(NEHVI_DRAWS, new SplittableRandom(Seeds.mix(settings.seed(), 3, round)));
        List<List<double[]>> fronts = new ArrayList<>();
        for (double[] draw : metricDraws) {
            List<double[]> f = new ArrayList<>();
            for (int i = 0; i < draw.length; i++) {
                f.add(new double[] {-draw[i], fraction.get(i)});
            }
            fronts.add(f);
        }
        while (batch.size() < settings.batchSize() && !candidates.isEmpty()) {
            int best = -1;
            double bestValue = -1;
            GaussianProcess.Conditional bestConditional = null;
            double bestFraction = 0;
            for (int i = 0; i < candidates.size(); i++) {
                AutoPeftConfig c = candidates.get(i);
                double[] xc = space.encode(c);
                GaussianProcess.Conditional m = gpMetric.conditional(xc);
                double[] f = gpFraction != null ? gpFraction.predict(xc)
                        : new double[] {ParameterCounter.fraction(space.model(), space.toPlan(c)), 0};
                double v = 0;
                for (int s = 0; s < metricDraws.length; s++) {
                    v += Hypervolume2D.expectedImprovement(fronts.get(s), ref, -m.mean(metricDraws[s]), m.sd(), f[0], f[1]);
                }
                v /= metricDraws.length;
                if (v > bestValue) {
                    best = i;
                    bestValue = v;
                    bestConditional = m;
                    bestFraction = f[0];
                }
            }
            batch.add(candidates.remove(best));
            // batch by believer: in each draw's front, the chosen point at its conditional mean in that draw
            for (int s = 0; s < metricDraws.length; s++) {
                fronts.get(s).add(new double[] {-bestConditional.mean(metricDraws[s]), bestFraction});
            }
        }
        return batch;
    }
}
