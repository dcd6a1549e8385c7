package dev.peft4j.search;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The default {@link TrialExecutor}: runs a batch's trials in this process on up to {@code parallelism} daemon
 * threads (a pool per batch), started in batch order, each through {@link TrialRunner#runChecked}.
 */
public final class LocalTrialExecutor implements TrialExecutor {
    private final TrialRunner runner;
    private final int parallelism;
    private final TrialSetup setup;

    public LocalTrialExecutor(TrialRunner runner, int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be ≥ 1, got " + parallelism);
        }
        this.runner = runner;
        this.parallelism = parallelism;
        this.setup = runner.setup();
    }

    @Override
    public TrialSetup setup() {
        return setup;
    }

    @Override
    public void execute(List<Trial> trials, ResultSink sink) {
        if (trials.isEmpty()) {
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, trials.size()), r -> {
            Thread th = new Thread(r, "peft4j-trial");
            th.setDaemon(true);
            return th;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < trials.size(); i++) {
                int index = i;
                futures.add(pool.submit(() -> sink.accept(index, TrialRunner.runChecked(runner, trials.get(index)))));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while trials ran", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the journal could not record a trial: " + e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
