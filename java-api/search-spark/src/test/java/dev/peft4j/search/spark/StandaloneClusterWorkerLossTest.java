package dev.peft4j.search.spark;

import dev.peft4j.search.ClassifierRunnerSpec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import dev.peft4j.search.AutoPeftResult;
import dev.peft4j.search.AutoPeftSearcher;
import dev.peft4j.search.AutoPeftSpace;
import dev.peft4j.search.LocalTrialExecutor;
import dev.peft4j.search.ProxySettings;
import dev.peft4j.search.SearchJournal;
import dev.peft4j.search.TrialScheduler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.ExecutorLostFailure;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real standalone cluster (a master and two one-core workers, child JVMs on 127.0.0.1) runs a tiny BO search;
 * while a trial runs, its worker is killed with its executor. The search must finish, with Spark's retry, and
 * journal every trial exactly once, with the scores the local executor gets.
 */
class StandaloneClusterWorkerLossTest {
    @TempDir
    Path dir;

    /** Counts lost tasks and remembers which executors run a task now. */
    static final class Watcher extends SparkListener {
        final Map<Long, String> running = new ConcurrentHashMap<>();
        final AtomicInteger lost = new AtomicInteger();
        final AtomicInteger started = new AtomicInteger();

        @Override
        public void onTaskStart(SparkListenerTaskStart e) {
            started.incrementAndGet();
            running.put(e.taskInfo().taskId(), e.taskInfo().executorId());
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd e) {
            running.remove(e.taskInfo().taskId());
            if (e.reason() instanceof ExecutorLostFailure) {
                lost.incrementAndGet();
            }
        }
    }

    @Test
    void aSearchSurvivesAWorkerKilledMidTrialAndJournalsEveryTrialOnce() throws Exception {
        ClassifierRunnerSpec spec = Tiny.spec(96);
        ProxySettings proxy = new ProxySettings(2, 96, 32, 3);
        AutoPeftSearcher.Settings settings = new AutoPeftSearcher.Settings(4, 1, 2, 16, proxy, 5, 0.0, false);
        AutoPeftSpace space = AutoPeftSpace.powersOfTwo(Tiny.CONFIG, 2, 4);
        Path journalFile = dir.resolve("journal.jsonl");
        AutoPeftResult onCluster;
        Watcher watcher = new Watcher();
        AtomicReference<String> killed = new AtomicReference<>();
        try (StandaloneCluster cluster = new StandaloneCluster(dir)) {
            cluster.startMaster();
            cluster.startWorker(1);
            cluster.startWorker(1);
            try (SparkTrialExecutor spark = SparkTrialExecutor.start(Tiny.conf(cluster.url())
                    .set("spark.executor.memory", "512m")
                    .set("spark.executor.cores", "1")
                    .set("spark.cores.max", "2")
                    .set("spark.executor.extraClassPath", cluster.classPath())
                    .set("spark.executor.extraJavaOptions", "-Dpeft4j.cpu.warmUp=false"), spec);
                 SearchJournal journal = SearchJournal.open(journalFile)) {
                spark.context().sc().addSparkListener(watcher);
                Thread killer = new Thread(() -> {
                    try {
                        StandaloneCluster.await("a trial to run on an executor", () -> !watcher.running.isEmpty());
                        String executor = watcher.running.values().iterator().next();
                        Optional<Process> worker = cluster.workerOfExecutor(executor);
                        if (worker.isPresent() && watcher.running.containsValue(executor)) {
                            StandaloneCluster.kill(worker.get());
                            killed.set(executor);
                        }
                    } catch (Exception e) {
                        killed.set("failed: " + e);
                    }
                }, "worker-killer");
                killer.setDaemon(true);
                killer.start();
                onCluster = new AutoPeftSearcher(space, settings).search(new TrialScheduler(spark, journal, 0));
                killer.join();
            }
        }
        assertTrue(killed.get() != null && !killed.get().startsWith("failed"), "a worker was killed: " + killed.get());
        assertTrue(watcher.lost.get() >= 1, "the kill lost a running trial, which Spark ran again");

        List<String> lines = Files.readAllLines(journalFile).stream().filter(l -> !l.isBlank()).toList();
        Map<String, Integer> times = new TreeMap<>();
        for (String l : lines) {
            times.merge(JsonParser.parseString(l).getAsJsonObject().get("trial").getAsString(), 1, Integer::sum);
        }
        assertEquals(6, times.size(), "every trial of the search is journaled: " + times);
        assertTrue(times.values().stream().allMatch(n -> n == 1), "each exactly once: " + times);

        try (SearchJournal cluster = SearchJournal.open(journalFile);
             SearchJournal local = SearchJournal.open(dir.resolve("local.jsonl"))) {
            AutoPeftResult onOneMachine = new AutoPeftSearcher(space, settings)
                    .search(new TrialScheduler(new LocalTrialExecutor(spec.create(), 2), local, 0));
            assertEquals(Tiny.withoutTimes(local), Tiny.withoutTimes(cluster), "the cluster's scores are the local ones");
            assertEquals(onOneMachine.front(), onCluster.front());
        }
    }
}
