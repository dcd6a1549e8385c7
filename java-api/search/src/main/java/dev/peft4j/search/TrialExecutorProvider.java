package dev.peft4j.search;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * Makes {@link TrialExecutor}s that run trials elsewhere (a cluster), found through {@link ServiceLoader} so that
 * this module, and the command line, need no cluster library: {@code peft4j-search-spark} provides "spark".
 */
public interface TrialExecutorProvider {
    /** The name users select it by, e.g. "spark". */
    String name();

    /**
     * An executor of {@code spec}'s trials on the cluster at {@code master} (the provider's URL form; null: the
     * provider's own configuration, e.g. what {@code spark-submit} set), with the provider's own {@code settings}
     * (for Spark: configuration keys and values). The caller closes it.
     */
    TrialExecutor open(String master, java.util.Map<String, String> settings, TrialRunnerSpec spec);

    /** The provider named {@code name} on the class path (or module path); fails naming those there are. */
    static TrialExecutorProvider named(String name) {
        List<String> known = new ArrayList<>();
        for (TrialExecutorProvider p : ServiceLoader.load(TrialExecutorProvider.class)) {
            if (p.name().equalsIgnoreCase(name.trim())) {
                return p;
            }
            known.add(p.name());
        }
        throw new IllegalArgumentException("no trial executor '" + name.toLowerCase(Locale.ROOT) + "' on the class path "
                + (known.isEmpty() ? "(none is; \"spark\" comes with peft4j-search-spark and Spark's jars)" : "(there are: " + known + ")")
                + "; the default, local, needs none");
    }
}
