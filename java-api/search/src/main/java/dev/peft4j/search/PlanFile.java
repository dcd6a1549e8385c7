package dev.peft4j.search;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import dev.peft4j.io.JsonText;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.peft4j.backend.Activation;
import dev.peft4j.peft.AdapterSpec;
import dev.peft4j.peft.BitFitBias;
import dev.peft4j.peft.BitFitSpec;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.LoraTarget;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.peft.PrefixSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;

/**
 * A {@link PeftPlan} as JSON, the file the finetune command takes:
 * <pre>
 * {"format": "peft4j-plan", "version": 1, "layers": [
 *   {"lora": {"rank": 8, "alpha": 8.0, "rsLora": false, "dropout": 0.0, "targets": ["QUERY", "VALUE"], "gated": true},
 *    "attnAdapter": null, "ffnAdapter": {"size": 24, "activation": "RELU", "scale": 1.0, "learnedScale": false},
 *    "parallelAdapter": null, "prefix": {"length": 10, "reparameterisation": 800}, "ia3": false, "bitfit": true}, ...]}
 * </pre>
 * "bitfit" is true (every bias of the layer), false, or an array of {@link BitFitBias} names selecting some.
 * Absent components may be omitted or null; "gated" defaults to false and "reparameterisation" (the prefix MLP's
 * hidden size) to 0, so files written before they existed read as before; both are written only when set. Reading errors name the file and the
 * field path (layers[2].lora.rank).
 */
public final class PlanFile {
    public static final String FORMAT = "peft4j-plan";
    public static final int VERSION = 1;

    private PlanFile() {}

    public static void write(PeftPlan plan, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(toJson(plan)) + "\n",
                StandardCharsets.UTF_8);
    }

    public static PeftPlan read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        JsonElement root;
        try {
            root = JsonParser.parseString(text);
        } catch (JsonParseException e) {
            throw new PlanFileException(file + ": not valid JSON: " + e.getMessage());
        }
        return fromJson(root, file.toString());
    }

    public static JsonObject toJson(PeftPlan plan) {
        JsonObject o = new JsonObject();
        o.addProperty("format", FORMAT);
        o.addProperty("version", VERSION);
        JsonArray layers = new JsonArray();
        for (LayerPlan lp : plan.layers()) {
            JsonObject l = new JsonObject();
            if (lp.lora() != null) {
                LoraSpec s = lp.lora();
                JsonObject j = new JsonObject();
                j.addProperty("rank", s.rank());
                j.addProperty("alpha", s.alpha());
                j.addProperty("rsLora", s.rsLora());
                j.addProperty("dropout", s.dropout());
                JsonArray t = new JsonArray();
                EnumSet.copyOf(s.targets()).forEach(x -> t.add(x.name()));
                j.add("targets", t);
                optionalFlag(j, "gated", s.gated());
                l.add("lora", j);
            } else {
                l.add("lora", null);
            }
            l.add("attnAdapter", adapter(lp.attnAdapter()));
            l.add("ffnAdapter", adapter(lp.ffnAdapter()));
            l.add("parallelAdapter", adapter(lp.parallelAdapter()));
            if (lp.prefix() != null) {
                JsonObject p = new JsonObject();
                p.addProperty("length", lp.prefix().length());
                if (lp.prefix().reparameterised()) {
                    p.addProperty("reparameterisation", lp.prefix().reparameterisation());
                }
                optionalFlag(p, "gated", lp.prefix().gated());
                l.add("prefix", p);
            } else {
                l.add("prefix", null);
            }
            l.addProperty("ia3", lp.ia3());
            l.add("bitfit", bitfit(lp.bitfitSpec()));
            layers.add(l);
        }
        o.add("layers", layers);
        return o;
    }

    /** true / false for all or no biases (as before the selection existed), else the array of selected kinds. */
    private static JsonElement bitfit(BitFitSpec s) {
        if (s == null || s.all()) {
            return new JsonPrimitive(s != null);
        }
        JsonArray kinds = new JsonArray();
        s.biases().forEach(b -> kinds.add(b.name()));
        return kinds;
    }

    private static JsonElement adapter(AdapterSpec a) {
        if (a == null) {
            return null;
        }
        JsonObject j = new JsonObject();
        j.addProperty("size", a.size());
        j.addProperty("activation", a.activation().name());
        j.addProperty("scale", a.scale());
        j.addProperty("learnedScale", a.learnedScale());
        optionalFlag(j, "gated", a.gated());
        return j;
    }

    /** Writes a flag only when set, so plans without the newer fields serialise (and hash, see Trial) as before. */
    private static void optionalFlag(JsonObject o, String key, boolean on) {
        if (on) {
            o.addProperty(key, true);
        }
    }

    /** Parses a plan; {@code source} names the file in errors. */
    public static PeftPlan fromJson(JsonElement root, String source) {
        Reader r = new Reader(source);
        JsonObject o = r.object(root, "(root)");
        String format = r.string(o, "", "format");
        if (!FORMAT.equals(format)) {
            throw r.error("format", "expected \"" + FORMAT + "\", got \"" + format + "\"");
        }
        int version = r.integer(o, "", "version");
        if (version != VERSION) {
            throw r.error("version", "this reader knows version " + VERSION + ", the file has " + version);
        }
        JsonElement le = o.get("layers");
        if (le == null || !le.isJsonArray() || le.getAsJsonArray().isEmpty()) {
            throw r.error("layers", "expected a non-empty array of layer plans");
        }
        List<LayerPlan> layers = new ArrayList<>();
        JsonArray arr = le.getAsJsonArray();
        for (int i = 0; i < arr.size(); i++) {
            String at = "layers[" + i + "]";
            JsonObject l = r.object(arr.get(i), at);
            layers.add(r.build(at, () -> new LayerPlan(lora(r, l, at), adapter(r, l, at, "attnAdapter"),
                    adapter(r, l, at, "ffnAdapter"), adapter(r, l, at, "parallelAdapter"), prefix(r, l, at),
                    r.bool(l, at, "ia3"), bitfit(r, l, at))));
        }
        return r.build("layers", () -> new PeftPlan(layers));
    }

    private static LoraSpec lora(Reader r, JsonObject l, String at) {
        JsonObject j = r.optionalObject(l, at, "lora");
        if (j == null) {
            return null;
        }
        String p = at + ".lora";
        JsonElement te = j.get("targets");
        if (te == null || !te.isJsonArray()) {
            throw r.error(p + ".targets", "expected an array of " + List.of(LoraTarget.values()));
        }
        EnumSet<LoraTarget> targets = EnumSet.noneOf(LoraTarget.class);
        for (JsonElement t : te.getAsJsonArray()) {
            targets.add(r.enumValue(LoraTarget.class, t, p + ".targets"));
        }
        int rank = r.integer(j, p, "rank");
        float alpha = r.number(j, p, "alpha");
        boolean rs = r.bool(j, p, "rsLora");
        float dropout = r.number(j, p, "dropout");
        boolean gated = r.bool(j, p, "gated");
        return r.build(p, () -> new LoraSpec(rank, alpha, rs, dropout, targets, gated));
    }

    private static BitFitSpec bitfit(Reader r, JsonObject l, String at) {
        JsonElement e = l.get("bitfit");
        if (e == null || !e.isJsonArray()) {
            return r.bool(l, at, "bitfit") ? BitFitSpec.ALL : null;
        }
        String p = at + ".bitfit";
        EnumSet<BitFitBias> kinds = EnumSet.noneOf(BitFitBias.class);
        for (JsonElement k : e.getAsJsonArray()) {
            kinds.add(r.enumValue(BitFitBias.class, k, p));
        }
        return r.build(p, () -> new BitFitSpec(kinds));
    }

    private static AdapterSpec adapter(Reader r, JsonObject l, String at, String key) {
        JsonObject j = r.optionalObject(l, at, key);
        if (j == null) {
            return null;
        }
        String p = at + "." + key;
        int size = r.integer(j, p, "size");
        Activation act = r.enumValue(Activation.class, j.get("activation"), p + ".activation");
        float scale = r.number(j, p, "scale");
        boolean learned = r.bool(j, p, "learnedScale");
        boolean gated = r.bool(j, p, "gated");
        return r.build(p, () -> new AdapterSpec(size, act, scale, learned, gated));
    }

    private static PrefixSpec prefix(Reader r, JsonObject l, String at) {
        JsonObject j = r.optionalObject(l, at, "prefix");
        if (j == null) {
            return null;
        }
        String p = at + ".prefix";
        int length = r.integer(j, p, "length");
        int hidden = j.has("reparameterisation") && !j.get("reparameterisation").isJsonNull()
                ? r.integer(j, p, "reparameterisation") : 0;
        boolean gated = r.bool(j, p, "gated");
        return r.build(p, () -> new PrefixSpec(length, hidden, gated));
    }

    /** A malformed plan file: the message names the file and the field. */
    public static final class PlanFileException extends IllegalArgumentException {
        public PlanFileException(String message) {
            super(message);
        }
    }

    /** Typed field access with errors that name the source and the field path. */
    private record Reader(String source) {
        PlanFileException error(String field, String what) {
            return new PlanFileException(source + ": field " + field + ": " + what);
        }

        <T> T build(String field, java.util.function.Supplier<T> f) {
            try {
                return f.get();
            } catch (PlanFileException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                throw error(field, e.getMessage());
            }
        }

        JsonObject object(JsonElement e, String field) {
            if (e == null || !e.isJsonObject()) {
                throw error(field, "expected an object, got " + JsonText.describe(e));
            }
            return e.getAsJsonObject();
        }

        JsonObject optionalObject(JsonObject o, String at, String key) {
            JsonElement e = o.get(key);
            return e == null || e.isJsonNull() ? null : object(e, at + "." + key);
        }

        private JsonPrimitive primitive(JsonObject o, String at, String key, String expected) {
            JsonElement e = o.get(key);
            String f = at.isEmpty() ? key : at + "." + key;
            if (e == null || e.isJsonNull()) {
                throw error(f, "missing (expected " + expected + ")");
            }
            if (!e.isJsonPrimitive()) {
                throw error(f, "expected " + expected + ", got " + JsonText.describe(e));
            }
            return e.getAsJsonPrimitive();
        }

        String string(JsonObject o, String at, String key) {
            JsonPrimitive p = primitive(o, at, key, "a string");
            if (!p.isString()) {
                throw error(at.isEmpty() ? key : at + "." + key, "expected a string, got " + JsonText.describe(p));
            }
            return p.getAsString();
        }

        int integer(JsonObject o, String at, String key) {
            JsonPrimitive p = primitive(o, at, key, "an integer");
            if (!p.isNumber() || p.getAsDouble() != Math.rint(p.getAsDouble()) || Math.abs(p.getAsDouble()) > Integer.MAX_VALUE) {
                throw error(at.isEmpty() ? key : at + "." + key, "expected an integer, got " + JsonText.describe(p));
            }
            return p.getAsInt();
        }

        float number(JsonObject o, String at, String key) {
            JsonPrimitive p = primitive(o, at, key, "a number");
            if (!p.isNumber()) {
                throw error(at + "." + key, "expected a number, got " + JsonText.describe(p));
            }
            return p.getAsFloat();
        }

        boolean bool(JsonObject o, String at, String key) {
            JsonElement e = o.get(key);
            if (e == null || e.isJsonNull()) {
                return false;
            }
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
                throw error(at + "." + key, "expected true or false, got " + JsonText.describe(e));
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
                throw error(field, "unknown value \"" + e.getAsString() + "\"; expected one of "
                        + List.of(type.getEnumConstants()));
            }
        }
    }
}
