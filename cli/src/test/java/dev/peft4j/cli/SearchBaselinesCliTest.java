package dev.peft4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code search --algorithm baselines}: the proxy's rank check trains only the budget-matched hand-made methods and
 * the design-spaces paper's pattern (no search, no best plan), and saves that pattern's plan for the final runs.
 */
class SearchBaselinesCliTest {
    @TempDir
    Path dir;

    @Test
    void trainsOnlyTheBaselinesAndSavesThePapersPlan() throws Exception {
        Path csv = SearchOnSparkCliTest.reviews(dir.resolve("reviews.csv"));
        Path out = dir.resolve("baselines");
        CliTest.Run run = CliTest.run("search", "--model", "minilm", "--dataset", "csv:" + csv, "--algorithm",
                "baselines", "--budget", "0.005", "--proxy-train", "24", "--proxy-validation", "8", "--max-length", "16",
                "--output", out.toString());
        assertEquals(0, run.exit(), run.out() + run.err());
        Map<String, String> journal = SearchOnSparkCliTest.journal(out);
        assertFalse(journal.isEmpty());
        for (String trial : journal.keySet()) {
            assertTrue(trial.startsWith("baseline/"), "only baselines are trained: " + journal.keySet());
        }
        assertTrue(journal.containsKey("baseline/lora") && journal.containsKey("baseline/s4-paper"), journal.keySet().toString());
        assertFalse(Files.exists(out.resolve("best-plan.json")), "no search, so no best plan");
        assertTrue(Files.readString(out.resolve("baselines.tsv")).contains("s4-paper"));

        // the saved pattern trains like any plan file
        Path fine = dir.resolve("fine");
        CliTest.Run finetune = CliTest.run("finetune", "--model", "minilm", "--dataset", "csv:" + csv, "--plan",
                out.resolve("s4-paper-plan.json").toString(), "--train", "16", "--validation", "8", "--test", "8",
                "--max-length", "16", "--epochs", "1", "--checkpoint-every", "0", "--output", fine.toString());
        assertEquals(0, finetune.exit(), finetune.out() + finetune.err());
        assertTrue(Files.exists(fine.resolve("summary.json")));
    }

    @Test
    void baselinesWithNoBaselinesIsAUsageError() {
        CliTest.Run run = CliTest.run("search", "--algorithm", "baselines", "--no-baselines", "--output",
                dir.resolve("o").toString());
        assertEquals(2, run.exit(), run.out() + run.err());
        assertTrue(run.err().contains("--no-baselines"), run.err());
    }
}
