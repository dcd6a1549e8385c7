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
 * Measures trials per hour with one and with two single-core Spark workers (a standalone cluster of two workers,
 * child JVMs on this machine as in the tests; one worker = an application limited to one core), and in this
 * process on one and on two threads (the machine's own scaling, for comparison), with the same small trials: LoRA
 * on a random 4-layer, hidden-128 encoder (cpu backend, one thread per trial), each trial its own seed. The four
 * settings alternate, round after round; each first runs a warm-up batch of {@link #WARM_UP} trials per slot
 * (executor start, the runner's build, the JIT), then times one batch of {@code trials} trials. Spark's overhead
 * per trial is the one-worker wall time per trial minus the mean time a trial spent training inside its task. Run
 * by tools/spark-throughput.sh; arguments: trials (default 16), train examples per trial (default 256), epochs
 * (default 2), rounds (default 3); {@code -Dthroughput.executor.jvm=...} adds JVM options to the executors (e.g.
 * {@code -XX:+UseSerialGC}; the script passes {@code THROUGHPUT_JAVA_OPTS} to this JVM).
 */
public final class TrialThroughput {
    private TrialThroughput() {}

    /** Warm-up trials per task slot before each timed batch: each Spark application starts fresh executor JVMs. */
    static final int WARM_UP = 6;

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
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        ClassifierRunnerSpec spec = ClassifierRunnerSpec.of("cpu", 1, ClassifierRunnerSpec.RandomEncoder.of(MODEL, 1),
                "synthetic token-5 task", 2, SyntheticExamples.tokenFiveTask(train, 1),
                SyntheticExamples.tokenFiveTask(64, 2), 16, Tiny.BASE, false, 0, ClassifierTrialRunner.Score.ACCURACY);
        ProxySettings proxy = new ProxySettings(epochs, 0, 0, 0);
        List<Timing[]> table = new ArrayList<>();
        Path dir = Files.createTempDirectory("peft4j-spark-throughput");
        try (StandaloneCluster cluster = new StandaloneCluster(dir);
             TrialExecutor local = new LocalTrialExecutor(spec.create(), 1);
             TrialExecutor local2 = new LocalTrialExecutor(spec.create(), 2)) {
            cluster.startMaster();
            cluster.startWorker(1);
            cluster.startWorker(1);
            for (int round = 1; round <= rounds; round++) {
                Timing[] row = new Timing[4];
                row[0] = time("round " + round + ", in process, 1 thread", local, trials("warm", WARM_UP, proxy),
                        trials("t", n, proxy));
                row[3] = time("round " + round + ", in process, 2 threads", local2, trials("warm", 2 * WARM_UP, proxy),
                        trials("t", n, proxy));
                for (int workers = 1; workers <= 2; workers++) {
                    try (SparkTrialExecutor spark = SparkTrialExecutor.start(Tiny.conf(cluster.url())
                            .set("spark.executor.memory", "512m")
                            .set("spark.executor.cores", "1")
                            .set("spark.cores.max", String.valueOf(workers))
                            .set("spark.executor.extraClassPath", cluster.classPath())
                            .set("spark.executor.extraJavaOptions", ("-Dpeft4j.cpu.warmUp=false "
                                    + System.getProperty("throughput.executor.jvm", "")).trim()), spec)) {
                        spark.context().setLogLevel("WARN");
                        awaitExecutors(spark, workers);
                        row[workers] = time("round " + round + ", Spark, " + workers + " single-core worker"
                                + (workers > 1 ? "s" : ""), spark, trials("warm", WARM_UP * workers, proxy), trials("t", n, proxy));
                    }
                }
                table.add(row);
            }
        }
        System.out.printf(Locale.ROOT, "%n%d trials per batch of LoRA r=8 on a random 4-layer hidden-128 encoder, %d "
                + "examples x %d epochs each, cpu backend, 1 thread per trial; %d rounds, settings alternated%n%n", n,
                train, epochs, rounds);
        System.out.println("| round | in process, 1 thread: trials/h (mean trial s) | in process, 2 threads | Spark, 1 worker "
                + "| Spark, 2 workers | 2 workers / 1 | 2 threads / 1 (the machine's own scaling) | Spark overhead per "
                + "trial, 1 worker (s) |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        List<Double> ratios = new ArrayList<>();
        List<Double> overheads = new ArrayList<>();
        List<Double> machine = new ArrayList<>();
        for (int r = 0; r < table.size(); r++) {
            Timing[] row = table.get(r);
            double ratio = row[2].perHour() / row[1].perHour();
            double overhead = row[1].wall() / row[1].trials() - row[1].meanTrial();
            double own = row[3].perHour() / row[0].perHour();
            ratios.add(ratio);
            overheads.add(overhead);
            machine.add(own);
            System.out.printf(Locale.ROOT, "| %d | %.0f (%.2f) | %.0f (%.2f) | %.0f (%.2f) | %.0f (%.2f) | %.2f | %.2f | %.3f |%n",
                    r + 1, row[0].perHour(), row[0].meanTrial(), row[3].perHour(), row[3].meanTrial(), row[1].perHour(),
                    row[1].meanTrial(), row[2].perHour(), row[2].meanTrial(), ratio, own, overhead);
        }
        System.out.printf(Locale.ROOT, "%nmedian two workers / one: %.2f x trials per hour (two threads in process / one: "
                + "%.2f x); median Spark overhead per trial: %.3f s%n", median(ratios), median(machine), median(overheads));
    }

    private static double median(List<Double> xs) {
        List<Double> s = xs.stream().sorted().toList();
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }

    /** Waits until the application has {@code n} executors, so every timed batch has all its task slots. */
    private static void awaitExecutors(SparkTrialExecutor spark, int n) throws Exception {
        StandaloneCluster.await(n + " executors", () -> spark.context().sc().getExecutorIds().size() >= n);
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
