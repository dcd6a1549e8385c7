package dev.peft4j.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.model.BertModel;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.train.Batcher;
import dev.peft4j.train.EncodedExample;
import dev.peft4j.train.LrSchedule;
import dev.peft4j.train.TrainConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trial's fingerprint covers everything that changes its result: each input changed alone changes it, and a search
 * rerun into the same journal with one setting changed does not reuse the old results.
 */
class TrialFingerprintTest {
    @TempDir
    Path dir;

    static final Trial TRIAL = new Trial("lora", PeftPlan.lora(2, LoraSpec.defaults()), new ProxySettings(1, 48, 16, 5), "d");
    static final List<EncodedExample> TRAIN = Fixtures.synthetic(48, 1);
    static final List<EncodedExample> VAL = Fixtures.synthetic(16, 2);
    static final TrainConfig BASE = new TrainConfig(1, 8, 3e-2f, 0.01f, 0.1f, LrSchedule.Decay.LINEAR, 1f, 1, 0, 0, 1);

    /** The runner of the reference setting, with one input replaced per named variant. */
    static ClassifierTrialRunner runner(String change) {
        return new ClassifierTrialRunner("reference", change.equals("model name") ? "tiny-b" : "tiny",
                be -> BertModel.random(be, Fixtures.TINY, change.equals("model weights") ? 2 : 1),
                change.equals("dataset name") ? "other" : "synthetic", change.equals("labels") ? 3 : 2,
                change.equals("training data") ? Fixtures.synthetic(48, 3) : TRAIN,
                change.equals("split") ? Fixtures.synthetic(16, 4) : VAL,
                change.equals("max length") ? 12 : 16,
                switch (change) {
                    case "learning rate" -> BASE.withLr(1e-2f);
                    case "schedule" -> new TrainConfig(1, 8, 3e-2f, 0.01f, 0.1f, LrSchedule.Decay.COSINE, 1f, 1, 0, 0, 1);
                    case "warm-up" -> new TrainConfig(1, 8, 3e-2f, 0.01f, 0.2f, LrSchedule.Decay.LINEAR, 1f, 1, 0, 0, 1);
                    case "batch" -> BASE.withBatchSize(4);
                    default -> BASE;
                },
                change.equals("rate from plan"), new Batcher(0),
                change.equals("metric") ? ClassifierTrialRunner.Score.MACRO_F1 : ClassifierTrialRunner.Score.ACCURACY);
    }

    @Test
    void everyInputChangedAloneChangesTheFingerprint() {
        String reference = TRIAL.fingerprint(runner("").setup());
        assertEquals(reference, TRIAL.fingerprint(runner("").setup()), "the same setting, the same fingerprint");
        Map<String, String> seen = new LinkedHashMap<>();
        for (String change : List.of("model name", "model weights", "dataset name", "labels", "training data", "split",
                "max length", "learning rate", "schedule", "warm-up", "batch", "rate from plan", "metric")) {
            String fp = TRIAL.fingerprint(runner(change).setup());
            assertNotEquals(reference, fp, change);
            assertTrue(!seen.containsValue(fp), change + " collides with " + seen);
            seen.put(change, fp);
        }
        TrialSetup s = runner("").setup();
        Map<String, Supplier<TrialSetup>> direct = new LinkedHashMap<>();
        direct.put("backend class", () -> new TrialSetup(s.model(), s.modelDigest(), s.data(), s.dataDigest(),
                s.maxLength(), "dev.peft4j.backend.OtherBackend", s.training(), s.learningRateFromPlan(), s.numLabels(),
                s.metric()));
        direct.put("max length alone", () -> new TrialSetup(s.model(), s.modelDigest(), s.data(), s.dataDigest(),
                s.maxLength() + 1, s.backend(), s.training(), s.learningRateFromPlan(), s.numLabels(), s.metric()));
        for (Map.Entry<String, Supplier<TrialSetup>> e : direct.entrySet()) {
            assertNotEquals(reference, TRIAL.fingerprint(e.getValue().get()), e.getKey());
        }
        ProxySettings p = TRIAL.proxy();
        assertNotEquals(reference, new Trial("lora", TRIAL.plan(), new ProxySettings(2, 48, 16, 5), "d").fingerprint(s),
                "epochs");
        assertNotEquals(reference, new Trial("lora", TRIAL.plan(), p.withSeed(6), "d").fingerprint(s), "seed");
        assertNotEquals(reference, new Trial("lora", TRIAL.plan(), new ProxySettings(1, 40, 16, 5), "d").fingerprint(s),
                "proxy training size");
        assertNotEquals(reference, new Trial("lora", PeftPlan.lora(2, new LoraSpec(4, 4, false, 0f,
                LoraSpec.defaults().targets())), p, "d").fingerprint(s), "plan");
    }

    @Test
    void aRerunIntoTheSameJournalWithAnotherSettingDoesNotReuseOldResults() throws Exception {
        Path file = dir.resolve("journal.jsonl");
        TrialResult first;
        try (SearchJournal j = SearchJournal.open(file)) {
            first = new TrialScheduler(runner(""), j, 1).run(List.of(TRIAL)).get(0);
        }
        assertTrue(first.ok(), first.reason());
        for (String change : List.of("learning rate", "model weights", "training data", "batch")) {
            try (SearchJournal j = SearchJournal.open(file)) {
                TrialScheduler s = new TrialScheduler(runner(change), j, 1);
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.run(List.of(TRIAL)), change);
                assertTrue(e.getMessage().contains("other settings"), e.getMessage());
                assertEquals(0, s.trialsRun(), change);
            }
        }
        try (SearchJournal j = SearchJournal.open(file)) {
            TrialScheduler same = new TrialScheduler(runner(""), j, 1);
            assertEquals(first, same.run(List.of(TRIAL)).get(0), "the same setting resumes from the journal");
            assertEquals(0, same.trialsRun());
        }
    }
}
