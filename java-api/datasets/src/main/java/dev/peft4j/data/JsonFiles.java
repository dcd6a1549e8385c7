package dev.peft4j.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

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
}
