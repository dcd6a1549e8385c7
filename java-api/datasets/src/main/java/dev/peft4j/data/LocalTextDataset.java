package dev.peft4j.data;

import dev.peft4j.text.TextExample;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A user's own data in UTF-8 CSV (RFC 4180, a header row naming the columns) or JSONL (one JSON object
 * per line), with a named text column and an optional named label column. Labels are read as strings
 * (JSON numbers and booleans by their JSON spelling) and numbered as {@link LabelOrder} says; an empty
 * label is an error. With no label column every example is unlabelled (label -1). Blank lines are skipped.
 * Every error names the file, the line and the column or field.
 */
public final class LocalTextDataset {
    private LocalTextDataset() {}

    /**
     * Reads {@code file} by its extension: {@code .csv}, or {@code .jsonl}/{@code .ndjson}.
     *
     * @param labelColumn null for an unlabelled corpus
     */
    public static LabeledDataset read(Path file, String textColumn, String labelColumn, LabelOrder order) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return readCsv(file, textColumn, labelColumn, order);
        }
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
            return readJsonl(file, textColumn, labelColumn, order);
        }
        throw new DatasetException(file + ": unknown data file type (expected .csv, .jsonl or .ndjson)");
    }

    /** A CSV file whose header row holds {@code textColumn} and (if not null) {@code labelColumn}. */
    public static LabeledDataset readCsv(Path file, String textColumn, String labelColumn, LabelOrder order) {
        List<String> texts = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        try (Reader reader = strictUtf8(file)) {
            CsvReader csv = new CsvReader(reader, file.toString());
            List<String> header = csv.next();
            if (header == null) {
                throw new DatasetException(file + ": empty file (expected a header row)");
            }
            int textIndex = columnIndex(file, header, textColumn);
            int labelIndex = labelColumn == null ? -1 : columnIndex(file, header, labelColumn);
            List<String> record;
            while ((record = csv.next()) != null) {
                if (record.size() == 1 && record.get(0).isEmpty()) {
                    continue;
                }
                if (record.size() != header.size()) {
                    throw new DatasetException(file + ": line " + csv.recordLine() + ": " + record.size()
                            + " fields but the header has " + header.size());
                }
                texts.add(record.get(textIndex));
                if (labelIndex >= 0) {
                    String label = record.get(labelIndex);
                    if (label.isBlank()) {
                        throw new DatasetException(file + ": line " + csv.recordLine() + ", column \""
                                + labelColumn + "\": empty label");
                    }
                    labels.add(label.strip());
                }
            }
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read: " + e, e);
        }
        return build(file, texts, labelColumn == null ? null : labels, order);
    }

    /** A JSONL file whose objects hold a string field {@code textField} and (if not null) {@code labelField}. */
    public static LabeledDataset readJsonl(Path file, String textField, String labelField, LabelOrder order) {
        List<String> texts = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        JsonFiles.forEachObject(file, (object, where) -> {
            texts.add(JsonFiles.string(object, textField, where));
            if (labelField != null) {
                labels.add(labelValue(object, labelField, where));
            }
        });
        return build(file, texts, labelField == null ? null : labels, order);
    }

    private static String labelValue(JsonObject object, String field, String where) {
        JsonElement e = object.get(field);
        if (e == null || e.isJsonNull()) {
            throw new DatasetException(where + ": missing label field \"" + field + "\"");
        }
        if (!e.isJsonPrimitive()) {
            throw new DatasetException(where + ": label field \"" + field + "\" must be a string, number or boolean, found "
                    + abbreviate(e.toString()));
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        String value = p.isString() ? p.getAsString().strip() : p.toString();
        if (value.isEmpty()) {
            throw new DatasetException(where + ": label field \"" + field + "\" is empty");
        }
        return value;
    }

    static int columnIndex(Path file, List<String> header, String column) {
        int index = -1;
        for (int i = 0; i < header.size(); i++) {
            if (header.get(i).strip().equals(column)) {
                if (index >= 0) {
                    throw new DatasetException(file + ": line 1: column \"" + column + "\" appears twice in the header");
                }
                index = i;
            }
        }
        if (index < 0) {
            throw new DatasetException(file + ": line 1: no column \"" + column + "\" in the header " + header);
        }
        return index;
    }

    private static LabeledDataset build(Path file, List<String> texts, List<String> labels, LabelOrder order) {
        String name = file.getFileName().toString();
        List<TextExample> examples = new ArrayList<>(texts.size());
        if (labels == null) {
            for (String t : texts) {
                examples.add(TextExample.unlabelled(t));
            }
            return new LabeledDataset(name, List.of(), examples);
        }
        List<String> names = order.order(new LinkedHashSet<>(labels));
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            ids.put(names.get(i), i);
        }
        for (int i = 0; i < texts.size(); i++) {
            examples.add(new TextExample(texts.get(i), ids.get(labels.get(i))));
        }
        return new LabeledDataset(name, names, examples);
    }

    static BufferedReader strictUtf8(Path file) throws IOException {
        return new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)));
    }

    static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
