package dev.peft4j.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;

/**
 * JSON helpers for readers of hand-editable files: short, non-recursive descriptions of values for error messages
 * (printing a deep value would overflow the stack), and checked reads of one field. gson's own {@code getAsString},
 * {@code getAsLong}... unwrap one-element arrays recursively (so {@code [[[5]]]} reads as 5 and 100,000 nested
 * brackets overflow the stack) and throw unclear exceptions; the reads here accept only a primitive of the right
 * kind and otherwise throw an {@link IllegalArgumentException} naming the field, which the caller prefixes with the
 * file and the line or record.
 */
public final class JsonText {
    private static final int MAX_MESSAGE = 200;

    private JsonText() {}

    public static String describe(JsonElement e) {
        if (e instanceof JsonObject o) {
            return "an object of " + o.size() + " fields";
        }
        if (e instanceof JsonArray a) {
            return "an array of " + a.size() + " entries";
        }
        String s = String.valueOf(e);
        return s.length() > 60 ? s.substring(0, 60) + "... (" + s.length() + " characters)" : s;
    }

    /** {@code message} cut to a readable length (a parser's message can hold a 100,000-character path). */
    public static String shorten(String message) {
        if (message == null) {
            return "";
        }
        return message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) + "..." : message;
    }

    /**
     * A parser's message in the reader's words: without the exception class names gson puts in front
     * ({@code com.google.gson.stream.MalformedJsonException: ...}) and without its troubleshooting link, cut to a
     * readable length.
     */
    public static String parseProblem(Throwable e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        m = m.length() > 2 * MAX_MESSAGE ? m.substring(0, 2 * MAX_MESSAGE) : m; // before the regex: paths can be huge
        m = m.replaceAll("(?:[a-z_][a-z0-9_]*\\.)+[A-Z]\\w*(?:Exception|Error): ", "");
        int see = m.indexOf("\nSee https://");
        if (see >= 0) {
            m = m.substring(0, see);
        }
        return shorten(m.strip());
    }

    /** {@code e} as an object; {@code what} names it in the error. */
    public static JsonObject object(JsonElement e, String what) {
        if (e == null || !e.isJsonObject()) {
            throw new IllegalArgumentException(what + ": expected an object, got " + describe(e));
        }
        return e.getAsJsonObject();
    }

    /** {@code e} as an array; {@code what} names it in the error. */
    public static JsonArray array(JsonElement e, String what) {
        if (e == null || !e.isJsonArray()) {
            throw new IllegalArgumentException(what + ": expected an array, got " + describe(e));
        }
        return e.getAsJsonArray();
    }

    /** The field {@code key} of {@code o}, which must be present and not null. */
    public static JsonElement required(JsonObject o, String at, String key) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            throw new IllegalArgumentException("field " + path(at, key) + " is missing");
        }
        return e;
    }

    /** The string field {@code key}. */
    public static String string(JsonObject o, String at, String key) {
        return asString(required(o, at, key), path(at, key));
    }

    /** The string field {@code key}, or null where it is absent or null. */
    public static String optionalString(JsonObject o, String at, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? null : asString(e, path(at, key));
    }

    /** The number field {@code key} (the literals NaN, Infinity and -Infinity, which gson writes for them, included). */
    public static double number(JsonObject o, String at, String key) {
        return asDouble(required(o, at, key), path(at, key));
    }

    /** The number field {@code key}, or {@code ifAbsent} where it is absent or null. */
    public static double optionalNumber(JsonObject o, String at, String key, double ifAbsent) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? ifAbsent : asDouble(e, path(at, key));
    }

    /** The whole-number field {@code key}, exactly, within the range of a long. */
    public static long wholeNumber(JsonObject o, String at, String key) {
        return asLong(required(o, at, key), path(at, key));
    }

    /** The whole-number field {@code key}, exactly, within the range of an int. */
    public static int intNumber(JsonObject o, String at, String key) {
        long v = wholeNumber(o, at, key);
        if (v != (int) v) {
            throw new IllegalArgumentException("field " + path(at, key) + ": " + v + " is outside the int range");
        }
        return (int) v;
    }

    /** {@code e} as a JSON string; {@code what} names it in the error. */
    public static String asString(JsonElement e, String what) {
        if (!(e instanceof JsonPrimitive p) || !p.isString()) {
            throw new IllegalArgumentException("field " + what + ": expected a string, got " + describe(e));
        }
        return p.getAsString();
    }

    /** {@code e} as a number (or one of the literals NaN, Infinity, -Infinity); {@code what} names it in the error. */
    public static double asDouble(JsonElement e, String what) {
        if (e instanceof JsonPrimitive p) {
            if (p.isNumber()) {
                return p.getAsDouble();
            }
            if (p.isString()) {
                switch (p.getAsString()) {
                    case "NaN": return Double.NaN;
                    case "Infinity": return Double.POSITIVE_INFINITY;
                    case "-Infinity": return Double.NEGATIVE_INFINITY;
                    default: break;
                }
            }
        }
        throw new IllegalArgumentException("field " + what + ": expected a number, got " + describe(e));
    }

    /** {@code e} as a whole number within the range of a long, exactly; {@code what} names it in the error. */
    public static long asLong(JsonElement e, String what) {
        if (e instanceof JsonPrimitive p && p.isNumber()) {
            try {
                return new BigDecimal(p.getAsString()).longValueExact();
            } catch (ArithmeticException | NumberFormatException ignored) {
                // falls through to the error below
            }
        }
        throw new IllegalArgumentException("field " + what + ": expected a whole number, got " + describe(e));
    }

    private static String path(String at, String key) {
        return at == null || at.isEmpty() ? key : at + "." + key;
    }
}
