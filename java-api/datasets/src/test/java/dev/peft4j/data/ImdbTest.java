package dev.peft4j.data;

import dev.peft4j.text.TextExample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fixture imdb/package/reviews.json has the package's format: a compact array of {"t","s"}, sorted by s. */
class ImdbTest {

    private static List<Imdb.Review> fixture() {
        return Imdb.readReviews(Fixtures.path("imdb/package/reviews.json"));
    }

    @Test
    void readsRecordsAsStored() {
        List<Imdb.Review> reviews = fixture();
        assertEquals(10, reviews.size());
        assertEquals(new Imdb.Review("Same text twice.", 0), reviews.get(2));
        assertEquals(2, Imdb.countExactDuplicates(reviews)); // "Same text twice." and "Argued about."
    }

    @Test
    void cleansMarkupAndRemovesDuplicatesKeepingTheFirstCopy() {
        Imdb.Prepared p = Imdb.prepare(fixture());
        List<TextExample> expected = List.of(
                new TextExample("Once again Mr. Costner has dragged out a movie.\n\nNo magic here & no fun.", 0),
                new TextExample("A truly dull film. Q&A; was the best part \u2026 sadly.", 0),
                new TextExample("Same text twice.", 0),
                new TextExample("Great acting\nand a \"great\" score. <3 it. < Cough >", 1),
                new TextExample("Same text\ntwice.", 1),
                new TextExample("Lovely.", 1));
        assertEquals(expected, p.dataset().examples());
        // "Same text twice." (exact copy) and "Lovely.<br /><br />" (same text once cleaned)
        assertEquals(2, p.duplicatesRemoved());
        // "Argued about." is labelled 0 once and 1 once: both copies are dropped
        assertEquals(2, p.conflictingTextsDropped());
        assertEquals(Imdb.LABELS, p.dataset().labelNames());
    }

    @Test
    void splitsAfterDedupNeverShareAText() {
        LabeledDataset d = Imdb.prepare(fixture()).dataset();
        Splits s = d.split(SplitSpec.fractions(0.5, 0, 0.5), 9);
        for (TextExample e : s.train().examples()) {
            assertTrue(s.test().examples().stream().noneMatch(t -> t.text().equals(e.text())));
        }
        assertEquals(6, s.train().size() + s.test().size());
    }

    @Test
    void malformedFilesNameTheFileRecordAndField(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("missing.json");
        Files.writeString(missing, "[{\"t\":\"ok\",\"s\":1},{\"t\":\"no label\"}]");
        DatasetException e1 = assertThrows(DatasetException.class, () -> Imdb.readReviews(missing));
        assertTrue(e1.getMessage().contains(missing.toString()) && e1.getMessage().contains("record 1")
                && e1.getMessage().contains("\"s\""), e1.getMessage());

        Path wrongType = dir.resolve("type.json");
        Files.writeString(wrongType, "[{\"t\":5,\"s\":1}]");
        DatasetException e2 = assertThrows(DatasetException.class, () -> Imdb.readReviews(wrongType));
        assertTrue(e2.getMessage().contains("record 0 field \"t\" must be a string"), e2.getMessage());

        Path badLabel = dir.resolve("label.json");
        Files.writeString(badLabel, "[{\"t\":\"x\",\"s\":2}]");
        assertThrows(DatasetException.class, () -> Imdb.readReviews(badLabel));

        Path truncated = dir.resolve("cut.json");
        Files.writeString(truncated, "[{\"t\":\"x\",\"s\":1},{\"t\":\"y");
        DatasetException e3 = assertThrows(DatasetException.class, () -> Imdb.readReviews(truncated));
        assertTrue(e3.getMessage().contains(truncated.toString()) && e3.getMessage().contains("near record 1"),
                e3.getMessage());
    }
}
