package dev.peft4j.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Successive halving in an S4 stage: every choice is screened with the short proxy, the best third goes on to the
 * long proxy, and the long scores decide.
 */
class S4SuccessiveHalvingTest {
    static final ProxySettings SHORT = new ProxySettings(1, 8, 16, 0);
    static final ProxySettings LONG = new ProxySettings(3, 32, 16, 0);

    /** Short proxy: {A} looks best, then {L}, {P}, the rest far behind; long proxy: {L} is clearly best. */
    static final class TwoFidelityRunner implements TrialRunner {
        final List<String> ran = Collections.synchronizedList(new ArrayList<>());

        @Override
        public TrialSetup setup() {
            return TrialSetup.NONE;
        }

        @Override
        public TrialResult run(Trial t) {
            ran.add(t.id());
            String label = t.id().substring(t.id().lastIndexOf('/') + 1);
            boolean isLong = t.proxy().epochs() == 3;
            double m = switch (label) {
                case "{A}" -> isLong ? 0.70 : 0.80;
                case "{L}" -> isLong ? 0.90 : 0.75;
                case "{P}" -> isLong ? 0.60 : 0.74;
                default -> isLong ? 0.95 : 0.50; // would win if promoted, but the screen drops them
            };
            return TrialResult.ok(t, m, 1, 0.01, 0);
        }
    }

    @Test
    void theBestThirdIsPromotedAndTheLongScoresDecide() {
        List<StrategySet> sets = List.of(StrategySet.of(Strategy.ADAPTER), StrategySet.of(Strategy.LORA),
                StrategySet.of(Strategy.PREFIX), StrategySet.of(Strategy.ADAPTER, Strategy.LORA),
                StrategySet.of(Strategy.ADAPTER, Strategy.PREFIX), StrategySet.of(Strategy.PREFIX, Strategy.LORA),
                StrategySet.of(Strategy.ADAPTER, Strategy.PREFIX, Strategy.LORA),
                StrategySet.of(Strategy.ADAPTER, Strategy.PREFIX, Strategy.LORA, Strategy.BITFIT),
                StrategySet.of(Strategy.LORA, Strategy.BITFIT));
        S4Space space = new S4Space(List.of(Grouping.UNIFORM), List.of(Allocation.UNIFORM), List.of(1), sets, 0.05);
        TwoFidelityRunner runner = new TwoFidelityRunner();
        S4Result r = new S4Searcher(space, Fixtures.EIGHT, BudgetAllocator.defaults(Fixtures.EIGHT),
                new S4Searcher.Settings(2, SHORT, 1, 0.0, 1.0 / 16, 2, LONG))
                .search(new TrialScheduler(runner, SearchJournal.inMemory(), 1));
        StageReport g1 = r.stages().get(S4Stage.STRATEGY_G1.ordinal());
        assertEquals(9, g1.screening().size(), "every choice screened");
        assertEquals(List.of("{A}", "{L}", "{P}"), g1.choices().stream().map(ChoiceStats::label).toList(),
                "the best third (3 of 9) promoted, in the space's order");
        assertEquals("{L}", g1.chosen(), "the long proxy decides, not the screen's leader");
        assertTrue(g1.decision().separated(), g1.decision().describe());
        long shortTrials = runner.ran.stream().filter(id -> !id.contains("/long/")).count();
        long longTrials = runner.ran.stream().filter(id -> id.contains("/long/")).count();
        assertEquals(18, shortTrials, "9 choices × K = 2 at the short proxy");
        assertEquals(6, longTrials, "3 promoted × K = 2 at the long proxy");
        String report = SearchReport.s4(r);
        assertTrue(report.contains("Screening at the short proxy") && report.contains("Promoted, at the long proxy"),
                report);
    }
}
