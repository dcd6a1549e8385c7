package dev.peft4j.search;

import dev.peft4j.model.BertConfig;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * S4-style greedy progressive refinement (Chen et al. 2023). Stage by stage ({@link S4Stage}): draw
 * {@code samplesPerChoice} configurations from the current space (components decided earlier are fixed, the rest
 * drawn at random from a seed derived from (search seed, stage, sample)); pair every sample with every choice of
 * the stage's component, so choices are compared on the same rest of the configuration and the same training seed;
 * train each with the proxy and average its scores. The choice with the highest mean − spreadPenalty·std is kept
 * only if it is separated from noise: its margin over every other choice must exceed the larger of
 * {@code resolution} (one validation example's worth) and the standard error of the difference of the two means.
 * Choices within noise of the best get another round of K samples (new sample indices, the same pairing), up to
 * {@code maxExtraRounds} rounds; then the best criterion is kept, an exact tie broken by a draw seeded from the search
 * seed and the stage, never by list order. Each stage's {@link StageDecision} says whether it was separated from
 * noise. Points the budget rejects are counted per choice and not trained; a strategy stage of a group that is not
 * tuned is skipped. The same seed gives the same trials and the same plan.
 *
 * <p>Successive halving (a {@code longProxy} given): the first round of every choice trains with the short
 * {@code proxy}; the best third of the choices by that criterion (at least 2, and every choice tied with the last one
 * kept) is promoted, and the stage is then decided among them, as above, with trials at the {@code longProxy}. The
 * report keeps the screening scores beside the long ones.
 */
public final class S4Searcher {
    /**
     * @param samplesPerChoice K, how many configurations each choice is scored on per round
     * @param proxy            the low-fidelity training settings (its seed is replaced per sample)
     * @param spreadPenalty    λ in mean − λ·std (0: by mean alone)
     * @param resolution       the smallest score difference that is not noise: one validation example's worth
     * @param maxExtraRounds   rounds of K more samples for choices within noise of the best
     * @param longProxy        null, or the longer proxy that the best third of a stage's choices is promoted to
     */
    public record Settings(int samplesPerChoice, ProxySettings proxy, long seed, double spreadPenalty, double resolution,
                           int maxExtraRounds, ProxySettings longProxy) {
        public Settings {
            if (samplesPerChoice < 1) {
                throw new IllegalArgumentException("samplesPerChoice must be ≥ 1, got " + samplesPerChoice);
            }
            if (!(spreadPenalty >= 0)) {
                throw new IllegalArgumentException("spreadPenalty must be ≥ 0, got " + spreadPenalty);
            }
            if (!(resolution >= 0) || !Double.isFinite(resolution) || maxExtraRounds < 0) {
                throw new IllegalArgumentException("resolution must be finite and ≥ 0 and maxExtraRounds ≥ 0, got "
                        + resolution + ", " + maxExtraRounds);
            }
        }

        /** Without successive halving. */
        public Settings(int samplesPerChoice, ProxySettings proxy, long seed, double spreadPenalty, double resolution,
                        int maxExtraRounds) {
            this(samplesPerChoice, proxy, seed, spreadPenalty, resolution, maxExtraRounds, null);
        }

        /** Resolution 1/(proxy validation examples) (0 when the proxy uses all), up to 2 extra rounds. */
        public Settings(int samplesPerChoice, ProxySettings proxy, long seed, double spreadPenalty) {
            this(samplesPerChoice, proxy, seed, spreadPenalty,
                    proxy.validationExamples() > 0 ? 1.0 / proxy.validationExamples() : 0, 2);
        }
    }

    private final S4Space space;
    private final BertConfig model;
    private final BudgetAllocator allocator;
    private final Settings settings;

    public S4Searcher(S4Space space, BertConfig model, BudgetAllocator allocator, Settings settings) {
        this.space = space;
        this.model = model;
        this.allocator = allocator;
        this.settings = settings;
    }

    public S4Result search(TrialScheduler scheduler) {
        Map<S4Stage, Object> fixed = new EnumMap<>(S4Stage.class);
        List<StageReport> reports = new ArrayList<>();
        for (S4Stage stage : S4Stage.values()) {
            List<?> choices = space.choices(stage);
            if (stage.group() >= 0 && ((Integer) fixed.get(S4Stage.TUNED_GROUPS) & (1 << stage.group())) == 0) {
                fixed.put(stage, choices.get(0));
                reports.add(new StageReport(stage, List.of(), null, "group G" + (stage.group() + 1) + " is not tuned",
                        null));
                continue;
            }
            if (choices.size() == 1) {
                fixed.put(stage, choices.get(0));
                reports.add(new StageReport(stage, List.of(), stage.label(choices.get(0)), "only one choice", null));
                continue;
            }
            reports.add(runStage(stage, choices, fixed, scheduler));
        }
        S4Config config = space.sample(fixed, new SplittableRandom(0));
        return new S4Result(reports, config, space.toPlan(config, model, allocator), allocator.maxShortfall());
    }

    private StageReport runStage(S4Stage stage, List<?> all, Map<S4Stage, Object> fixed, TrialScheduler scheduler) {
        List<?> choices = all;
        List<ChoiceStats> screening = List.of();
        ProxySettings proxy = settings.proxy();
        String fidelity = "";
        if (settings.longProxy() != null && all.size() > 2) {
            Map<String, List<Double>> s = new LinkedHashMap<>();
            Map<String, int[]> fr = new LinkedHashMap<>();
            all.forEach(c -> {
                s.put(stage.label(c), new ArrayList<>());
                fr.put(stage.label(c), new int[2]);
            });
            runRound(stage, 0, new ArrayList<>(all), fixed, scheduler, s, fr, proxy, "");
            screening = stats(stage, all, s, fr);
            choices = promoted(all, screening);
            proxy = settings.longProxy();
            fidelity = "long/";
        }
        Map<String, List<Double>> scores = new LinkedHashMap<>();
        Map<String, int[]> failedRejected = new LinkedHashMap<>();
        choices.forEach(c -> {
            scores.put(stage.label(c), new ArrayList<>());
            failedRejected.put(stage.label(c), new int[2]);
        });
        List<Object> active = new ArrayList<>(choices);
        int extraRounds = 0;
        for (int round = 0; ; round++) {
            runRound(stage, round, active, fixed, scheduler, scores, failedRejected, proxy, fidelity);
            List<ChoiceStats> stats = stats(stage, choices, scores, failedRejected);
            ChoiceStats best = best(stats);
            if (best == null) {
                throw new IllegalStateException("S4 stage " + stage + ": no choice has a successful trial (" + stats
                        + "); raise the budget or the proxy, or check the failures in the journal");
            }
            List<Object> tied = new ArrayList<>();
            for (int i = 0; i < choices.size(); i++) {
                ChoiceStats c = stats.get(i);
                if (c == best || (!c.scores().isEmpty() && margin(best, c) <= noise(best, c))) {
                    tied.add(choices.get(i));
                }
            }
            if (tied.size() > 1 && round < settings.maxExtraRounds()) {
                active = tied;
                extraRounds++;
                continue;
            }
            return decide(stage, choices, stats, best, tied, extraRounds, fixed, screening);
        }
    }

    /** The best third of the choices by their screening criterion (at least 2; ties with the last one kept). */
    private List<Object> promoted(List<?> all, List<ChoiceStats> screening) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (!screening.get(i).scores().isEmpty()) {
                order.add(i);
            }
        }
        double lambda = settings.spreadPenalty();
        order.sort((a, b) -> Double.compare(screening.get(b).criterion(lambda), screening.get(a).criterion(lambda)));
        int keep = Math.min(order.size(), Math.max(2, (all.size() + 2) / 3));
        List<Object> out = new ArrayList<>();
        for (int r = 0; r < order.size(); r++) {
            boolean tiedWithLast = r >= keep && keep > 0
                    && screening.get(order.get(r)).criterion(lambda) == screening.get(order.get(keep - 1)).criterion(lambda);
            if (r < keep || tiedWithLast) {
                out.add(all.get(order.get(r)));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("no choice has a successful screening trial (" + screening
                    + "); raise the budget or the proxy, or check the failures in the journal");
        }
        out.sort(java.util.Comparator.comparingInt(all::indexOf)); // back to the space's order for the report
        return out;
    }

    private void runRound(S4Stage stage, int round, List<Object> active, Map<S4Stage, Object> fixed,
                          TrialScheduler scheduler, Map<String, List<Double>> scores, Map<String, int[]> failedRejected,
                          ProxySettings proxy, String fidelity) {
        List<Trial> trials = new ArrayList<>();
        List<String> trialChoice = new ArrayList<>();
        int k = settings.samplesPerChoice();
        for (int j = round * k; j < (round + 1) * k; j++) {
            long sampleSeed = Seeds.mix(settings.seed(), stage.ordinal(), j);
            S4Config base = space.sample(fixed, new SplittableRandom(sampleSeed));
            for (Object choice : active) {
                String label = stage.label(choice);
                S4Config c = stage.set(base, choice);
                BudgetOutcome o = space.toPlan(c, model, allocator);
                if (!o.accepted()) {
                    failedRejected.get(label)[1]++;
                    continue;
                }
                trials.add(new Trial("s4/" + fidelity + stage + "/" + j + "/" + label, o.plan(), proxy.withSeed(sampleSeed),
                        c.toString()));
                trialChoice.add(label);
            }
        }
        List<TrialResult> results = scheduler.run(trials);
        for (int i = 0; i < results.size(); i++) {
            TrialResult r = results.get(i);
            if (r.ok()) {
                scores.get(trialChoice.get(i)).add(r.metric());
            } else {
                failedRejected.get(trialChoice.get(i))[0]++;
            }
        }
    }

    private static List<ChoiceStats> stats(S4Stage stage, List<?> choices, Map<String, List<Double>> scores,
                                           Map<String, int[]> failedRejected) {
        List<ChoiceStats> out = new ArrayList<>();
        for (Object choice : choices) {
            String label = stage.label(choice);
            int[] fr = failedRejected.get(label);
            out.add(ChoiceStats.of(label, scores.get(label), fr[0], fr[1]));
        }
        return out;
    }

    /** The highest criterion (first of equals; exact ties are resolved in {@link #decide}). */
    private ChoiceStats best(List<ChoiceStats> stats) {
        ChoiceStats best = null;
        for (ChoiceStats s : stats) {
            if (!s.scores().isEmpty() && (best == null || s.criterion(settings.spreadPenalty())
                    > best.criterion(settings.spreadPenalty()))) {
                best = s;
            }
        }
        return best;
    }

    private double margin(ChoiceStats best, ChoiceStats other) {
        return best.criterion(settings.spreadPenalty()) - other.criterion(settings.spreadPenalty());
    }

    /** max(resolution, sqrt(s₁²/n₁ + s₂²/n₂)). */
    private double noise(ChoiceStats a, ChoiceStats b) {
        double se = Math.sqrt(a.std() * a.std() / a.scores().size() + b.std() * b.std() / b.scores().size());
        return Math.max(settings.resolution(), se);
    }

    private StageReport decide(S4Stage stage, List<?> choices, List<ChoiceStats> stats, ChoiceStats best,
                               List<Object> tied, int extraRounds, Map<S4Stage, Object> fixed,
                               List<ChoiceStats> screening) {
        double top = best.criterion(settings.spreadPenalty());
        List<Integer> equal = new ArrayList<>();
        for (int i = 0; i < stats.size(); i++) {
            if (!stats.get(i).scores().isEmpty() && stats.get(i).criterion(settings.spreadPenalty()) == top) {
                equal.add(i);
            }
        }
        equal.sort(java.util.Comparator.comparing(i -> stats.get(i).label())); // the draw must not depend on list order
        int kept = equal.get(0);
        boolean drawn = equal.size() > 1;
        if (drawn) {
            kept = equal.get(new SplittableRandom(Seeds.mix(settings.seed(), stage.ordinal(), -1L)).nextInt(equal.size()));
        }
        ChoiceStats chosen = stats.get(kept);
        // The closest rival by margin − noise, not by criterion alone: a choice with a lower mean but a wide spread
        // can be within noise while the runner-up by mean is not.
        ChoiceStats rival = null;
        for (ChoiceStats s : stats) {
            if (s != chosen && !s.scores().isEmpty() && (rival == null
                    || margin(chosen, s) - noise(chosen, s) < margin(chosen, rival) - noise(chosen, rival))) {
                rival = s;
            }
        }
        double margin = rival == null ? Double.POSITIVE_INFINITY : margin(chosen, rival);
        double noise = rival == null ? settings.resolution() : noise(chosen, rival);
        List<String> tiedLabels = tied.stream().map(stage::label).toList();
        StageDecision decision = new StageDecision(tied.size() == 1, rival == null ? null : rival.label(), margin,
                noise, extraRounds, tied.size() == 1 ? List.of() : tiedLabels, drawn);
        fixed.put(stage, choices.get(kept));
        return new StageReport(stage, stats, chosen.label(), null, decision, screening);
    }
}
