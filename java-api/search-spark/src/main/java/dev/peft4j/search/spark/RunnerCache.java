package dev.peft4j.search.spark;

import dev.peft4j.search.TrialRunnerSpec;
import dev.peft4j.search.TrialRunner;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The runners built in this JVM, one per spec key, so an executor builds a model's runner once, not per trial. A
 * Spark executor serves one application, so its runners go with it. The driver (which also runs the tasks in
 * {@code local[N]}) drops a spec's runner, with its model and data, when the {@link SparkTrialExecutor} that built it
 * closes; a later executor of the same spec builds it again.
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

    /** Drops the runner of this spec key, if built (its memory becomes collectable). */
    static void evict(String key) {
        RUNNERS.remove(key);
    }

    /** Whether a runner of this spec key is held (for tests). */
    static boolean holds(String key) {
        return RUNNERS.containsKey(key);
    }
}
