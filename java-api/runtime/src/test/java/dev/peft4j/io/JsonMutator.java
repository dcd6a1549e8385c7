package dev.peft4j.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Test helper: mutates a JSON document (a config or tokenizer file) at the value level: a random node anywhere
 * in the tree is replaced by an interesting value, removed, nested very deeply or duplicated; or the text is
 * edited character by character; or the whole document is replaced by something that is not an object.
 */
final class JsonMutator {
    private JsonMutator() {}

    record Mutant(String text, String description) {}

    private static final String NEST = "@@nest@@";

    private static final String[] VALUES = {
        "null", "true", "false", "0", "-1", "1", "2", "3", "1.5", "-0.0", "1e400", "-1e400", "1e-400", "2147483647",
        "2147483648", "-2147483649", "9223372036854775808", "1e99999999999", "1" + "0".repeat(12000), "\"\"",
        "\"x\"", "\"bert\"", "\"gpt2\"", "\"LORA\"", "\"IA3\"", "\"PREFIX_TUNING\"", "\"gelu\"", "\"NaN\"", "[]",
        "{}", "[1]", "[\"query\"]", "{\"a\":1}", "\"" + "y".repeat(5000) + "\"",
    };

    static Mutant mutate(String valid, Random r) {
        int kind = r.nextInt(10);
        if (kind == 0) {
            return text(valid, r);
        }
        if (kind == 1) {
            String[] roots = {"", "[]", "null", "1", "\"s\"", "{", "[" + valid + "]", "{}", "\uFEFF" + valid};
            String t = roots[r.nextInt(roots.length)];
            return new Mutant(t, "document = " + (t.length() > 20 ? t.substring(0, 20) + "..." : t));
        }
        JsonObject root = JsonParser.parseString(valid).getAsJsonObject();
        List<Slot> slots = new ArrayList<>();
        collect(root, "$", slots);
        Slot s = slots.get(r.nextInt(slots.size()));
        String what;
        switch (kind) {
            case 2 -> {
                s.remove();
                what = "remove " + s.path;
            }
            case 3 -> {
                int depth = new int[] {50, 5_000, 100_000}[r.nextInt(3)];
                boolean arrays = r.nextBoolean();
                String nest = arrays ? "[".repeat(depth) + "1" + "]".repeat(depth)
                        : "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
                // spliced into the text: Gson's own writer would overflow the stack on such a tree
                s.set(new com.google.gson.JsonPrimitive(NEST));
                return new Mutant(root.toString().replace("\"" + NEST + "\"", nest), s.path + " nested " + depth + " deep");
            }
            default -> {
                String v = VALUES[r.nextInt(VALUES.length)];
                s.set(JsonParser.parseString(v));
                what = s.path + " = " + (v.length() > 30 ? v.substring(0, 20) + "...(" + v.length() + " chars)" : v);
            }
        }
        return new Mutant(root.toString(), what);
    }

    private static Mutant text(String valid, Random r) {
        StringBuilder t = new StringBuilder(valid);
        String alphabet = "{}[]\",:0123456789-eE. \\";
        StringBuilder d = new StringBuilder("text edits:");
        for (int i = 0, n = 1 + r.nextInt(3); i < n && t.length() > 0; i++) {
            int at = r.nextInt(t.length());
            char c = alphabet.charAt(r.nextInt(alphabet.length()));
            switch (r.nextInt(3)) {
                case 0 -> t.deleteCharAt(at);
                case 1 -> t.insert(at, c);
                default -> t.setCharAt(at, c);
            }
            d.append(' ').append(at);
        }
        return new Mutant(t.toString(), d.toString());
    }

    /** A place in the tree that holds a value: an object member or an array element. */
    private record Slot(String path, JsonObject object, String key, JsonArray array, int index) {
        void set(JsonElement v) {
            if (object != null) {
                object.add(key, v);
            } else {
                array.set(index, v);
            }
        }

        void remove() {
            if (object != null) {
                object.remove(key);
            } else {
                array.remove(index);
            }
        }
    }

    private static void collect(JsonElement e, String path, List<Slot> out) {
        if (e instanceof JsonObject o) {
            for (Map.Entry<String, JsonElement> m : o.entrySet()) {
                String p = path + "." + m.getKey();
                out.add(new Slot(p, o, m.getKey(), null, -1));
                collect(m.getValue(), p, out);
            }
        } else if (e instanceof JsonArray a) {
            for (int i = 0; i < a.size(); i++) {
                String p = path + "[" + i + "]";
                out.add(new Slot(p, null, null, a, i));
                collect(a.get(i), p, out);
            }
        }
    }
}
