package dev.peft4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** peft4j compare reads seed-N/test-predictions.tsv of two configurations and tests them paired. */
class CompareCommandTest {
    @TempDir
    Path dir;

    /** Labels alternate 0, 1; the configuration is wrong on the first {@code wrong} examples. */
    void write(Path config, String seed, int n, int wrong) throws Exception {
        StringBuilder sb = new StringBuilder("index\tlabel\tpredicted\n");
        for (int i = 0; i < n; i++) {
            int label = i % 2;
            sb.append(i).append('\t').append(label).append('\t').append(i < wrong ? 1 - label : label).append('\n');
        }
        Files.createDirectories(config.resolve(seed));
        Files.writeString(config.resolve(seed).resolve(FinetuneCommand.TEST_PREDICTIONS), sb);
    }

    @Test
    void printsTheEffectItsIntervalAndBothPValues() throws Exception {
        Path base = dir.resolve("base");
        Path cand = dir.resolve("cand");
        for (String s : new String[] {"seed-1", "seed-2"}) {
            write(base, s, 200, 60);
            write(cand, s, 200, 20);
        }
        CliTest.Run r = CliTest.run("compare", "--baseline", base.toString(), "--candidate", cand.toString(),
                "--resamples", "500");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("accuracy over 2 seeds × 200 examples: Δ +20.00 points"), r.out());
        assertTrue(r.out().contains("McNemar: 0 baseline-only vs 80 candidate-only correct"), r.out());
        assertTrue(r.out().contains("bootstrap p 0.0000"), r.out());

        write(cand, "seed-3", 200, 20);
        CliTest.Run mismatch = CliTest.run("compare", "--baseline", base.toString(), "--candidate", cand.toString());
        assertEquals(1, mismatch.exit());
        assertTrue(mismatch.err().contains("the same seeds"), mismatch.err());
    }
}
