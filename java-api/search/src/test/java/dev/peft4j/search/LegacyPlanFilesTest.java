package dev.peft4j.search;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.peft4j.peft.PeftPlan;
import dev.peft4j.peft.PlanCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Plan files and trial fingerprints written by the search's own plan writer before the runtime's {@link PlanCodec}
 * replaced it (resources legacy-plans/: plan-i.json from {@link ParameterCounterTest#randomPlan} with seed 1000 + i,
 * unions on odd i, a random BitFit selection on every third; fingerprints.tsv with each plan's {@link Trial}
 * fingerprint under the proxy below, from when a fingerprint covered only the plan and the proxy). The codec must
 * read each file to the same plan and write it back byte for byte. The old fingerprints must no longer match: they
 * did not cover the model, data or training settings, so a journal written with them must not be reused.
 */
class LegacyPlanFilesTest {
    private static final ProxySettings PROXY = new ProxySettings(2, 64, 32, 7);

    @Test
    void oldPlanFilesReadWriteAndFingerprintAsBefore() throws Exception {
        Path root = Path.of(LegacyPlanFilesTest.class.getResource("legacy-plans/fingerprints.tsv").toURI()).getParent();
        List<String> lines = Files.readAllLines(root.resolve("fingerprints.tsv"));
        assertEquals(12, lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String[] cols = lines.get(i).split("\t");
            assertEquals("plan-" + i + ".json", cols[0]);
            Path file = root.resolve(cols[0]);
            SplittableRandom rng = new SplittableRandom(1000 + i);
            PeftPlan expected = ParameterCounterTest.randomPlan(1 + rng.nextInt(6), rng, i % 2 == 1);
            if (i % 3 == 2) {
                expected = ParameterCounterTest.withRandomBitfit(expected, rng);
            }
            PeftPlan read = PlanCodec.read(file);
            assertEquals(expected, read, cols[0]);
            assertEquals(Files.readString(file), PlanCodec.toText(read), cols[0] + " is written back byte for byte");
            org.junit.jupiter.api.Assertions.assertNotEquals(cols[1],
                    new Trial("t" + i, read, PROXY, "d").fingerprint(TrialSetup.NONE), cols[0] + ": fingerprint");
        }
    }
}
