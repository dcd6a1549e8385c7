package dev.peft4j.search.spark;

import dev.peft4j.search.TrialRunnerSpec;
import dev.peft4j.search.Trial;
import dev.peft4j.search.TrialExecutor;
import dev.peft4j.search.TrialResult;
import dev.peft4j.search.TrialRunner;
import dev.peft4j.search.TrialSetup;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import scala.collection.Iterator;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * A {@link TrialExecutor} that runs each trial as a Spark task: one batch (a BO round, an S4 stage's round) is one
 * Spark job with one partition per trial, so the trials in flight are bounded by the cluster's task slots. The
 * runner does not travel: a {@link TrialRunnerSpec} is broadcast once and each executor JVM builds the runner from
 * it on its first trial and keeps it. Each task checks that its runner's setup is the driver's (same model weights,
 * same data, same settings), so a result never enters the journal under a fingerprint it was not computed under.
 *
 * <p>Results come back to the driver as each task ends and are handed to the sink there (the {@code TrialScheduler}
 * journals them on the driver). A task lost with its executor is retried by Spark ({@code spark.task.maxFailures});
 * Spark hands each partition's result to the driver once, so each trial is journaled once. Speculative execution
 * would only run a duplicate whose result Spark drops.
 */
public final class SparkTrialExecutor implements TrialExecutor {
    private static final System.Logger LOG = System.getLogger(SparkTrialExecutor.class.getName());

    /** What every task receives once per executor: the spec and the driver's setup as text. */
    record Payload(TrialRunnerSpec spec, String setup) implements Serializable {}

    private final JavaSparkContext spark;
    private final boolean ownsContext;
    private final Broadcast<Payload> payload;
    private final TrialSetup setup;
    private final String specKey;
    private int batches;

    /**
     * Trials of {@code spec} on the cluster of {@code spark}; the caller keeps and stops the context. The runner is
     * also built here, on the driver, once, for its setup (the fingerprints' part).
     */
    public SparkTrialExecutor(JavaSparkContext spark, TrialRunnerSpec spec) {
        this(spark, spec, false);
    }

    private SparkTrialExecutor(JavaSparkContext spark, TrialRunnerSpec spec, boolean ownsContext) {
        this.spark = spark;
        this.ownsContext = ownsContext;
        this.specKey = spec.key();
        this.setup = RunnerCache.get(spec).setup();
        this.payload = spark.broadcast(new Payload(spec, setup.toString()));
    }

    /** Starts a Spark context from {@code conf} (master, app name, ...) that this executor stops on {@link #close()}. */
    public static SparkTrialExecutor start(SparkConf conf, TrialRunnerSpec spec) {
        JavaSparkContext sc = new JavaSparkContext(conf);
        try {
            return new SparkTrialExecutor(sc, spec, true);
        } catch (RuntimeException e) {
            sc.stop();
            throw e;
        }
    }

    /** The context the trials run in. */
    public JavaSparkContext context() {
        return spark;
    }

    @Override
    public TrialSetup setup() {
        return setup;
    }

    @Override
    public void execute(List<Trial> trials, ResultSink sink) {
        if (trials.isEmpty()) {
            return;
        }
        List<TrialTask> tasks = new ArrayList<>(trials.size());
        for (Trial t : trials) {
            tasks.add(TrialTask.of(t));
        }
        JavaRDD<TrialTask> rdd = spark.parallelize(tasks, tasks.size());
        batches++;
        spark.setJobDescription(String.format(Locale.ROOT, "peft4j trial batch %d: %d trials (%s ...)", batches,
                tasks.size(), tasks.get(0).id()));
        ClassTag<TrialOutcome> tag = ClassTag$.MODULE$.apply(TrialOutcome.class);
        try {
            spark.sc().runJob(rdd.rdd(), new RunTrial(payload), new Deliver(sink), tag);
        } catch (Exception e) { // Scala code throws the checked SparkException undeclared
            Throwable cause = e instanceof SparkException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("the Spark job of trial batch " + batches + " (" + tasks.size()
                    + " trials) failed: " + cause.getMessage(), e);
        }
    }

    /** Stops the Spark context if {@link #start} made it. */
    @Override
    public void close() {
        try {
            if (!spark.sc().isStopped()) {
                payload.destroy();
            }
        } finally {
            RunnerCache.evict(specKey); // the driver's runner (model and data); local[N]'s tasks used it too
            if (ownsContext) {
                spark.stop();
            }
        }
    }

    /** The task: one partition, one trial, run on the executor's cached runner. */
    static final class RunTrial extends AbstractFunction2<TaskContext, Iterator<TrialTask>, TrialOutcome>
            implements Serializable {
        private final Broadcast<Payload> payload;

        RunTrial(Broadcast<Payload> payload) {
            this.payload = payload;
        }

        @Override
        public TrialOutcome apply(TaskContext ctx, Iterator<TrialTask> partition) {
            Payload p = payload.value();
            TrialRunner runner = RunnerCache.get(p.spec());
            String here = runner.setup().toString();
            if (!here.equals(p.setup())) {
                throw new IllegalStateException("executor " + SparkEnv.get().executorId() + " built a trial runner "
                        + "whose setup differs from the driver's (another model or data on this node?): here "
                        + here + ", driver " + p.setup());
            }
            if (!partition.hasNext()) {
                throw new IllegalStateException("partition " + ctx.partitionId() + " holds no trial");
            }
            TrialTask task = partition.next();
            TrialResult r = TrialRunner.runChecked(runner, task.trial());
            return TrialOutcome.of(r, SparkEnv.get().executorId(), ctx.attemptNumber());
        }
    }

    /** On the driver, as each task ends: hands the result to the sink. */
    private static final class Deliver extends AbstractFunction2<Object, TrialOutcome, BoxedUnit> {
        private final ResultSink sink;

        Deliver(ResultSink sink) {
            this.sink = sink;
        }

        @Override
        public BoxedUnit apply(Object index, TrialOutcome outcome) {
            LOG.log(System.Logger.Level.INFO, () -> String.format(Locale.ROOT,
                    "trial %s ran on executor %s (attempt %d) in %.2f s%s", outcome.trialId(), outcome.executorId(),
                    outcome.attempt(), outcome.seconds(), outcome.ok() ? "" : ": FAILED " + outcome.reason()));
            sink.accept((Integer) index, outcome.result());
            return BoxedUnit.UNIT;
        }
    }
}
