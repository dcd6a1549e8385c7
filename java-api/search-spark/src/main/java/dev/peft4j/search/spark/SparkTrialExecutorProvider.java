package dev.peft4j.search.spark;

import dev.peft4j.search.TrialExecutor;
import dev.peft4j.search.TrialExecutorProvider;
import dev.peft4j.search.TrialRunnerSpec;
import java.util.Map;
import org.apache.spark.SparkConf;

/**
 * The "spark" {@link TrialExecutorProvider}: a {@link SparkTrialExecutor} with its own Spark context, application
 * name "peft4j search". The master is the given URL ({@code local[N]}, {@code spark://host:7077}, {@code yarn},
 * {@code k8s://...}) or, when null, Spark's own configuration ({@code spark.master} as {@code spark-submit} sets it);
 * the settings are Spark configuration keys and values ({@code spark.executor.memory}, ...).
 */
public final class SparkTrialExecutorProvider implements TrialExecutorProvider {
    @Override
    public String name() {
        return "spark";
    }

    @Override
    public TrialExecutor open(String master, Map<String, String> settings, TrialRunnerSpec spec) {
        SparkConf conf = new SparkConf().setAppName("peft4j search");
        settings.forEach(conf::set);
        if (master != null) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            throw new IllegalArgumentException("no Spark master: pass one (local[N], spark://host:7077, yarn, "
                    + "k8s://https://host:port) or run under spark-submit, which sets spark.master");
        }
        return SparkTrialExecutor.start(conf, spec);
    }
}
