package dev.peft4j.search.spark;

import dev.peft4j.search.TrialRunner;
import java.io.Serializable;

/**
 * A small, serializable description of a {@link TrialRunner} from which each Spark executor rebuilds the runner
 * (the runner itself, with its model and data in memory, does not travel). The runner is built once per executor
 * JVM and {@link #key() key}, then reused by every trial that runs there.
 */
public interface TrialRunnerSpec extends Serializable {
    /**
     * Identifies the runner this spec builds: two specs with the same key build runners that give the same results
     * (a digest of everything the spec holds suits).
     */
    String key();

    /** Builds the runner; called once per executor JVM and key, and once on the driver. */
    TrialRunner create() throws Exception;
}
