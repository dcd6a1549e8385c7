package dev.peft4j.search.spark;

import dev.peft4j.search.ClassifierRunnerSpec;
import dev.peft4j.backend.Activation;
import dev.peft4j.model.BertConfig;
import dev.peft4j.model.Pooling;
import dev.peft4j.search.ClassifierTrialRunner;
import dev.peft4j.search.SearchJournal;
import dev.peft4j.search.TrialResult;
import dev.peft4j.testing.SyntheticExamples;
import dev.peft4j.train.LrSchedule;
import dev.peft4j.train.TrainConfig;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.SparkConf;

/** A tiny random encoder, synthetic data, and Spark settings for tests on one small machine. */
final class Tiny {
    private Tiny() {}

    /** 4 layers (S4 splits the layers into 4 groups), hidden 16. */
    static final BertConfig CONFIG = new BertConfig(40, 16, 4, 2, 32, 16, 2, 1e-5f, Activation.GELU, 0.0f, Pooling.MEAN);
    static final TrainConfig BASE = new TrainConfig(1, 8, 3e-2f, 0.01f, 0.1f, LrSchedule.Decay.LINEAR, 1f, 1, 0, 0, 1);

    /** The cpu backend with one thread per trial: the same on the driver and every executor. */
    static ClassifierRunnerSpec spec(int trainExamples) {
        return ClassifierRunnerSpec.of("cpu", 1, ClassifierRunnerSpec.RandomEncoder.of(CONFIG, 1), "synthetic token-5 task",
                2, SyntheticExamples.tokenFiveTask(trainExamples, 1), SyntheticExamples.tokenFiveTask(32, 2), 16, BASE,
                false, 0, ClassifierTrialRunner.Score.ACCURACY);
    }

    /** Spark on 127.0.0.1 without its web UI. */
    static SparkConf conf(String master) {
        return new SparkConf().setMaster(master).setAppName("peft4j-search-spark test")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
    }

    /** The journal's results by trial id, without wall times (which differ from run to run). */
    static Map<String, String> withoutTimes(SearchJournal j) {
        Map<String, String> out = new TreeMap<>();
        for (TrialResult r : j.results().values()) {
            out.put(r.trialId(), r.fingerprint() + " " + r.status() + " " + Double.doubleToRawLongBits(r.metric()) + " "
                    + r.trainableParameters() + " " + Double.doubleToRawLongBits(r.parameterFraction()) + " " + r.reason());
        }
        return out;
    }
}
