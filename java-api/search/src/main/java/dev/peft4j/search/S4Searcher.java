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
 * train each with the proxy; keep the choice with the highest mean − spreadPenalty·std of its scores (ties: smaller
 * spread, then the earlier choice); go on. Points the budget rejects are counted per choice and not trained; a
 * strategy stage of a group that is not tuned is skipped. The same seed gives the same trials and the same plan.
 */
public final class S4Searcher {
    /**
     * @param samplesPerChoice K, how many configurations each choice is scored on
     * @param proxy            the low-fidelity training settings (its seed is replaced per sample)
     * @param spreadPenalty    λ in mean − λ·std (0: by mean alone, ties by spread)
     */
    public record Settings(int samplesPerChoice, ProxySettings proxy, long seed, double spreadPenalty) {
        public Settings {
            if (samplesPerChoice < 1) {
                throw new IllegalArgumentException("samplesPerChoice must be ≥ 1, got " + samplesPerChoice);
            }
            if (!(spreadPenalty >= 0)) {
                throw new IllegalArgumentException("spreadPenalty must be ≥ 0, got " + spreadPenalty);
            }
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
                reports.add(new StageReport(stage, List.of(), null, "group G" + (stage.group() + 1) + " is not tuned"));
                continue;
            }
            if (choices.size() == 1) {
                fixed.put(stage, choices.get(0));
                reports.add(new StageReport(stage, List.of(), stage.label(choices.get(0)), "only one choice"));
                continue;
            }
            reports.add(runStage(stage, choices, fixed, scheduler));
        }
        S4Config config = space.sample(fixed, new SplittableRandom(0));
        return new S4Result(reports, config, space.toPlan(config, model, allocator));
    }

    private StageReport runStage(S4Stage stage, List<?> choices, Map<S4Stage, Object> fixed, TrialScheduler scheduler) {
        Map<String, List<Double>> scores = new LinkedHashMap<>();
        Map<String, int[]> failedRejected = new LinkedHashMap<>();
        choices.forEach(c -> {
            scores.put(stage.label(c), new ArrayList<>());
            failedRejected.put(stage.label(c), new int[2]);
        });
        List<Trial> trials = new ArrayList<>();
        List<String> trialChoice = new ArrayList<>();
        for (int j = 0; j < settings.samplesPerChoice(); j++) {
            long sampleSeed = Seeds.mix(settings.seed(), stage.ordinal(), j);
            S4Config base = space.sample(fixed, new SplittableRandom(sampleSeed));
            for (Object choice : choices) {
                String label = stage.label(choice);
                S4Config c = stage.set(base, choice);
                BudgetOutcome o = space.toPlan(c, model, allocator);
                if (!o.accepted()) {
                    failedRejected.get(label)[1]++;
                    continue;
                }
                trials.add(new Trial("s4/" + stage + "/" + j + "/" + label, o.plan(), settings.proxy().withSeed(sampleSeed),
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
        List<ChoiceStats> stats = new ArrayList<>();
        ChoiceStats best = null;
        int bestIndex = -1;
        for (int i = 0; i < choices.size(); i++) {
            String label = stage.label(choices.get(i));
            int[] fr = failedRejected.get(label);
            ChoiceStats s = ChoiceStats.of(label, scores.get(label), fr[0], fr[1]);
            stats.add(s);
            if (s.scores().isEmpty()) {
                continue;
            }
            double lambda = settings.spreadPenalty();
            if (best == null || s.criterion(lambda) > best.criterion(lambda)
                    || (s.criterion(lambda) == best.criterion(lambda) && s.std() < best.std())) {
                best = s;
                bestIndex = i;
            }
        }
        if (best == null) {
            throw new IllegalStateException("S4 stage " + stage + ": no choice has a successful trial (" + stats
                    + "); raise the budget or the proxy, or check the failures in the journal");
        }
        fixed.put(stage, choices.get(bestIndex));
        return new StageReport(stage, stats, best.label(), null);
    }
}
