package dev.peft4j.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiConsumer;

/** Small JSON helpers whose errors name the file and the field. */
final class JsonFiles {
    private JsonFiles() {}

    static JsonElement read(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return JsonParser.parseReader(reader);
        } catch (IOException | JsonParseException e) {
            throw new DatasetException(file + ": cannot read JSON: " + e.getMessage(), e);
        }
    }

    static JsonObject readObject(Path file) {
        JsonElement e = read(file);
        if (!e.isJsonObject()) {
            throw new DatasetException(file + ": expected a JSON object");
        }
        return e.getAsJsonObject();
    }

    /** The string value of {@code field}, or an error naming {@code where} and the field. */
    static String string(JsonObject object, String field, String where) {
        JsonElement e = object.get(field);
        if (e == null || e.isJsonNull()) {
            throw new DatasetException(where + ": missing field \"" + field + "\"");
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new DatasetException(where + ": field \"" + field + "\" must be a string, found " + e);
        }
        return e.getAsString();
    }

    /**
     * Calls {@code action} with each non-blank line of a JSONL file as a JSON object and where it stands ("FILE: line
     * N"), reading strict UTF-8 and dropping a leading byte order mark; a line that is not a JSON object is refused.
     */
    static void forEachObject(Path file, BiConsumer<JsonObject, String> action) {
        try (BufferedReader reader = LocalTextDataset.strictUtf8(file)) {
            String line;
            int lineNumber = 0;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                if (lineNumber == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1);
                }
                if (line.isBlank()) {
                    continue;
                }
                String where = file + ": line " + lineNumber;
                JsonElement element;
                try {
                    element = JsonParser.parseString(line);
                } catch (JsonParseException e) {
                    throw new DatasetException(where + ": malformed JSON: " + dev.peft4j.io.JsonText.parseProblem(e), e);
                }
                if (!element.isJsonObject()) {
                    throw new DatasetException(where + ": expected a JSON object, found "
                            + LocalTextDataset.abbreviate(line));
                }
                action.accept(element.getAsJsonObject(), where);
            }
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read: " + e, e);
        }
    }
}
