package dev.peft4j.search.spark;

import dev.peft4j.search.ClassifierRunnerSpec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.search.AutoPeftResult;
import dev.peft4j.search.AutoPeftSearcher;
import dev.peft4j.search.AutoPeftSpace;
import dev.peft4j.search.BudgetAllocator;
import dev.peft4j.search.LocalTrialExecutor;
import dev.peft4j.search.ProxySettings;
import dev.peft4j.search.S4Result;
import dev.peft4j.search.S4Searcher;
import dev.peft4j.search.S4Space;
import dev.peft4j.search.SearchJournal;
import dev.peft4j.search.TrialExecutor;
import dev.peft4j.search.TrialScheduler;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spark in local[2] runs a tiny S4 and a tiny BO search on a random encoder (cpu backend, one thread per trial) and
 * gets exactly what the local executor gets: the same plans, the same stage reports and Pareto points, and every
 * trial's score bit for bit. A resumed search reads the Spark-written journal and runs nothing.
 */
class LocalSparkMatchesLocalExecutorTest {
    static final ClassifierRunnerSpec SPEC = Tiny.spec(48);
    static final ProxySettings PROXY = new ProxySettings(1, 32, 32, 3);
    static SparkTrialExecutor spark;

    @TempDir
    Path dir;

    @BeforeAll
    static void startSpark() {
        spark = SparkTrialExecutor.start(Tiny.conf("local[2]"), SPEC);
        spark.context().setLogLevel("WARN");
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            org.junit.jupiter.api.Assertions.assertTrue(RunnerCache.holds(SPEC.key()), "the runner was built and cached");
            spark.close();
            org.junit.jupiter.api.Assertions.assertFalse(RunnerCache.holds(SPEC.key()),
                    "closing the executor drops the driver's runner (its model and data)");
        }
    }

    /** Runs {@code search} on the executor with a fresh journal in {@code file}; returns the result and the journal. */
    <R> R run(TrialExecutor executor, Path file, Function<TrialScheduler, R> search, Map<String, String>[] journal)
            throws Exception {
        try (SearchJournal j = SearchJournal.open(file)) {
            R r = search.apply(new TrialScheduler(executor, j, 0));
            journal[0] = Tiny.withoutTimes(j);
            return r;
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void s4OnLocal2GivesTheLocalExecutorsPlanAndScores() throws Exception {
        Function<TrialScheduler, S4Result> s4 = s -> new S4Searcher(S4Space.paper(0.2), Tiny.CONFIG,
                BudgetAllocator.defaults(Tiny.CONFIG), new S4Searcher.Settings(2, PROXY, 7, 0.0, 1.0 / 32, 0)).search(s);
        Map<String, String>[] local = new Map[1];
        Map<String, String>[] onSpark = new Map[1];
        S4Result a = run(new LocalTrialExecutor(SPEC.create(), 2), dir.resolve("local.jsonl"), s4, local);
        S4Result b = run(spark, dir.resolve("spark.jsonl"), s4, onSpark);
        assertTrue(local[0].size() >= 20, "a real search: " + local[0].size() + " trials");
        assertTrue(local[0].values().stream().anyMatch(v -> v.contains(" OK ")), "trials train");
        assertEquals(local[0], onSpark[0], "every trial: same fingerprint, status, metric bits, parameters");
        assertEquals(a.config(), b.config());
        assertEquals(a.plan(), b.plan());
        assertEquals(a.stages(), b.stages());
        // a driver restarted on the Spark journal resumes: nothing is run again
        try (SearchJournal j = SearchJournal.open(dir.resolve("spark.jsonl"))) {
            TrialScheduler again = new TrialScheduler(spark, j, 0);
            S4Result c = s4.apply(again);
            assertEquals(0, again.trialsRun());
            assertEquals(a.plan(), c.plan());
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void boOnLocal2GivesTheLocalExecutorsFront() throws Exception {
        Function<TrialScheduler, AutoPeftResult> bo = s -> new AutoPeftSearcher(AutoPeftSpace.powersOfTwo(Tiny.CONFIG, 2, 4),
                new AutoPeftSearcher.Settings(4, 2, 2, 16, PROXY, 5, 0.0, false)).search(s);
        Map<String, String>[] local = new Map[1];
        Map<String, String>[] onSpark = new Map[1];
        AutoPeftResult a = run(new LocalTrialExecutor(SPEC.create(), 2), dir.resolve("local.jsonl"), bo, local);
        AutoPeftResult b = run(spark, dir.resolve("spark.jsonl"), bo, onSpark);
        assertEquals(8, local[0].size());
        assertEquals(local[0], onSpark[0]);
        assertEquals(a.evaluated(), b.evaluated());
        assertEquals(a.front(), b.front());
        assertEquals(Double.doubleToRawLongBits(a.hypervolume()), Double.doubleToRawLongBits(b.hypervolume()));
    }
}
