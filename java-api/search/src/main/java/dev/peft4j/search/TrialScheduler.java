package dev.peft4j.search;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Runs a batch of independent trials through a {@link TrialExecutor} (by default a {@link LocalTrialExecutor} with
 * {@code parallelism} threads). Trials already in the journal are not run again; every new result is journaled here,
 * on the driver, as it ends (completion order), but the returned list is in the batch's order, so what a searcher
 * decides never depends on which trial finished first or where it ran. A trial that throws or returns a non-finite
 * metric is recorded as failed with its reason. A trial's fingerprint covers the executor's
 * {@link TrialExecutor#setup()}, so a journal written under other settings (model, data, learning rate, ...) is not
 * reused: its trials' fingerprints differ and the lookup fails with the reason. After {@code maxNewTrials} new trials
 * the scheduler launches no more (the first ones of the batch, in batch order, run) and throws
 * {@link SearchStoppedException} once those are journaled.
 */
public final class TrialScheduler {
    private final TrialExecutor executor;
    private final SearchJournal journal;
    private final AtomicLong remaining;
    private final AtomicLong ran = new AtomicLong();
    private final TrialSetup setup;

    /** Trials run by {@code executor}; at most {@code maxNewTrials} new ones (≤ 0: no limit). */
    public TrialScheduler(TrialExecutor executor, SearchJournal journal, long maxNewTrials) {
        this.executor = executor;
        this.journal = journal;
        this.remaining = new AtomicLong(maxNewTrials <= 0 ? Long.MAX_VALUE : maxNewTrials);
        this.setup = executor.setup();
    }

    public TrialScheduler(TrialRunner runner, SearchJournal journal, int parallelism, long maxNewTrials) {
        this(new LocalTrialExecutor(runner, parallelism), journal, maxNewTrials);
    }

    public TrialScheduler(TrialRunner runner, SearchJournal journal, int parallelism) {
        this(runner, journal, parallelism, 0);
    }

    /** How many trials this scheduler ran (not counting journaled ones). */
    public long trialsRun() {
        return ran.get();
    }

    public List<TrialResult> run(List<Trial> trials) {
        HashSet<String> ids = new HashSet<>();
        for (Trial t : trials) {
            if (!ids.add(t.id())) {
                throw new IllegalArgumentException("trial id " + t.id() + " occurs twice in one batch");
            }
        }
        TrialResult[] out = new TrialResult[trials.size()];
        List<Integer> todo = new ArrayList<>();
        for (int i = 0; i < trials.size(); i++) {
            Optional<TrialResult> done = journal.lookup(trials.get(i).id(), trials.get(i).fingerprint(setup));
            if (done.isPresent()) {
                out[i] = done.get();
            } else {
                todo.add(i);
            }
        }
        if (todo.isEmpty()) {
            return List.of(out);
        }
        int allowed = (int) Math.min(todo.size(), Math.max(0, remaining.get()));
        remaining.addAndGet(-allowed);
        List<Trial> launch = new ArrayList<>(allowed);
        for (int k = 0; k < allowed; k++) {
            launch.add(trials.get(todo.get(k)));
        }
        AtomicReferenceArray<TrialResult> results = new AtomicReferenceArray<>(allowed);
        if (allowed > 0) {
            executor.execute(launch, (k, r) -> {
                Trial t = launch.get(k);
                if (!r.trialId().equals(t.id())) {
                    throw new IllegalStateException("the executor handed back trial " + r.trialId() + " as " + t.id());
                }
                TrialResult stamped = r.withFingerprint(t.fingerprint(setup));
                if (!results.compareAndSet(k, null, stamped)) {
                    throw new IllegalStateException("the executor handed back trial " + t.id() + " twice");
                }
                journal.append(stamped);
                ran.incrementAndGet();
            });
        }
        for (int k = 0; k < allowed; k++) {
            TrialResult r = results.get(k);
            if (r == null) {
                throw new IllegalStateException("the executor returned without a result for trial " + launch.get(k).id());
            }
            out[todo.get(k)] = r;
        }
        if (allowed < todo.size()) {
            throw new SearchStoppedException("stopped at the trial limit after " + ran.get()
                    + " new trials; rerun with the same journal to resume");
        }
        return List.of(out);
    }
}
