package dev.peft4j.peft;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.peft4j.io.JsonText;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Typed reads of one plan document's fields for {@link PlanCodec}: each accepts only a JSON value of the right kind
 * (never gson's lenient unwrapping of one-element arrays, which recurses on deep nesting) and otherwise throws a
 * {@link PlanFormatException} naming the source and the field path ({@code layers[2].lora.rank}).
 */
record PlanFields(String source) {
    PlanFormatException error(String field, String what) {
        return new PlanFormatException(source + ": field " + field + ": " + JsonText.shorten(what));
    }

    /** Runs a record constructor, turning its validation error into one that names the field. */
    <T> T build(String field, Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (PlanFormatException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw error(field, e.getMessage());
        }
    }

    static String path(String at, String key) {
        return at.isEmpty() ? key : at + "." + key;
    }

    JsonObject object(JsonElement e, String field) {
        if (e == null || !e.isJsonObject()) {
            throw error(field, "expected an object, got " + JsonText.describe(e));
        }
        return e.getAsJsonObject();
    }

    /** The object field {@code key}, or null where it is absent or null (an absent component). */
    JsonObject optionalObject(JsonObject o, String at, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? null : object(e, path(at, key));
    }

    private JsonPrimitive primitive(JsonObject o, String at, String key, String expected) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            throw error(path(at, key), "missing (expected " + expected + ")");
        }
        if (!e.isJsonPrimitive()) {
            throw error(path(at, key), "expected " + expected + ", got " + JsonText.describe(e));
        }
        return e.getAsJsonPrimitive();
    }

    String string(JsonObject o, String at, String key) {
        JsonPrimitive p = primitive(o, at, key, "a string");
        if (!p.isString()) {
            throw error(path(at, key), "expected a string, got " + JsonText.describe(p));
        }
        return p.getAsString();
    }

    int integer(JsonObject o, String at, String key) {
        JsonPrimitive p = primitive(o, at, key, "an integer");
        double d = p.isNumber() ? p.getAsDouble() : Double.NaN;
        if (!(d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE)) {
            throw error(path(at, key), "expected an integer, got " + JsonText.describe(p));
        }
        return (int) d;
    }

    float number(JsonObject o, String at, String key) {
        JsonPrimitive p = primitive(o, at, key, "a number");
        if (!p.isNumber()) {
            throw error(path(at, key), "expected a number, got " + JsonText.describe(p));
        }
        return p.getAsFloat(); // Float.parseFloat of the text: the shortest form written round-trips exactly
    }

    /** A flag: absent or null is false. */
    boolean flag(JsonObject o, String at, String key) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return false;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw error(path(at, key), "expected true or false, got " + JsonText.describe(e));
        }
        return e.getAsBoolean();
    }

    <E extends Enum<E>> E enumValue(Class<E> type, JsonElement e, String field) {
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw error(field, "expected one of " + List.of(type.getEnumConstants()) + ", got " + JsonText.describe(e));
        }
        try {
            return Enum.valueOf(type, e.getAsString().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException x) {
            throw error(field, "unknown value \"" + JsonText.shorten(e.getAsString()) + "\"; expected one of "
                    + List.of(type.getEnumConstants()));
        }
    }
}
