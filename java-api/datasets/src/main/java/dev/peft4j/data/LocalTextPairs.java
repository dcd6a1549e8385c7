package dev.peft4j.data;

import dev.peft4j.text.TextPair;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * (anchor, positive) text pairs for embedding fine-tuning from a user's UTF-8 CSV file (RFC 4180, a header row naming
 * the columns) or JSONL file (one JSON object per line), read as {@link LocalTextDataset} reads its files: two named
 * columns or string fields, blank lines skipped, a byte-order mark allowed. An empty (or blank) text is an error, and
 * every error names the file, the line and the column or field.
 */
public final class LocalTextPairs {
    private LocalTextPairs() {}

    /** Reads {@code file} by its extension: {@code .csv}, or {@code .jsonl}/{@code .ndjson}. */
    public static List<TextPair> read(Path file, String anchorColumn, String positiveColumn) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return readCsv(file, anchorColumn, positiveColumn);
        }
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
            return readJsonl(file, anchorColumn, positiveColumn);
        }
        throw new DatasetException(file + ": unknown pairs file type (expected .csv, .jsonl or .ndjson)");
    }

    /** A CSV file whose header row holds {@code anchorColumn} and {@code positiveColumn}. */
    public static List<TextPair> readCsv(Path file, String anchorColumn, String positiveColumn) {
        List<TextPair> pairs = new ArrayList<>();
        try (Reader reader = LocalTextDataset.strictUtf8(file)) {
            CsvReader csv = new CsvReader(reader, file.toString());
            List<String> header = csv.next();
            if (header == null) {
                throw new DatasetException(file + ": empty file (expected a header row)");
            }
            int anchorIndex = LocalTextDataset.columnIndex(file, header, anchorColumn);
            int positiveIndex = LocalTextDataset.columnIndex(file, header, positiveColumn);
            if (anchorIndex == positiveIndex) {
                throw new DatasetException(file + ": the anchor and positive columns are both \"" + anchorColumn + "\"");
            }
            List<String> record;
            while ((record = csv.next()) != null) {
                if (record.size() == 1 && record.get(0).isEmpty()) {
                    continue;
                }
                String where = file + ": line " + csv.recordLine();
                if (record.size() != header.size()) {
                    throw new DatasetException(where + ": " + record.size() + " fields but the header has "
                            + header.size());
                }
                pairs.add(new TextPair(text(record.get(anchorIndex), where + ", column \"" + anchorColumn + "\""),
                        text(record.get(positiveIndex), where + ", column \"" + positiveColumn + "\"")));
            }
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read: " + e, e);
        }
        return nonEmpty(file, pairs);
    }

    /** A JSONL file whose objects hold string fields {@code anchorField} and {@code positiveField}. */
    public static List<TextPair> readJsonl(Path file, String anchorField, String positiveField) {
        List<TextPair> pairs = new ArrayList<>();
        JsonFiles.forEachObject(file, (object, where) -> pairs.add(new TextPair(
                text(JsonFiles.string(object, anchorField, where), where + ", field \"" + anchorField + "\""),
                text(JsonFiles.string(object, positiveField, where), where + ", field \"" + positiveField + "\""))));
        return nonEmpty(file, pairs);
    }

    private static String text(String value, String where) {
        if (value.isBlank()) {
            throw new DatasetException(where + ": empty text (a pair needs two texts)");
        }
        return value;
    }

    private static List<TextPair> nonEmpty(Path file, List<TextPair> pairs) {
        if (pairs.isEmpty()) {
            throw new DatasetException(file + ": no pairs (only a header or blank lines)");
        }
        return pairs;
    }
}
