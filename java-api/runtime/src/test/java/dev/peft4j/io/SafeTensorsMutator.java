package dev.peft4j.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Test helper: turns a valid safetensors file ({@code u64 LE n | n bytes JSON | data}) into a malformed one.
 * Byte-level kinds ignore the layout; JSON-level kinds parse the header, change one thing and re-pack the file
 * with a correct length so that the reader's header validation (not the length check) is what gets exercised.
 * Every mutation returns the new bytes and a description for the failure report.
 */
final class SafeTensorsMutator {
    private SafeTensorsMutator() {}

    enum Kind {
        BIT_FLIP, INTERESTING_BYTE, TRUNCATE, INSERT, DELETE, HEADER_LENGTH, JSON_OFFSETS, JSON_SHAPE, JSON_DTYPE,
        JSON_ENTRY, JSON_TEXT, DUPLICATE_NAME, NON_OBJECT, DEEP_NESTING
    }

    record Mutant(byte[] bytes, String description) {}

    private static final byte[] INTERESTING_BYTES = {0x00, (byte) 0xFF, 0x7F, (byte) 0x80, '{', '"', '[', '0'};

    /** JSON literals for numbers that stress range, sign, fraction and exponent handling. */
    private static final String[] INTERESTING_NUMBERS = {
        "0", "1", "-1", "2", "4", "7", "8", "9", "24", "2147483647", "2147483648", "4294967296", "-2147483648",
        "4611686018427387904", "9223372036854775807", "9223372036854775808", "18446744073709551616",
        "-9223372036854775808", "100000000000", "25000000000", "1.5", "0.0", "-0", "1e3", "1E+400", "1e-400",
        "1e99999999999", "1e10000", "4.0", "1" + "0".repeat(12000),
    };

    private static final String[] INTERESTING_VALUES = {"null", "true", "\"8\"", "[]", "{}", "[[1]]", "\"\""};

    private static final String[] DTYPES = {
        "\"F33\"", "\"\"", "\"f32\"", "\"F32 \"", "\"I32\"", "\"U8\"", "\"BOOL\"", "\"F8_E4M3\"", "\"I64\"",
        "\"F64\"", "\"F16\"", "\"BF16\"", "\"F32\"", "5", "null", "[]", "{}", "\"\\u0000\"",
    };

    static Mutant mutate(Kind kind, byte[] valid, Random r) {
        return switch (kind) {
            case BIT_FLIP -> bitFlip(valid, r);
            case INTERESTING_BYTE -> interestingByte(valid, r);
            case TRUNCATE -> {
                int n = r.nextInt(valid.length);
                yield new Mutant(Arrays.copyOf(valid, n), "truncate to " + n + " bytes");
            }
            case INSERT -> insert(valid, r);
            case DELETE -> delete(valid, r);
            case HEADER_LENGTH -> headerLength(valid, r);
            case JSON_OFFSETS -> json(valid, r, SafeTensorsMutator::offsets);
            case JSON_SHAPE -> json(valid, r, SafeTensorsMutator::shape);
            case JSON_DTYPE -> json(valid, r, (o, rr) -> {
                String name = anyTensor(o, rr);
                String dt = pick(DTYPES, rr);
                o.getAsJsonObject(name).add("dtype", JsonParser.parseString(dt));
                return "'" + name + "'.dtype = " + dt;
            });
            case JSON_ENTRY -> json(valid, r, SafeTensorsMutator::entry);
            case JSON_TEXT -> jsonText(valid, r);
            case DUPLICATE_NAME -> duplicate(valid, r);
            case NON_OBJECT -> nonObject(valid, r);
            case DEEP_NESTING -> deepNesting(valid, r);
        };
    }

    // ------------------------------------------------------------------ byte level

    private static Mutant bitFlip(byte[] valid, Random r) {
        byte[] b = valid.clone();
        int flips = 1 + r.nextInt(8);
        StringBuilder d = new StringBuilder("flip bits at");
        for (int i = 0; i < flips; i++) {
            int at = biasedPosition(b.length, r);
            int bit = r.nextInt(8);
            b[at] ^= (byte) (1 << bit);
            d.append(' ').append(at).append('.').append(bit);
        }
        return new Mutant(b, d.toString());
    }

    private static Mutant interestingByte(byte[] valid, Random r) {
        byte[] b = valid.clone();
        int n = 1 + r.nextInt(4);
        StringBuilder d = new StringBuilder("set bytes");
        for (int i = 0; i < n; i++) {
            int at = biasedPosition(b.length, r);
            b[at] = INTERESTING_BYTES[r.nextInt(INTERESTING_BYTES.length)];
            d.append(' ').append(at).append("=0x").append(Integer.toHexString(b[at] & 0xFF));
        }
        return new Mutant(b, d.toString());
    }

    private static Mutant insert(byte[] valid, Random r) {
        int at = r.nextInt(valid.length + 1);
        byte[] ins = new byte[1 + r.nextInt(16)];
        for (int i = 0; i < ins.length; i++) {
            ins[i] = r.nextBoolean() ? (byte) r.nextInt(256) : INTERESTING_BYTES[r.nextInt(INTERESTING_BYTES.length)];
        }
        byte[] b = new byte[valid.length + ins.length];
        System.arraycopy(valid, 0, b, 0, at);
        System.arraycopy(ins, 0, b, at, ins.length);
        System.arraycopy(valid, at, b, at + ins.length, valid.length - at);
        return new Mutant(b, "insert " + ins.length + " bytes at " + at);
    }

    private static Mutant delete(byte[] valid, Random r) {
        int at = r.nextInt(valid.length);
        int n = Math.min(1 + r.nextInt(16), valid.length - at);
        byte[] b = new byte[valid.length - n];
        System.arraycopy(valid, 0, b, 0, at);
        System.arraycopy(valid, at + n, b, at, valid.length - at - n);
        return new Mutant(b, "delete " + n + " bytes at " + at);
    }

    private static Mutant headerLength(byte[] valid, Random r) {
        long n = headerLengthOf(valid);
        long size = valid.length;
        long[] choices = {
            Long.MIN_VALUE, -1, -8, 0, 1, 2, 7, n - 1, n + 1, n - 8, n + 8, n + r.nextInt(64) - 32, size - 8,
            size - 7, size - 9, size, Long.MAX_VALUE, (1L << 32) + n, (1L << 63) + n, (100L << 20) + 1,
            100_000_000_000L, r.nextLong(),
        };
        long v = choices[r.nextInt(choices.length)];
        byte[] b = valid.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v);
        return new Mutant(b, "header length " + n + " -> " + Long.toUnsignedString(v) + " (signed " + v + ")");
    }

    /** Positions favour the 8-byte length and the JSON header, where the parser's decisions are made. */
    private static int biasedPosition(int length, Random r) {
        return r.nextInt(4) == 0 ? r.nextInt(length) : r.nextInt(Math.min(length, 160));
    }

    // ------------------------------------------------------------------ JSON level

    interface JsonEdit {
        String apply(JsonObject header, Random r);
    }

    private static Mutant json(byte[] valid, Random r, JsonEdit edit) {
        JsonObject header = JsonParser.parseString(headerText(valid)).getAsJsonObject();
        String what = edit.apply(header, r);
        return new Mutant(repack(header.toString(), valid, r.nextBoolean()), what);
    }

    private static String offsets(JsonObject h, Random r) {
        List<String> names = tensorNames(h);
        String a = pick(names, r);
        JsonArray offA = h.getAsJsonObject(a).getAsJsonArray("data_offsets");
        switch (r.nextInt(5)) {
            case 0 -> {
                String b = pick(names, r);
                JsonArray offB = h.getAsJsonObject(b).getAsJsonArray("data_offsets");
                h.getAsJsonObject(a).add("data_offsets", offB.deepCopy());
                h.getAsJsonObject(b).add("data_offsets", offA.deepCopy());
                return "swap data_offsets of '" + a + "' and '" + b + "'";
            }
            case 1 -> {
                long shift = r.nextInt(9) - 4;
                long begin = offA.get(0).getAsLong() + shift;
                long end = offA.get(1).getAsLong() + shift;
                offA.set(0, JsonParser.parseString(Long.toString(begin)));
                offA.set(1, JsonParser.parseString(Long.toString(end)));
                return "shift '" + a + "'.data_offsets by " + shift;
            }
            case 2 -> {
                int which = r.nextInt(2);
                String v = pick(INTERESTING_NUMBERS, r);
                offA.set(which, JsonParser.parseString(v));
                return "'" + a + "'.data_offsets[" + which + "] = " + abbreviate(v);
            }
            case 3 -> {
                String v = r.nextBoolean() ? pick(INTERESTING_VALUES, r) : "[" + pick(INTERESTING_NUMBERS, r) + "]";
                h.getAsJsonObject(a).add("data_offsets", JsonParser.parseString(v));
                return "'" + a + "'.data_offsets = " + abbreviate(v);
            }
            default -> {
                offA.add(JsonParser.parseString(pick(INTERESTING_NUMBERS, r)));
                return "'" + a + "'.data_offsets gets a third entry";
            }
        }
    }

    private static String shape(JsonObject h, Random r) {
        String a = anyTensor(h, r);
        JsonObject e = h.getAsJsonObject(a);
        String v = switch (r.nextInt(6)) {
            case 0 -> "[" + pick(INTERESTING_NUMBERS, r) + "]";
            case 1 -> "[" + pick(INTERESTING_NUMBERS, r) + "," + pick(INTERESTING_NUMBERS, r) + "]";
            case 2 -> "[65536,65536,65536,65536]";
            case 3 -> "[2147483647,2147483647,2147483647,0]";
            case 4 -> pick(INTERESTING_VALUES, r);
            default -> "[0," + pick(INTERESTING_NUMBERS, r) + "]";
        };
        e.add("shape", JsonParser.parseString(v));
        return "'" + a + "'.shape = " + abbreviate(v);
    }

    private static String entry(JsonObject h, Random r) {
        String a = anyTensor(h, r);
        switch (r.nextInt(6)) {
            case 0 -> {
                String field = pick(new String[] {"dtype", "shape", "data_offsets"}, r);
                h.getAsJsonObject(a).remove(field);
                return "remove '" + a + "'." + field;
            }
            case 1 -> {
                String v = pick(INTERESTING_VALUES, r);
                h.add(a, JsonParser.parseString(v));
                return "'" + a + "' = " + v;
            }
            case 2 -> {
                h.add("huge", JsonParser.parseString(
                        "{\"dtype\":\"F32\",\"shape\":[25000000000],\"data_offsets\":[0,100000000000]}"));
                return "add a 100 GB tensor";
            }
            case 3 -> {
                String v = pick(INTERESTING_VALUES, r);
                h.add(SafeTensorsHeader.METADATA_KEY, JsonParser.parseString(r.nextBoolean() ? v : "{\"k\":" + v + "}"));
                return "__metadata__ mutated with " + v;
            }
            case 4 -> {
                JsonElement e = h.remove(a);
                h.add(SafeTensorsHeader.METADATA_KEY, e);
                return "tensor '" + a + "' renamed to __metadata__";
            }
            default -> {
                h.remove(a);
                return "remove tensor '" + a + "'";
            }
        }
    }

    private static Mutant jsonText(byte[] valid, Random r) {
        StringBuilder t = new StringBuilder(headerText(valid));
        String alphabet = "{}[]\",:0123456789-+eE. \\u";
        int edits = 1 + r.nextInt(3);
        StringBuilder d = new StringBuilder("JSON text edits:");
        for (int i = 0; i < edits && t.length() > 0; i++) {
            int at = r.nextInt(t.length());
            char c = alphabet.charAt(r.nextInt(alphabet.length()));
            switch (r.nextInt(3)) {
                case 0 -> {
                    t.deleteCharAt(at);
                    d.append(" delete@").append(at);
                }
                case 1 -> {
                    t.insert(at, c);
                    d.append(" insert '").append(c).append("'@").append(at);
                }
                default -> {
                    t.setCharAt(at, c);
                    d.append(" set '").append(c).append("'@").append(at);
                }
            }
        }
        return new Mutant(repack(t.toString(), valid, r.nextBoolean()), d.toString());
    }

    /** A second entry with an existing name, written before the original (the JSON object keeps one). */
    private static Mutant duplicate(byte[] valid, Random r) {
        String text = headerText(valid);
        JsonObject h = JsonParser.parseString(text).getAsJsonObject();
        String a = anyTensor(h, r);
        String copy = r.nextBoolean()
                ? h.get(a).toString()
                : "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
        String dup = "{\"" + a + "\":" + copy + "," + text.substring(text.indexOf('{') + 1);
        if (r.nextBoolean()) {
            dup = text.substring(0, text.lastIndexOf('}')) + ",\"" + a + "\":" + copy + "}";
        }
        return new Mutant(repack(dup, valid, false), "duplicate name '" + a + "'");
    }

    private static Mutant nonObject(byte[] valid, Random r) {
        String[] headers = {
            "[]", "[1,2]", "\"s\"", "1", "null", "true", "", " ", "{", "}", "{\"a\":", "\u0000", "\uFEFF{}", "{}",
            "{\"a\":1}", "{\"a\":null}", "{\"a\":[]}", "{\"a\":{}}", "{'a':{}}", "{a:{}}",
        };
        String h = pick(headers, r);
        byte[] text = h.getBytes(StandardCharsets.UTF_8);
        if (r.nextInt(4) == 0) {
            text = new byte[] {'{', '"', (byte) 0xC3, 0x28, '"', ':', '1', '}'}; // invalid UTF-8 in a key
            h = "invalid UTF-8";
        }
        return new Mutant(pack(text, dataOf(valid)), "header " + abbreviate(h));
    }

    private static Mutant deepNesting(byte[] valid, Random r) {
        int depth = new int[] {100, 300, 5_000, 100_000}[r.nextInt(4)];
        boolean closed = r.nextBoolean();
        String open = r.nextBoolean() ? "[" : "{\"a\":";
        String close = open.equals("[") ? "]" : "}";
        String nest = open.repeat(depth) + "1" + (closed ? close.repeat(depth) : "");
        String h = switch (r.nextInt(3)) {
            case 0 -> nest;
            case 1 -> "{\"w\":{\"dtype\":\"F32\",\"shape\":" + nest + ",\"data_offsets\":[0,4]}}";
            default -> "{\"__metadata__\":{\"k\":" + nest + "}}";
        };
        return new Mutant(pack(h.getBytes(StandardCharsets.UTF_8), dataOf(valid)),
                "nesting depth " + depth + " of " + open + (closed ? " closed" : " unclosed"));
    }

    // ------------------------------------------------------------------ layout helpers

    static long headerLengthOf(byte[] file) {
        return ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    static String headerText(byte[] file) {
        return new String(file, 8, (int) headerLengthOf(file), StandardCharsets.UTF_8);
    }

    static byte[] dataOf(byte[] file) {
        return Arrays.copyOfRange(file, 8 + (int) headerLengthOf(file), file.length);
    }

    private static byte[] repack(String json, byte[] valid, boolean pad) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        if (pad) {
            byte[] p = Arrays.copyOf(h, (h.length + 7) & ~7);
            Arrays.fill(p, h.length, p.length, (byte) ' ');
            h = p;
        }
        return pack(h, dataOf(valid));
    }

    static byte[] pack(byte[] header, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putLong(header.length).put(header).put(data).array();
    }

    private static List<String> tensorNames(JsonObject h) {
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, JsonElement> e : h.entrySet()) {
            if (!e.getKey().equals(SafeTensorsHeader.METADATA_KEY)) {
                names.add(e.getKey());
            }
        }
        return names;
    }

    private static String anyTensor(JsonObject h, Random r) {
        return pick(tensorNames(h), r);
    }

    private static <T> T pick(List<T> list, Random r) {
        return list.get(r.nextInt(list.size()));
    }

    private static String pick(String[] a, Random r) {
        return a[r.nextInt(a.length)];
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 20) + "...(" + s.length() + " chars)" : s;
    }
}
