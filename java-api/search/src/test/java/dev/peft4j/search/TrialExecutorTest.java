package dev.peft4j.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scheduler's side of the executor contract: journal once, batch order, clear errors for a broken executor. */
class TrialExecutorTest {
    /** Runs the fake runner's trials last to first, handing each back once (or as {@code twice}/{@code skip} say). */
    static final class ReverseExecutor implements TrialExecutor {
        final Fixtures.FakeRunner runner = new Fixtures.FakeRunner(Fixtures.EIGHT);
        final boolean twice;
        final boolean skip;

        ReverseExecutor(boolean twice, boolean skip) {
            this.twice = twice;
            this.skip = skip;
        }

        @Override
        public TrialSetup setup() {
            return runner.setup();
        }

        @Override
        public void execute(List<Trial> trials, ResultSink sink) {
            for (int i = trials.size() - 1; i >= (skip ? 1 : 0); i--) {
                TrialResult r = TrialRunner.runChecked(runner, trials.get(i));
                sink.accept(i, r);
                if (twice) {
                    sink.accept(i, r);
                }
            }
        }
    }

    @Test
    void resultsComeBackInBatchOrderAndEachIsJournaledOnce() {
        List<Trial> trials = SearchJournalTest.trials(6);
        SearchJournal journal = SearchJournal.inMemory();
        ReverseExecutor ex = new ReverseExecutor(false, false);
        TrialScheduler s = new TrialScheduler(ex, journal, 0);
        List<TrialResult> out = s.run(trials);
        for (int i = 0; i < trials.size(); i++) {
            assertEquals(trials.get(i).id(), out.get(i).trialId());
            assertEquals(trials.get(i).fingerprint(TrialSetup.NONE), out.get(i).fingerprint());
        }
        assertEquals(6, journal.size());
        assertEquals(6, s.trialsRun());
        assertEquals(List.of("t5", "t4", "t3", "t2", "t1", "t0"), ex.runner.order, "the executor's order");
        assertFalse(out.get(2).ok(), "the (IA)³ trial throws in the fake runner and is recorded as failed");
        assertTrue(out.get(2).reason().contains("diverged"), out.get(2).reason());
        assertEquals(out, s.run(trials), "a second run reads the journal");
        assertEquals(6, ex.runner.calls.get(), "and runs nothing");
    }

    @Test
    void theTrialLimitLaunchesTheFirstTrialsOfTheBatch() {
        List<Trial> trials = SearchJournalTest.trials(5);
        SearchJournal journal = SearchJournal.inMemory();
        ReverseExecutor ex = new ReverseExecutor(false, false);
        assertThrows(SearchStoppedException.class, () -> new TrialScheduler(ex, journal, 3).run(trials));
        assertEquals(new ArrayList<>(List.of("t0", "t1", "t2")), new ArrayList<>(journal.results().keySet()).stream().sorted().toList());
    }

    @Test
    void anExecutorThatHandsATrialBackTwiceOrNotAtAllIsAnError() {
        List<Trial> trials = SearchJournalTest.trials(3);
        SearchJournal twice = SearchJournal.inMemory();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new TrialScheduler(new ReverseExecutor(true, false), twice, 0).run(trials));
        assertTrue(e.getMessage().contains("t2 twice"), e.getMessage());
        assertEquals(1, twice.size(), "the first hand-back was journaled, the second was not");
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> new TrialScheduler(new ReverseExecutor(false, true), SearchJournal.inMemory(), 0).run(trials));
        assertTrue(missing.getMessage().contains("without a result for trial t0"), missing.getMessage());
    }

    static TrialRunner answering(java.util.function.Function<Trial, TrialResult> f) {
        return new TrialRunner() {
            @Override
            public TrialResult run(Trial trial) {
                return f.apply(trial);
            }

            @Override
            public TrialSetup setup() {
                return TrialSetup.NONE;
            }
        };
    }

    @Test
    void runCheckedTurnsEveryRunnerProblemIntoAFailedResult() {
        Trial t = SearchJournalTest.trials(1).get(0);
        TrialResult nan = TrialRunner.runChecked(answering(trial -> TrialResult.ok(trial, Double.NaN, 1, 0.1, 0)), t);
        assertFalse(nan.ok());
        assertTrue(nan.reason().contains("NaN"), nan.reason());
        TrialResult other = TrialRunner.runChecked(answering(trial -> TrialResult.ok(SearchJournalTest.trials(2).get(1), 0.5, 1, 0.1, 0)), t);
        assertFalse(other.ok());
        assertEquals("t0", other.trialId());
        assertTrue(other.reason().contains("answered trial t1 for t0"), other.reason());
        TrialResult none = TrialRunner.runChecked(answering(trial -> null), t);
        assertTrue(none.reason().contains("no result"), none.reason());
    }
}
