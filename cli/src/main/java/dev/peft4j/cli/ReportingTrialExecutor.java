package dev.peft4j.cli;

import dev.peft4j.search.Trial;
import dev.peft4j.search.TrialExecutor;
import dev.peft4j.search.TrialResult;
import dev.peft4j.search.TrialSetup;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/** Prints a line per trial as its result reaches this process, wherever the trial ran; delegates everything else. */
final class ReportingTrialExecutor implements TrialExecutor {
    private final TrialExecutor inner;
    private final AtomicInteger done = new AtomicInteger();
    private final long start = System.nanoTime();

    ReportingTrialExecutor(TrialExecutor inner) {
        this.inner = inner;
    }

    @Override
    public TrialSetup setup() {
        return inner.setup(); // the fingerprints must cover the wrapped executor's model, data and settings
    }

    @Override
    public void execute(List<Trial> trials, ResultSink sink) {
        inner.execute(trials, (index, r) -> {
            System.out.printf(Locale.ROOT, "trial %d done (%s elapsed): %s  metric %.4f  params %.4f%%  %.0fs%s%n",
                    done.incrementAndGet(), ProgressBar.duration((System.nanoTime() - start) / 1e9), r.trialId(),
                    r.metric(), 100 * r.parameterFraction(), r.seconds(), r.ok() ? "" : "  FAILED: " + r.reason());
            sink.accept(index, r);
        });
    }

    @Override
    public void close() {
        inner.close();
    }
}
