package dev.peft4j.search;

import java.io.Serializable;

/**
 * A small, serializable description of a {@link TrialRunner} from which a remote {@link TrialExecutor} (a Spark
 * executor, say) rebuilds the runner: the runner itself, with its model and data in memory, does not travel. A
 * remote executor builds the runner once per JVM and {@link #key() key} and reuses it for every trial there.
 */
public interface TrialRunnerSpec extends Serializable {
    /**
     * Identifies the runner this spec builds: two specs with the same key build runners that give the same results
     * (a digest of everything the spec holds suits).
     */
    String key();

    /** Builds the runner; called once per remote JVM and key, and once on the driver. */
    TrialRunner create() throws Exception;
}
