package dev.peft4j.adapter;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import dev.peft4j.io.JsonText;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** A JSON object read from a file, with typed field access whose errors name the file and the field. */
final class JsonConfig {
    final Path file;
    final JsonObject root;

    JsonConfig(Path file, JsonObject root) {
        this.file = file;
        this.root = root;
    }

    static JsonConfig read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "file is missing");
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new AdapterFormatException(file + ": not valid UTF-8 text", e);
        }
        try {
            JsonElement e = JsonParser.parseString(text);
            if (!e.isJsonObject()) {
                throw new AdapterFormatException(file + ": the top level is not a JSON object");
            }
            return new JsonConfig(file, e.getAsJsonObject());
        } catch (JsonParseException e) {
            throw new AdapterFormatException(file + ": not valid JSON: " + JsonText.parseProblem(e), e);
        }
    }

    boolean has(String field) {
        return root.has(field) && !root.get(field).isJsonNull();
    }

    JsonElement get(String field) throws AdapterFormatException {
        if (!has(field)) {
            throw new AdapterFormatException(file + ": field '" + field + "' is missing");
        }
        return root.get(field);
    }

    String string(String field) throws AdapterFormatException {
        JsonElement e = get(field);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new AdapterFormatException(file + ": field '" + field + "' must be a string, got " + describe(e));
        }
        return e.getAsString();
    }

    String string(String field, String fallback) throws AdapterFormatException {
        return has(field) ? string(field) : fallback;
    }

    int integer(String field) throws AdapterFormatException {
        JsonElement e = get(field);
        try {
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
                double d = e.getAsDouble();
                if (d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE) {
                    return (int) d;
                }
            }
        } catch (NumberFormatException ignored) {
            // falls through to the error below
        }
        throw new AdapterFormatException(file + ": field '" + field + "' must be an integer, got " + describe(e));
    }

    int integer(String field, int fallback) throws AdapterFormatException {
        return has(field) ? integer(field) : fallback;
    }

    double number(String field) throws AdapterFormatException {
        JsonElement e = get(field);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new AdapterFormatException(file + ": field '" + field + "' must be a number, got " + describe(e));
        }
        return e.getAsDouble();
    }

    double number(String field, double fallback) throws AdapterFormatException {
        return has(field) ? number(field) : fallback;
    }

    boolean bool(String field, boolean fallback) throws AdapterFormatException {
        if (!has(field)) {
            return fallback;
        }
        JsonElement e = root.get(field);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw new AdapterFormatException(file + ": field '" + field + "' must be true or false, got " + describe(e));
        }
        return e.getAsBoolean();
    }

    JsonObject object(String field) throws AdapterFormatException {
        JsonElement e = get(field);
        if (!e.isJsonObject()) {
            throw new AdapterFormatException(file + ": field '" + field + "' must be an object, got " + describe(e));
        }
        return e.getAsJsonObject();
    }

    JsonArray array(String field) throws AdapterFormatException {
        JsonElement e = get(field);
        if (!e.isJsonArray()) {
            throw new AdapterFormatException(file + ": field '" + field + "' must be an array, got " + describe(e));
        }
        return e.getAsJsonArray();
    }

    /**
     * A short description of a JSON value for error messages: primitives as written (cut at 60 characters),
     * containers by size only, so a deeply nested value cannot overflow the stack while being reported.
     */
    static String describe(JsonElement e) {
        return JsonText.describe(e);
    }
}
