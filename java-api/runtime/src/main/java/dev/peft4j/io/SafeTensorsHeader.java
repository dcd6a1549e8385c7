package dev.peft4j.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and validated JSON header of a safetensors file.
 *
 * <p>Layout: {@code u64 LE headerLength | headerLength bytes of JSON | data}. Every entry's
 * {@code data_offsets [begin, end)} is relative to the start of the data section; validation checks the
 * dtype is known, {@code end - begin = numel(shape) · dtype.size}, {@code end ≤ dataLength} and that no two
 * tensors overlap.
 */
final class SafeTensorsHeader {

    /** One tensor's entry; {@code begin}/{@code end} are relative to the data section. */
    record Entry(String name, SafeTensorsDType dtype, int[] shape, long begin, long end) {}

    static final String METADATA_KEY = "__metadata__";
    /** Headers beyond this are refused as corrupt (the reference implementation uses the same bound). */
    static final long MAX_HEADER_BYTES = 100L << 20;

    final List<Entry> entries;
    final Map<String, String> metadata;

    private SafeTensorsHeader(List<Entry> entries, Map<String, String> metadata) {
        this.entries = entries;
        this.metadata = metadata;
    }

    /**
     * Parses {@code json} (the header bytes of {@code file}) for a data section of {@code dataLength} bytes
     * that starts at absolute byte {@code dataStart}.
     */
    static SafeTensorsHeader parse(String file, String json, long dataStart, long dataLength)
            throws SafeTensorsFormatException {
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (JsonParseException e) {
            throw new SafeTensorsFormatException(file + ": header (bytes 8.." + dataStart + ") is not valid JSON: "
                    + JsonText.parseProblem(e), e);
        }
        if (!root.isJsonObject()) {
            throw new SafeTensorsFormatException(file + ": header (bytes 8.." + dataStart + ") is not a JSON object");
        }
        checkNoDuplicateKeys(file, json, dataStart);
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonElement> e : root.getAsJsonObject().entrySet()) {
            if (e.getKey().equals(METADATA_KEY)) {
                metadata = parseMetadata(file, e.getValue());
            } else {
                entries.add(parseEntry(file, e.getKey(), e.getValue(), dataStart, dataLength));
            }
        }
        checkNoOverlap(file, entries, dataStart);
        return new SafeTensorsHeader(List.copyOf(entries), metadata);
    }

    /**
     * Refuses a header in which one object holds a key twice (JSON parsers keep one of the copies silently, so a
     * second entry of a tensor would replace the first unseen). Walks the tokens without recursion; {@code json}
     * has already parsed, so the walk cannot fail on syntax.
     */
    private static void checkNoDuplicateKeys(String file, String json, long dataStart) throws SafeTensorsFormatException {
        try (JsonReader r = new JsonReader(new StringReader(json))) {
            r.setStrictness(Strictness.LENIENT); // as the parser above reads it
            Deque<Set<String>> keys = new ArrayDeque<>();
            String tensor = null;
            while (true) {
                JsonToken token = r.peek();
                switch (token) {
                    case BEGIN_OBJECT -> {
                        r.beginObject();
                        keys.push(new HashSet<>());
                    }
                    case END_OBJECT -> {
                        r.endObject();
                        keys.pop();
                    }
                    case BEGIN_ARRAY -> {
                        r.beginArray();
                        keys.push(Set.of()); // arrays hold no keys
                    }
                    case END_ARRAY -> {
                        r.endArray();
                        keys.pop();
                    }
                    case NAME -> {
                        String name = r.nextName();
                        if (keys.size() == 1) {
                            tensor = name;
                        }
                        if (!keys.peek().add(name)) {
                            throw new SafeTensorsFormatException(file + ": header (bytes 8.." + dataStart + ") holds "
                                    + (keys.size() == 1 ? "the key '" + name + "'"
                                    : "the field '" + name + "' of '" + tensor + "'") + " twice");
                        }
                    }
                    case END_DOCUMENT -> {
                        return;
                    }
                    default -> r.skipValue();
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof SafeTensorsFormatException s) {
                throw s;
            }
            throw new SafeTensorsFormatException(file + ": header (bytes 8.." + dataStart + ") is not valid JSON", e);
        }
    }

    private static Map<String, String> parseMetadata(String file, JsonElement value)
            throws SafeTensorsFormatException {
        if (!value.isJsonObject()) {
            throw new SafeTensorsFormatException(file + ": field " + METADATA_KEY + " must be an object of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> m : value.getAsJsonObject().entrySet()) {
            if (!(m.getValue() instanceof JsonPrimitive p) || !p.isString()) {
                throw new SafeTensorsFormatException(
                        file + ": field " + METADATA_KEY + "." + m.getKey() + " must be a string, got " + describe(m.getValue()));
            }
            out.put(m.getKey(), p.getAsString());
        }
        return out;
    }

    private static Entry parseEntry(String file, String name, JsonElement value, long dataStart, long dataLength)
            throws SafeTensorsFormatException {
        String where = file + ": tensor '" + name + "'";
        if (!value.isJsonObject()) {
            throw new SafeTensorsFormatException(where + ": entry must be an object, got " + describe(value));
        }
        JsonObject o = value.getAsJsonObject();
        JsonElement dt = o.get("dtype");
        if (!(dt instanceof JsonPrimitive p) || !p.isString()) {
            throw new SafeTensorsFormatException(where + ": field dtype missing or not a string: " + describe(dt));
        }
        SafeTensorsDType dtype = SafeTensorsDType.parse(dt.getAsString());
        if (dtype == null) {
            throw new SafeTensorsFormatException(where + ": field dtype: unknown dtype " + describe(dt)
                    + ", expected one of " + Arrays.toString(SafeTensorsDType.values()));
        }
        long[] shapeL = longArray(where, "shape", o.get("shape"), -1);
        int[] shape = new int[shapeL.length];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shapeL[i] > Integer.MAX_VALUE) {
                throw new SafeTensorsFormatException(where + ": field shape: dimension " + i + " = " + shapeL[i]
                        + " is too large");
            }
            shape[i] = (int) shapeL[i];
            try {
                numel = Math.multiplyExact(numel, shapeL[i]);
            } catch (ArithmeticException ex) {
                throw new SafeTensorsFormatException(where + ": field shape " + Arrays.toString(shapeL) + " overflows");
            }
        }
        long[] off = longArray(where, "data_offsets", o.get("data_offsets"), 2);
        long begin = off[0];
        long end = off[1];
        if (begin > end) {
            throw new SafeTensorsFormatException(where + ": field data_offsets: begin " + begin + " > end " + end
                    + " (absolute offset " + (dataStart + begin) + ")");
        }
        if (end > dataLength) {
            throw new SafeTensorsFormatException(where + ": field data_offsets: end " + end
                    + " is beyond the data section of " + dataLength + " bytes (absolute offset "
                    + (dataStart + end) + ")");
        }
        long expected;
        try {
            expected = Math.multiplyExact(numel, dtype.size);
        } catch (ArithmeticException ex) {
            throw new SafeTensorsFormatException(where + ": field shape " + Arrays.toString(shape) + " overflows");
        }
        if (end - begin != expected) {
            throw new SafeTensorsFormatException(where + ": field data_offsets: [" + begin + ", " + end + ") holds "
                    + (end - begin) + " bytes but shape " + Arrays.toString(shape) + " of " + dtype + " needs "
                    + expected + " (absolute offset " + (dataStart + begin) + ")");
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static long[] longArray(String where, String field, JsonElement e, int requiredLength)
            throws SafeTensorsFormatException {
        if (!(e instanceof JsonArray a)) {
            throw new SafeTensorsFormatException(where + ": field " + field + " missing or not an array: " + describe(e));
        }
        if (requiredLength >= 0 && a.size() != requiredLength) {
            throw new SafeTensorsFormatException(where + ": field " + field + " must have " + requiredLength
                    + " entries, got " + describe(a));
        }
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement x = a.get(i);
            if (!(x instanceof JsonPrimitive p) || !p.isNumber()) {
                throw new SafeTensorsFormatException(where + ": field " + field + "[" + i + "] is not a number: " + describe(x));
            }
            BigDecimal d;
            try {
                d = p.getAsBigDecimal();
            } catch (NumberFormatException ex) { // e.g. an exponent beyond BigDecimal's range
                throw new SafeTensorsFormatException(where + ": field " + field + "[" + i + "] is not a usable number: "
                        + describe(x));
            }
            if (d.signum() < 0 || d.stripTrailingZeros().scale() > 0 || d.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
                throw new SafeTensorsFormatException(where + ": field " + field + "[" + i
                        + "] must be a non-negative integer, got " + d);
            }
            out[i] = d.longValueExact();
        }
        return out;
    }

    /**
     * A short description of a JSON value for error messages: primitives as written (cut at 60 characters),
     * small arrays of primitives in full, other containers by size only; it never recurses, so a deeply nested
     * header cannot overflow the stack while its error is being reported.
     */
    static String describe(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return "null";
        }
        if (e instanceof JsonObject o) {
            return "an object of " + o.size() + " fields";
        }
        if (e instanceof JsonArray a) {
            if (a.size() > 8 || !a.asList().stream().allMatch(JsonElement::isJsonPrimitive)) {
                return "an array of " + a.size() + " entries";
            }
        }
        String s = e.toString();
        return s.length() > 60 ? s.substring(0, 60) + "... (" + s.length() + " characters)" : s;
    }

    private static void checkNoOverlap(String file, List<Entry> entries, long dataStart)
            throws SafeTensorsFormatException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        Entry prev = null;
        for (Entry e : sorted) {
            if (e.begin() == e.end()) {
                continue; // empty tensors occupy no bytes
            }
            if (prev != null && e.begin() < prev.end()) {
                throw new SafeTensorsFormatException(file + ": tensor '" + e.name() + "': field data_offsets: ["
                        + e.begin() + ", " + e.end() + ") overlaps tensor '" + prev.name() + "' [" + prev.begin()
                        + ", " + prev.end() + ") at absolute offset " + (dataStart + e.begin()));
            }
            prev = e;
        }
    }
}
