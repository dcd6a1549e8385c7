package dev.peft4j.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutoPeftSearcherTest {
    @TempDir
    Path dir;

    static final AutoPeftSpace SPACE = AutoPeftSpace.powersOfTwo(Fixtures.EIGHT, 3, 8);
    static final ProxySettings PROXY = new ProxySettings(1, 0, 0, 3);

    /** Metric rises with the parameter fraction but saturates; prefix earns a bonus: a real trade-off. */
    static final class TradeOffRunner implements TrialRunner {
        final Fixtures.FakeRunner counter = new Fixtures.FakeRunner(Fixtures.EIGHT);

        @Override
        public TrialSetup setup() {
            return TrialSetup.NONE;
        }

        @Override
        public TrialResult run(Trial t) {
            counter.run(t);
            double frac = ParameterCounter.fraction(Fixtures.EIGHT, t.plan());
            long prefixLayers = t.plan().layers().stream().filter(l -> l.prefix() != null).count();
            double m = 1 - Math.exp(-frac / 0.05) + 0.01 * prefixLayers;
            return TrialResult.ok(t, m, ParameterCounter.count(Fixtures.EIGHT, t.plan()), frac, 0);
        }
    }

    static AutoPeftResult search(long seed, TrialScheduler s) {
        return new AutoPeftSearcher(SPACE, new AutoPeftSearcher.Settings(6, 4, 3, 64, PROXY, seed, 0.0, false)).search(s);
    }

    @Test
    void spaceEncodesPowersOfTwoAndMapsToPlans() {
        assertEquals(List.of(2, 4, 8), java.util.Arrays.stream(SPACE.serialSizes()).boxed().toList());
        assertEquals(List.of(2, 4, 8), java.util.Arrays.stream(SPACE.prefixLengths()).boxed().toList());
        AutoPeftConfig c = new AutoPeftConfig(2, 0, 3, 0b10000001L);
        assertEquals("SA4-PAoff-PT8-L10000001", SPACE.label(c));
        assertEquals(c, SPACE.fromUnit(SPACE.encode(c)));
        assertEquals(c, SPACE.fromUnit(new double[] {0.5, 0.1, 0.99, 1, 0, 0, 0, 0, 0, 0, 0.7}));
        var plan = SPACE.toPlan(c);
        assertEquals(4, plan.layer(0).ffnAdapter().size());
        assertEquals(8, plan.layer(7).prefix().length());
        assertEquals(dev.peft4j.peft.LayerPlan.NONE, plan.layer(3));
    }

    @Test
    void withABudgetEveryProposalStaysWithinIt() {
        double budget = 0.25 * SPACE.maxFraction();
        TradeOffRunner a = new TradeOffRunner();
        AutoPeftResult r = new AutoPeftSearcher(SPACE, new AutoPeftSearcher.Settings(6, 4, 3, 64, PROXY, 4, 0.0, false,
                budget)).search(new TrialScheduler(a, SearchJournal.inMemory(), 3));
        assertEquals(18, r.evaluated().size(), "the budget still leaves room for every proposal");
        for (ParetoPoint p : r.evaluated()) {
            assertTrue(p.fraction() <= budget, p.label() + " at " + p.fraction() + " exceeds " + budget);
        }
        assertEquals(r.bestMetric(), r.bestWithin(budget));
        // unconstrained, the same seed proposes points above that budget (the test above is not vacuous)
        AutoPeftResult free = search(4, new TrialScheduler(new TradeOffRunner(), SearchJournal.inMemory(), 3));
        assertTrue(free.evaluated().stream().anyMatch(p -> p.fraction() > budget));
    }

    @Test
    void aBudgetMustBePositive() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new AutoPeftSearcher.Settings(2, 0, 1, 8, PROXY, 1, 0.0, false, 0.0));
        assertTrue(e.getMessage().contains("maxFraction"), e.getMessage());
    }

    @Test
    void findsANondominatedFrontReproducibly() {
        TradeOffRunner a = new TradeOffRunner();
        AutoPeftResult r = search(4, new TrialScheduler(a, SearchJournal.inMemory(), 3));
        assertEquals(6 + 4 * 3, a.counter.calls.get(), "initial design plus 4 batches of 3");
        assertEquals(18, r.evaluated().size());
        assertEquals(18, new HashSet<>(r.evaluated().stream().map(ParetoPoint::label).toList()).size(), "no repeats");
        for (ParetoPoint p : r.front()) {
            assertEquals(ParameterCounter.fraction(Fixtures.EIGHT, p.plan()), p.fraction(), 1e-15);
            for (ParetoPoint q : r.evaluated()) {
                boolean dominates = q.metric() >= p.metric() && q.fraction() <= p.fraction()
                        && (q.metric() > p.metric() || q.fraction() < p.fraction());
                assertFalse(dominates, q.label() + " dominates front point " + p.label());
            }
        }
        for (int i = 1; i < r.front().size(); i++) {
            assertTrue(r.front().get(i).fraction() > r.front().get(i - 1).fraction());
            assertTrue(r.front().get(i).metric() > r.front().get(i - 1).metric());
        }
        assertTrue(r.hypervolume() > 0);
        TradeOffRunner b = new TradeOffRunner();
        AutoPeftResult again = search(4, new TrialScheduler(b, SearchJournal.inMemory(), 1));
        assertEquals(a.counter.ran, b.counter.ran);
        assertEquals(r.front().stream().map(ParetoPoint::label).toList(), again.front().stream().map(ParetoPoint::label).toList());
        assertTrue(SearchReport.autoPeft(r).contains(r.front().get(0).label()));
    }

    @Test
    void modelledFractionAlsoWorksAndAKilledSearchResumes() throws Exception {
        TradeOffRunner whole = new TradeOffRunner();
        AutoPeftResult full = search(9, new TrialScheduler(whole, SearchJournal.inMemory(), 2));
        Path file = dir.resolve("bo.jsonl");
        TradeOffRunner first = new TradeOffRunner();
        try (SearchJournal j = SearchJournal.open(file)) {
            assertThrows(SearchStoppedException.class, () -> search(9, new TrialScheduler(first, j, 2, 10)));
        }
        TradeOffRunner second = new TradeOffRunner();
        AutoPeftResult resumed;
        try (SearchJournal j = SearchJournal.open(file)) {
            resumed = search(9, new TrialScheduler(second, j, 2));
        }
        for (String id : second.counter.ran) {
            assertFalse(first.counter.ran.contains(id), id + " ran twice");
        }
        assertEquals(whole.counter.calls.get(), first.counter.calls.get() + second.counter.calls.get());
        assertEquals(full.evaluated().stream().map(ParetoPoint::label).toList(),
                resumed.evaluated().stream().map(ParetoPoint::label).toList());
        assertEquals(full.hypervolume(), resumed.hypervolume(), 0.0);

        AutoPeftResult gp2 = new AutoPeftSearcher(SPACE, new AutoPeftSearcher.Settings(6, 2, 2, 32, PROXY, 9, 0.0, true))
                .search(new TrialScheduler(new TradeOffRunner(), SearchJournal.inMemory(), 2));
        assertEquals(10, gp2.evaluated().size());
    }
}
