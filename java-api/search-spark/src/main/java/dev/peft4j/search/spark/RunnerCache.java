package dev.peft4j.search.spark;

import dev.peft4j.search.TrialRunnerSpec;
import dev.peft4j.search.TrialRunner;
import java.util.concurrent.ConcurrentHashMap;

/** The runners built in this JVM, one per spec key, so an executor builds a model's runner once, not per trial. */
final class RunnerCache {
    private static final ConcurrentHashMap<String, TrialRunner> RUNNERS = new ConcurrentHashMap<>();

    private RunnerCache() {}

    /** The runner of {@code spec}, built on first use in this JVM. */
    static TrialRunner get(TrialRunnerSpec spec) {
        return RUNNERS.computeIfAbsent(spec.key(), k -> {
            try {
                return spec.create();
            } catch (Exception e) {
                throw new IllegalStateException("could not build the trial runner " + k + " on this executor: " + e, e);
            }
        });
    }
}
