package dev.peft4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code search --executor spark --master local[2]} on MiniLM: the same journal as {@code --executor local} with
 * one backend thread per trial, and a rerun resumes from it without running a trial.
 */
class SearchOnSparkCliTest {
    @TempDir
    static Path dir;
    static Path csv;

    @BeforeAll
    static void dataset() throws Exception {
        csv = reviews(dir.resolve("reviews.csv"));
    }

    /** Writes 60 short reviews of two classes to {@code file} as a CSV, and returns it. */
    static Path reviews(Path file) throws java.io.IOException {
        List<String> lines = new ArrayList<>(List.of("text,label"));
        String[] good = {"a wonderful, moving film", "great acting and a great story", "brilliant and funny"};
        String[] bad = {"a boring, tedious mess", "terrible acting and a dull story", "awful and slow"};
        for (int i = 0; i < 10; i++) {
            for (int k = 0; k < good.length; k++) {
                lines.add("\"" + good[k] + " " + i + "\",pos");
                lines.add("\"" + bad[k] + " " + i + "\",neg");
            }
        }
        return Files.write(file, lines);
    }

    static String[] search(Path out, String... executor) {
        String[] common = {"search", "--model", "minilm", "--dataset", "csv:" + csv, "--algorithm", "bo",
            "--initial", "2", "--iterations", "0", "--proxy-train", "24", "--proxy-validation", "8", "--max-length", "16",
            "--no-baselines", "--output", out.toString()};
        String[] all = new String[common.length + executor.length];
        System.arraycopy(common, 0, all, 0, common.length);
        System.arraycopy(executor, 0, all, common.length, executor.length);
        return all;
    }

    /** Each journaled trial without its wall time. */
    static Map<String, String> journal(Path out) throws Exception {
        Map<String, String> m = new TreeMap<>();
        for (String line : Files.readAllLines(out.resolve("journal.jsonl"))) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            String trial = o.remove("trial").getAsString();
            o.remove("seconds");
            m.put(trial, o.toString());
        }
        return m;
    }

    @Test
    void sparkLocal2WritesTheLocalExecutorsJournalAndResumesFromIt() throws Exception {
        Path spark = dir.resolve("spark");
        Path local = dir.resolve("local");
        CliTest.Run onSpark = CliTest.run(search(spark, "--executor", "spark", "--master", "local[2]"));
        assertEquals(0, onSpark.exit(), onSpark.out() + onSpark.err());
        assertTrue(onSpark.out().contains("trial 2 done"), onSpark.out());
        CliTest.Run here = CliTest.run(search(local, "--parallel", "2", "--trial-threads", "1"));
        assertEquals(0, here.exit(), here.out() + here.err());
        assertEquals(2, journal(spark).size());
        assertEquals(journal(local), journal(spark), "same fingerprints, statuses, metrics and parameter counts");
        assertEquals(Files.readString(local.resolve("best-plan.json")), Files.readString(spark.resolve("best-plan.json")));

        CliTest.Run again = CliTest.run(search(spark, "--executor", "spark", "--master", "local[2]"));
        assertEquals(0, again.exit(), again.out() + again.err());
        assertTrue(again.out().contains("resuming: 2 trials"), again.out());
        assertFalse(again.out().contains("trial 1 done"), "nothing runs again: " + again.out());
    }
}
