package dev.peft4j.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.peft.LayerPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class S4SearcherTest {
    @TempDir
    Path dir;

    static final S4Space SPACE = S4Space.paper(0.2);
    static final ProxySettings PROXY = new ProxySettings(1, 32, 16, 0);

    static S4Result search(long seed, TrialScheduler scheduler) {
        return new S4Searcher(SPACE, Fixtures.EIGHT, BudgetAllocator.defaults(Fixtures.EIGHT),
                new S4Searcher.Settings(3, PROXY, seed, 0.0)).search(scheduler);
    }

    @Test
    void findsTheComponentsTheFakeMetricRewards() {
        Fixtures.FakeRunner runner = new Fixtures.FakeRunner(Fixtures.EIGHT);
        S4Result r = search(11, new TrialScheduler(runner, SearchJournal.inMemory(), 4));
        // Every tuned layer adds a positive term, so tuning all groups wins in every paired sample;
        // per layer the best set is {P,B,L} (0.1 + 1 + 0.2 + 0.01).
        assertEquals(15, r.config().tunedMask());
        for (int g = 0; g < 4; g++) {
            assertEquals("{P,B,L}", r.config().strategies().get(g).toString(), "group " + (g + 1));
        }
        assertTrue(r.plan().accepted(), r.plan().toString());
        for (LayerPlan lp : r.plan().plan().layers()) {
            assertTrue(lp.lora() != null && lp.prefix() != null && lp.bitfit() && lp.ffnAdapter() == null);
        }
        assertEquals(r.plan().actual(), ParameterCounter.count(Fixtures.EIGHT, r.plan().plan()));
        assertEquals(7, r.stages().size());
        for (StageReport st : r.stages()) {
            assertEquals(SPACE.choices(st.stage()).size(), st.choices().size(), st.stage().toString());
            ChoiceStats best = null;
            for (ChoiceStats c : st.choices()) {
                double mean = c.scores().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
                assertEquals(mean, c.mean(), 1e-12);
                int samples = c.scores().size() + c.failed() + c.rejected();
                assertTrue(samples >= 3 && samples % 3 == 0 && samples <= 9, "K samples per choice and round: " + samples);
                if (!c.scores().isEmpty() && (best == null || c.mean() > best.mean())) {
                    best = c;
                }
            }
            assertNotNull(best);
            ChoiceStats kept = st.choices().stream().filter(c -> c.label().equals(st.chosen())).findFirst().orElseThrow();
            assertEquals(best.mean(), kept.mean(), 0.0, "the kept choice has the best mean at " + st.stage());
            assertNotNull(st.decision(), st.stage().toString());
        }
        String report = SearchReport.s4(r);
        for (S4Stage s : S4Stage.values()) {
            assertTrue(report.contains("## " + s), s.toString());
        }
        assertTrue(report.contains("{P,B,L} **(kept)**"));
    }

    @Test
    void theSameSeedGivesTheSameTrialsAndPlanWhateverTheParallelism() {
        Fixtures.FakeRunner a = new Fixtures.FakeRunner(Fixtures.EIGHT);
        Fixtures.FakeRunner b = new Fixtures.FakeRunner(Fixtures.EIGHT);
        S4Result ra = search(5, new TrialScheduler(a, SearchJournal.inMemory(), 1));
        S4Result rb = search(5, new TrialScheduler(b, SearchJournal.inMemory(), 4));
        Fixtures.FakeRunner again = new Fixtures.FakeRunner(Fixtures.EIGHT);
        search(5, new TrialScheduler(again, SearchJournal.inMemory(), 1));
        assertEquals(a.order, again.order, "one thread: the same trials in the same order");
        assertEquals(new java.util.TreeSet<>(a.ran), new java.util.TreeSet<>(b.ran));
        assertEquals(ra.config(), rb.config());
        assertEquals(ra.plan(), rb.plan());
        assertEquals(ra.stages(), rb.stages());
        Fixtures.FakeRunner c = new Fixtures.FakeRunner(Fixtures.EIGHT);
        search(6, new TrialScheduler(c, SearchJournal.inMemory(), 1));
        assertFalse(a.order.equals(c.order), "another seed draws other samples");
    }

    @Test
    void aKilledSearchResumesWithoutRepeatingTrialsAndEndsTheSame() throws Exception {
        Fixtures.FakeRunner whole = new Fixtures.FakeRunner(Fixtures.EIGHT);
        S4Result uninterrupted = search(21, new TrialScheduler(whole, SearchJournal.inMemory(), 3));

        Path file = dir.resolve("s4.jsonl");
        Fixtures.FakeRunner first = new Fixtures.FakeRunner(Fixtures.EIGHT);
        try (SearchJournal j = SearchJournal.open(file)) {
            assertThrows(SearchStoppedException.class, () -> search(21, new TrialScheduler(first, j, 3, 40)));
        }
        long journaled = Files.readAllLines(file).size();
        assertTrue(journaled >= 40, "the first run journaled what it finished: " + journaled);
        Fixtures.FakeRunner second = new Fixtures.FakeRunner(Fixtures.EIGHT);
        S4Result resumed;
        try (SearchJournal j = SearchJournal.open(file)) {
            resumed = search(21, new TrialScheduler(second, j, 3));
        }
        for (String id : second.ran) {
            assertFalse(first.ran.contains(id), id + " ran twice");
        }
        assertEquals(whole.calls.get(), first.calls.get() + second.calls.get());
        assertEquals(uninterrupted.config(), resumed.config());
        assertEquals(uninterrupted.plan(), resumed.plan());
        assertEquals(uninterrupted.stages(), resumed.stages());
    }

    @Test
    void failedTrialsAreCountedAndTheirChoiceIsNotKept() {
        S4Space withIa3 = new S4Space(List.of(Grouping.UNIFORM), List.of(Allocation.UNIFORM), List.of(1),
                List.of(StrategySet.of(Strategy.IA3, Strategy.LORA), StrategySet.of(Strategy.LORA)), 0.05);
        Fixtures.FakeRunner runner = new Fixtures.FakeRunner(Fixtures.EIGHT);
        S4Result r = new S4Searcher(withIa3, Fixtures.EIGHT, BudgetAllocator.defaults(Fixtures.EIGHT),
                new S4Searcher.Settings(2, PROXY, 1, 0.5)).search(new TrialScheduler(runner, SearchJournal.inMemory(), 2));
        StageReport g1 = r.stages().get(S4Stage.STRATEGY_G1.ordinal());
        assertEquals(2, g1.choices().get(0).failed());
        assertEquals("{L}", g1.chosen());
        assertEquals("only one choice", r.stages().get(0).note());
        for (S4Stage later : List.of(S4Stage.STRATEGY_G2, S4Stage.STRATEGY_G3, S4Stage.STRATEGY_G4)) {
            assertEquals("group G" + (later.group() + 1) + " is not tuned", r.stages().get(later.ordinal()).note());
        }
        assertEquals(4, runner.calls.get(), "only G1's two choices × 2 samples ran");
    }
}
