package dev.peft4j.search.spark;

import dev.peft4j.search.TrialRunnerSpec;
import dev.peft4j.search.TrialRunner;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The runners built in this JVM, one per spec key, so an executor builds a model's runner once, not per trial. A
 * Spark executor serves one application, so its runners go with it; in {@code local[N]} (the driver's JVM) every
 * search started in the process keeps its runner, with its model and data, until the process ends.
 */
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
