package dev.peft4j.search;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs a batch of independent trials on up to {@code parallelism} threads. Trials already in the journal are not
 * run again; every new result is journaled as it ends (completion order), but the returned list is in the batch's
 * order, so what a searcher decides never depends on which trial finished first. A trial that throws or returns a
 * non-finite metric is recorded as failed with its reason. A trial's fingerprint covers the runner's
 * {@link TrialRunner#setup()}, so a journal written under other settings (model, data, learning rate, ...) is not
 * reused: its trials' fingerprints differ and the lookup fails with the reason. After {@code maxNewTrials} new trials the scheduler stops
 * launching more and throws {@link SearchStoppedException} once the running ones are journaled.
 */
public final class TrialScheduler {
    private final TrialRunner runner;
    private final SearchJournal journal;
    private final int parallelism;
    private final AtomicLong remaining;
    private final AtomicLong ran = new AtomicLong();
    private final TrialSetup setup;

    public TrialScheduler(TrialRunner runner, SearchJournal journal, int parallelism, long maxNewTrials) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be ≥ 1, got " + parallelism);
        }
        this.runner = runner;
        this.journal = journal;
        this.parallelism = parallelism;
        this.remaining = new AtomicLong(maxNewTrials <= 0 ? Long.MAX_VALUE : maxNewTrials);
        this.setup = runner.setup();
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
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, todo.size()), r -> {
            Thread th = new Thread(r, "peft4j-trial");
            th.setDaemon(true);
            return th;
        });
        boolean stopped = false;
        try {
            List<Future<TrialResult>> futures = new ArrayList<>();
            for (int i : todo) {
                Trial t = trials.get(i);
                futures.add(pool.submit(() -> remaining.getAndDecrement() > 0 ? runAndJournal(t) : null));
            }
            for (int k = 0; k < todo.size(); k++) {
                TrialResult r = futures.get(k).get();
                if (r == null) {
                    stopped = true;
                } else {
                    out[todo.get(k)] = r;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while trials ran", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the journal could not record a trial: " + e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        if (stopped) {
            throw new SearchStoppedException("stopped at the trial limit after " + ran.get()
                    + " new trials; rerun with the same journal to resume");
        }
        return List.of(out);
    }

    private TrialResult runAndJournal(Trial t) {
        long start = System.nanoTime();
        TrialResult r;
        try {
            r = runner.run(t);
            if (r == null) {
                r = TrialResult.failed(t, -1, Double.NaN, "the runner returned no result", seconds(start));
            } else if (r.ok() && !Double.isFinite(r.metric())) {
                r = TrialResult.failed(t, r.trainableParameters(), r.parameterFraction(),
                        "the metric is " + r.metric() + " (diverged)", r.seconds());
            } else if (!r.trialId().equals(t.id())) {
                throw new IllegalStateException("the runner answered trial " + r.trialId() + " for " + t.id());
            }
        } catch (Exception e) {
            r = TrialResult.failed(t, -1, Double.NaN, e.getClass().getSimpleName() + ": " + e.getMessage(), seconds(start));
        }
        r = r.withFingerprint(t.fingerprint(setup));
        journal.append(r);
        ran.incrementAndGet();
        return r;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
