package dev.peft4j.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.ToDoubleBiFunction;
import org.junit.jupiter.api.Test;

/**
 * Ties in an S4 stage: choices within noise of the best get more samples; a decision stays "not separated" when
 * they do not split them, and an exact tie never goes to the choice listed first.
 */
class S4TieTest {
    static final ProxySettings PROXY = new ProxySettings(1, 32, 16, 0); // one example: 1/16 = 0.0625

    /** Only G1's strategy is searched: {L} against {A}. */
    static S4Space space(List<StrategySet> sets) {
        return new S4Space(List.of(Grouping.UNIFORM), List.of(Allocation.UNIFORM), List.of(1), sets, 0.05);
    }

    /** Scores by (strategy label, sample index j from the trial id "s4/STAGE/j/label"). */
    static final class ScriptedRunner implements TrialRunner {
        final ToDoubleBiFunction<String, Integer> score;
        final List<String> ran = Collections.synchronizedList(new ArrayList<>());

        ScriptedRunner(ToDoubleBiFunction<String, Integer> score) {
            this.score = score;
        }

        @Override
        public TrialSetup setup() {
            return TrialSetup.NONE;
        }

        @Override
        public TrialResult run(Trial t) {
            ran.add(t.id());
            String[] parts = t.id().split("/");
            return TrialResult.ok(t, score.applyAsDouble(parts[3], Integer.parseInt(parts[2])), 1, 0.01, 0);
        }
    }

    static S4Result search(List<StrategySet> sets, ScriptedRunner runner) {
        return new S4Searcher(space(sets), Fixtures.EIGHT, BudgetAllocator.defaults(Fixtures.EIGHT),
                new S4Searcher.Settings(2, PROXY, 3, 0.0)).search(new TrialScheduler(runner, SearchJournal.inMemory(), 1));
    }

    static final List<StrategySet> LA = List.of(StrategySet.of(Strategy.LORA), StrategySet.of(Strategy.ADAPTER));

    @Test
    void aTieIsResolvedByMoreSamplesWhenTheyTellTheChoicesApart() {
        // Equal on the first K = 2 samples (the old code kept {L}, listed first); {A} is better on every later one.
        ScriptedRunner runner = new ScriptedRunner((label, j) -> 0.75 + (label.equals("{A}") && j >= 2 ? 0.25 : 0));
        S4Result r = search(LA, runner);
        StageReport g1 = r.stages().get(S4Stage.STRATEGY_G1.ordinal());
        assertEquals("{A}", g1.chosen());
        assertTrue(g1.decision().separated(), g1.decision().describe());
        assertEquals(1, g1.decision().extraRounds());
        assertEquals(8, runner.ran.size(), "2 choices × (2 + 2) samples");
        assertTrue(SearchReport.s4(r).contains("separated from noise after 1 extra round"), SearchReport.s4(r));
    }

    @Test
    void aDifferenceSmallerThanOneExampleIsNoiseAndAnExactTieIsNotDecidedByListOrder() {
        // {L} leads by a third of an example on every sample: within noise, however many samples.
        ScriptedRunner close = new ScriptedRunner((label, j) -> 0.75 + (label.equals("{L}") ? 0.02 : 0));
        StageReport g1 = search(LA, close).stages().get(S4Stage.STRATEGY_G1.ordinal());
        assertFalse(g1.decision().separated(), g1.decision().describe());
        assertEquals(2, g1.decision().extraRounds());
        assertEquals(List.of("{L}", "{A}"), g1.decision().tied());
        assertEquals("{L}", g1.chosen(), "within noise, the best criterion is still kept");
        assertFalse(g1.decision().drawn());
        assertEquals(12, close.ran.size(), "2 choices × (2 + 2 + 2) samples");
        assertTrue(g1.decision().describe().startsWith("NOT separated from noise"), g1.decision().describe());

        ScriptedRunner equal = new ScriptedRunner((label, j) -> 0.75);
        StageReport forward = search(LA, equal).stages().get(S4Stage.STRATEGY_G1.ordinal());
        StageReport reversed = search(List.of(LA.get(1), LA.get(0)), new ScriptedRunner((label, j) -> 0.75))
                .stages().get(S4Stage.STRATEGY_G1.ordinal());
        assertTrue(forward.decision().drawn() && !forward.decision().separated());
        assertEquals(forward.chosen(), reversed.chosen(), "an exact tie goes the same way whatever the list order");
    }

    @Test
    void aClearDifferenceNeedsNoExtraSamplesAndTheConsoleSaysSo() {
        ScriptedRunner runner = new ScriptedRunner((label, j) -> label.equals("{A}") ? 0.9 : 0.6);
        S4Result r = search(LA, runner);
        StageReport g1 = r.stages().get(S4Stage.STRATEGY_G1.ordinal());
        assertEquals("{A}", g1.chosen());
        assertTrue(g1.decision().separated());
        assertEquals(0, g1.decision().extraRounds());
        assertEquals(4, runner.ran.size());
        String console = SearchReport.s4Decisions(r);
        assertTrue(console.contains("STRATEGY_G1  {A}: separated from noise: margin 0.3000 over the closest rival, {L},"),
                console);
        assertTrue(console.contains("GROUPING     uniform: skipped (only one choice)"), console);
    }

    @Test
    void theSpreadOfTheSamplesCountsAsNoise() {
        // {A} leads by 0.1 on average, but its samples swing by ±0.4: the standard error exceeds the margin.
        ScriptedRunner runner = new ScriptedRunner((label, j) -> label.equals("{A}") ? 0.6 + (j % 2 == 0 ? 0.4 : -0.2) : 0.6);
        StageReport g1 = search(LA, runner).stages().get(S4Stage.STRATEGY_G1.ordinal());
        assertFalse(g1.decision().separated(), g1.decision().describe());
        assertTrue(g1.decision().noise() > 1.0 / 16, g1.decision().describe());
    }

    @Test
    void theDecisionNamesTheRivalWithinNoiseNotTheRunnerUpByMean() {
        // {A} is second by mean and clearly below {L}; {P} has a lower mean but swings by ±0.5, so it stays within
        // noise of {L}: the report must name {P} and show its margin under its noise.
        List<StrategySet> three = List.of(StrategySet.of(Strategy.LORA), StrategySet.of(Strategy.ADAPTER),
                StrategySet.of(Strategy.PREFIX));
        ScriptedRunner runner = new ScriptedRunner((label, j) -> switch (label) {
            case "{L}" -> 0.9;
            case "{A}" -> 0.8;
            default -> j % 2 == 0 ? 0.25 : 1.25;
        });
        StageReport g1 = search(three, runner).stages().get(S4Stage.STRATEGY_G1.ordinal());
        StageDecision d = g1.decision();
        assertEquals("{L}", g1.chosen());
        assertFalse(d.separated(), d.describe());
        assertEquals("{P}", d.rival(), d.describe());
        assertTrue(d.margin() <= d.noise(), d.describe());
        assertTrue(d.describe().contains("margin 0.1500 over {P} ≤ noise"), d.describe());
        assertEquals(List.of("{L}", "{P}"), d.tied());
    }
}
