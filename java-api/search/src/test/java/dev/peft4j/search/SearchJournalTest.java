package dev.peft4j.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.PeftPlan;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SearchJournalTest {
    @TempDir
    Path dir;

    static final ProxySettings PROXY = new ProxySettings(1, 0, 0, 7);

    static List<Trial> trials(int n) {
        List<Trial> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            PeftPlan plan = PeftPlan.uniform(8, i % 3 == 2 ? LayerPlan.NONE.withIa3(true)
                    : LayerPlan.NONE.withLora(new LoraSpec(1 + i, 1f, false, 0f, LoraSpec.defaults().targets())));
            out.add(new Trial("t" + i, plan, PROXY, "trial " + i));
        }
        return out;
    }

    @Test
    void resultsComeBackInBatchOrderAndFailuresAreRecorded() throws Exception {
        Path file = dir.resolve("j.jsonl");
        Fixtures.FakeRunner runner = new Fixtures.FakeRunner(Fixtures.EIGHT);
        List<TrialResult> results;
        try (SearchJournal j = SearchJournal.open(file)) {
            results = new TrialScheduler(runner, j, 4).run(trials(9));
        }
        for (int i = 0; i < 9; i++) {
            assertEquals("t" + i, results.get(i).trialId());
            assertEquals(i % 3 != 2, results.get(i).ok(), "IA3 plans fail in the fake runner");
        }
        assertTrue(results.get(2).reason().contains("diverged"), results.get(2).reason());
        assertEquals(9, Files.readAllLines(file).size());
        try (SearchJournal j = SearchJournal.open(file)) {
            assertEquals(9, j.size());
            for (TrialResult r : results) {
                TrialResult back = j.results().get(r.trialId());
                assertEquals(r.status(), back.status());
                assertEquals(r.reason(), back.reason());
                assertEquals(Double.doubleToLongBits(r.metric()), Double.doubleToLongBits(back.metric()),
                        "metrics round-trip bit for bit");
                assertEquals(r.parameterFraction(), back.parameterFraction(), 0.0);
            }
        }
    }

    @Test
    void aRestartSkipsJournaledTrialsAndDropsACutLine() throws Exception {
        Path file = dir.resolve("k.jsonl");
        Fixtures.FakeRunner first = new Fixtures.FakeRunner(Fixtures.EIGHT);
        try (SearchJournal j = SearchJournal.open(file)) {
            assertThrows(SearchStoppedException.class, () -> new TrialScheduler(first, j, 1, 4).run(trials(9)));
        }
        assertEquals(4, first.calls.get());
        Files.writeString(file, "{\"trial\":\"t7\",\"fingerp", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        Fixtures.FakeRunner second = new Fixtures.FakeRunner(Fixtures.EIGHT);
        List<TrialResult> resumed;
        try (SearchJournal j = SearchJournal.open(file)) {
            assertEquals(4, j.size());
            resumed = new TrialScheduler(second, j, 3).run(trials(9));
        }
        assertEquals(5, second.calls.get());
        for (String id : first.ran) {
            assertFalse(second.ran.contains(id), id + " ran again");
        }
        List<TrialResult> fresh = new TrialScheduler(new Fixtures.FakeRunner(Fixtures.EIGHT), SearchJournal.inMemory(), 2)
                .run(trials(9));
        for (int i = 0; i < 9; i++) {
            assertEquals(fresh.get(i).metric(), resumed.get(i).metric(), 0.0);
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(9, lines.size(), "the cut line is gone, every line is whole");
    }

    @Test
    void aJournalOfAnotherSearchIsRefusedAndCorruptLinesAreNamed() throws Exception {
        Path file = dir.resolve("x.jsonl");
        try (SearchJournal j = SearchJournal.open(file)) {
            new TrialScheduler(new Fixtures.FakeRunner(Fixtures.EIGHT), j, 1).run(trials(2));
        }
        Trial other = new Trial("t0", trials(2).get(1).plan(), PROXY, "another plan under the same id");
        try (SearchJournal j = SearchJournal.open(file)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> j.lookup(other.id(), other.fingerprint(TrialSetup.NONE)));
            assertTrue(e.getMessage().contains("other settings"), e.getMessage());
        }
        Files.writeString(file, "garbage\n", StandardOpenOption.APPEND);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SearchJournal.open(file));
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
    }
}
