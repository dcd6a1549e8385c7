package dev.peft4j.search.spark;

import dev.peft4j.backend.Activation;
import dev.peft4j.model.BertConfig;
import dev.peft4j.model.Pooling;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.search.ClassifierRunnerSpec;
import dev.peft4j.search.ClassifierTrialRunner;
import dev.peft4j.search.LocalTrialExecutor;
import dev.peft4j.search.ProxySettings;
import dev.peft4j.search.Trial;
import dev.peft4j.search.TrialExecutor;
import dev.peft4j.search.TrialResult;
import dev.peft4j.testing.SyntheticExamples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Measures trials per hour on a standalone Spark cluster of one and of two single-core workers (child JVMs on this
 * machine, as in the tests), and in this process on one thread, with the same small trials: LoRA on a random
 * 4-layer, hidden-128 encoder (cpu backend, one thread per trial), each trial its own seed. Every setting first
 * runs a warm-up batch (executor start, the runner's build, the JIT), then times one batch of {@code trials}
 * trials. Spark's overhead per trial is the one-worker wall time per trial minus the mean time a trial spent
 * training inside its task. Run by tools/spark-throughput.sh; arguments: trials (default 16), train examples per
 * trial (default 256), epochs (default 2).
 */
public final class TrialThroughput {
    private TrialThroughput() {}

    static final BertConfig MODEL = new BertConfig(64, 128, 4, 4, 512, 16, 2, 1e-5f, Activation.GELU, 0.0f, Pooling.MEAN);

    /** One timed batch: wall seconds and the mean seconds a trial trained. */
    record Timing(String setting, int trials, double wall, double meanTrial) {
        double perHour() {
            return trials * 3600 / wall;
        }
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int train = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        ClassifierRunnerSpec spec = ClassifierRunnerSpec.of("cpu", 1, ClassifierRunnerSpec.RandomEncoder.of(MODEL, 1),
                "synthetic token-5 task", 2, SyntheticExamples.tokenFiveTask(train, 1),
                SyntheticExamples.tokenFiveTask(64, 2), 16, Tiny.BASE, false, 0, ClassifierTrialRunner.Score.ACCURACY);
        ProxySettings proxy = new ProxySettings(epochs, 0, 0, 0);
        List<Timing> timings = new ArrayList<>();
        try (TrialExecutor local = new LocalTrialExecutor(spec.create(), 1)) {
            timings.add(time("in process, 1 thread", local, trials("warm", 2, proxy), trials("t", n, proxy)));
        }
        for (int workers = 1; workers <= 2; workers++) {
            Path dir = Files.createTempDirectory("peft4j-spark-throughput");
            try (StandaloneCluster cluster = new StandaloneCluster(dir)) {
                cluster.startMaster();
                for (int w = 0; w < workers; w++) {
                    cluster.startWorker(1);
                }
                try (SparkTrialExecutor spark = SparkTrialExecutor.start(Tiny.conf(cluster.url())
                        .set("spark.executor.memory", "512m")
                        .set("spark.executor.cores", "1")
                        .set("spark.cores.max", String.valueOf(workers))
                        .set("spark.executor.extraClassPath", cluster.classPath())
                        .set("spark.executor.extraJavaOptions", "-Dpeft4j.cpu.warmUp=false"), spec)) {
                    spark.context().setLogLevel("WARN");
                    timings.add(time("Spark, " + workers + " single-core worker" + (workers > 1 ? "s" : ""), spark,
                            trials("warm", 2 * workers, proxy), trials("t", n, proxy)));
                }
            }
        }
        System.out.printf(Locale.ROOT, "%n%d trials of LoRA r=8 on a random 4-layer hidden-128 encoder, %d examples x %d "
                + "epochs each, cpu backend, 1 thread per trial%n%n", n, train, epochs);
        System.out.println("| setting | wall s | trials/hour | mean trial s (inside its task) |");
        System.out.println("|---|---|---|---|");
        for (Timing t : timings) {
            System.out.printf(Locale.ROOT, "| %s | %.1f | %.0f | %.2f |%n", t.setting(), t.wall(), t.perHour(), t.meanTrial());
        }
        Timing one = timings.get(1);
        Timing two = timings.get(2);
        System.out.printf(Locale.ROOT, "%ntwo workers / one: %.2f x trials per hour%n", two.perHour() / one.perHour());
        System.out.printf(Locale.ROOT, "Spark's overhead per trial (one worker: wall per trial - mean trial): %.3f s%n",
                one.wall() / one.trials() - one.meanTrial());
        System.out.printf(Locale.ROOT, "one worker against this process, 1 thread: %.3f s more per trial%n",
                one.wall() / one.trials() - timings.get(0).wall() / timings.get(0).trials());
    }

    static List<Trial> trials(String prefix, int n, ProxySettings proxy) {
        List<Trial> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Trial(prefix + i, PeftPlan.lora(MODEL.layers(), LoraSpec.defaults()), proxy.withSeed(100 + i),
                    "LoRA seed " + (100 + i)));
        }
        return out;
    }

    static Timing time(String setting, TrialExecutor ex, List<Trial> warmUp, List<Trial> timed) {
        ex.execute(warmUp, (i, r) -> check(r));
        DoubleAdder trained = new DoubleAdder();
        AtomicInteger count = new AtomicInteger();
        long start = System.nanoTime();
        ex.execute(timed, (i, r) -> {
            check(r);
            trained.add(r.seconds());
            count.incrementAndGet();
        });
        double wall = (System.nanoTime() - start) / 1e9;
        if (count.get() != timed.size()) {
            throw new IllegalStateException(setting + ": " + count.get() + " of " + timed.size() + " trials came back");
        }
        System.out.printf(Locale.ROOT, "%s: %d trials in %.1f s%n", setting, timed.size(), wall);
        return new Timing(setting, timed.size(), wall, trained.sum() / timed.size());
    }

    private static void check(TrialResult r) {
        if (!r.ok()) {
            throw new IllegalStateException("trial " + r.trialId() + " failed: " + r.reason());
        }
    }
}
