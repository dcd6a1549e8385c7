package dev.peft4j.peft;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.peft4j.backend.Activation;
import dev.peft4j.io.JsonText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * The one JSON form of a {@link PeftPlan}: the plan file the finetune command takes ({@code --plan}), the search's
 * best-plan.json and trial fingerprints, and the "peft4j.plan" section of adapter_config.json.
 * <pre>
 * {"format": "peft4j-plan", "version": 1, "layers": [
 *   {"lora": {"rank": 8, "alpha": 8.0, "rsLora": false, "dropout": 0.0, "targets": ["QUERY", "VALUE"], "gated": true},
 *    "attnAdapter": null, "ffnAdapter": {"size": 24, "activation": "RELU", "scale": 1.0, "learnedScale": false},
 *    "parallelAdapter": null, "prefix": {"length": 10, "reparameterisation": 800}, "ia3": false, "bitfit": true}, ...]}
 * </pre>
 * "bitfit" is true (every bias of the layer), false, or an array of {@link BitFitBias} names. Absent components may
 * be omitted or null; flags ("gated", "rsLora", "learnedScale", "ia3") default to false and "reparameterisation"
 * (the prefix MLP's hidden size) to 0; "gated" and "reparameterisation" are written only when set, so the JSON of
 * a plan without them, and hence the search's trial fingerprints, are what they were before those fields existed.
 *
 * <p>Versions: {@link #VERSION} is written; every version up to it is read; a file from a newer peft4j fails with a
 * message saying so. Adapter files of format_version 1 hold only the "layers" array with snake_case keys
 * ({@code rs_lora}, {@code attn_adapter}, {@code ffn_adapter}, {@code parallel_adapter}, {@code learned_scale}):
 * {@link #fromAdapterLayers} reads those. Every reading error is a {@link PlanFormatException} naming the source and
 * the field; nothing else escapes, whatever the input.
 */
public final class PlanCodec {
    /** The value of the "format" field. */
    public static final String FORMAT = "peft4j-plan";
    /** The version written, and the newest one read. */
    public static final int VERSION = 1;

    private PlanCodec() {}

    /** The key names of one layer's fields: the plan file's (camelCase) or an adapter file's of format_version 1. */
    private record Keys(String attnAdapter, String ffnAdapter, String parallelAdapter, String rsLora, String learnedScale) {
        static final Keys PLAN = new Keys("attnAdapter", "ffnAdapter", "parallelAdapter", "rsLora", "learnedScale");
        static final Keys ADAPTER_V1 = new Keys("attn_adapter", "ffn_adapter", "parallel_adapter", "rs_lora", "learned_scale");
    }

    /** Writes the plan as an indented JSON file, creating missing parent folders. */
    public static void write(PeftPlan plan, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, toText(plan), StandardCharsets.UTF_8);
    }

    /** The file text {@link #write} writes: indented JSON, absent components as null, and a final newline. */
    public static String toText(PeftPlan plan) {
        return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(toJson(plan)) + "\n";
    }

    /** Reads a plan file; a malformed one throws a {@link PlanFormatException} naming the file and the field. */
    public static PeftPlan read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) { // its own message is only "Input length = 1"
            throw new PlanFormatException(file + ": not valid UTF-8 text");
        }
        return parse(text, file.toString());
    }

    /** Parses a plan document; {@code source} names it in errors. */
    public static PeftPlan parse(String text, String source) {
        JsonElement root;
        try {
            root = JsonParser.parseString(text);
        } catch (JsonParseException | IllegalStateException e) {
            throw new PlanFormatException(source + ": not valid JSON: " + JsonText.parseProblem(e));
        }
        return fromJson(root, source);
    }

    /** The plan as a JSON object; its compact text is what the search fingerprints. */
    public static JsonObject toJson(PeftPlan plan) {
        JsonObject o = new JsonObject();
        o.addProperty("format", FORMAT);
        o.addProperty("version", VERSION);
        JsonArray layers = new JsonArray();
        for (LayerPlan lp : plan.layers()) {
            JsonObject l = new JsonObject();
            l.add("lora", lora(lp.lora()));
            l.add("attnAdapter", adapter(lp.attnAdapter()));
            l.add("ffnAdapter", adapter(lp.ffnAdapter()));
            l.add("parallelAdapter", adapter(lp.parallelAdapter()));
            l.add("prefix", prefix(lp.prefix()));
            l.addProperty("ia3", lp.ia3());
            l.add("bitfit", bitfit(lp.bitfitSpec()));
            layers.add(l);
        }
        o.add("layers", layers);
        return o;
    }

    private static JsonElement lora(LoraSpec s) {
        if (s == null) {
            return null;
        }
        JsonObject j = new JsonObject();
        j.addProperty("rank", s.rank());
        j.addProperty("alpha", s.alpha());
        j.addProperty("rsLora", s.rsLora());
        j.addProperty("dropout", s.dropout());
        JsonArray t = new JsonArray();
        EnumSet.copyOf(s.targets()).forEach(x -> t.add(x.name()));
        j.add("targets", t);
        optionalFlag(j, "gated", s.gated());
        return j;
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

    private static JsonElement prefix(PrefixSpec s) {
        if (s == null) {
            return null;
        }
        JsonObject p = new JsonObject();
        p.addProperty("length", s.length());
        if (s.reparameterised()) {
            p.addProperty("reparameterisation", s.reparameterisation());
        }
        optionalFlag(p, "gated", s.gated());
        return p;
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

    /** Writes a flag only when set, so plans without the newer fields serialise (and fingerprint) as before. */
    private static void optionalFlag(JsonObject o, String key, boolean on) {
        if (on) {
            o.addProperty(key, true);
        }
    }

    /** Reads a plan document of any version up to {@link #VERSION}; {@code source} names it in errors. */
    public static PeftPlan fromJson(JsonElement root, String source) {
        PlanFields r = new PlanFields(source);
        JsonObject o = r.object(root, "(root)");
        String format = r.string(o, "", "format");
        if (!FORMAT.equals(format)) {
            throw r.error("format", "expected \"" + FORMAT + "\", got \"" + JsonText.shorten(format) + "\"");
        }
        int version = r.integer(o, "", "version");
        if (version > VERSION) {
            throw r.error("version", "the plan is version " + version + ", written by a newer peft4j; this one reads "
                    + "versions 1 to " + VERSION + ": upgrade peft4j to read it");
        }
        if (version < 1) {
            throw r.error("version", "expected a version from 1 to " + VERSION + ", got " + version);
        }
        JsonElement le = o.get("layers");
        if (le == null || !le.isJsonArray() || le.getAsJsonArray().isEmpty()) {
            throw r.error("layers", "expected a non-empty array of layer plans, got " + JsonText.describe(le));
        }
        return layers(r, le.getAsJsonArray(), "layers", Keys.PLAN);
    }

    /**
     * Reads the "plan" array of an adapter_config.json of format_version 1 (peft4j before the plan section carried
     * this codec's whole document): layer objects with snake_case keys; {@code source} names the file and section.
     */
    public static PeftPlan fromAdapterLayers(JsonArray layers, String source) {
        PlanFields r = new PlanFields(source);
        if (layers.isEmpty()) {
            throw r.error("layers", "expected a non-empty array of layer plans");
        }
        return layers(r, layers, "layers", Keys.ADAPTER_V1);
    }

    private static PeftPlan layers(PlanFields r, JsonArray arr, String field, Keys k) {
        List<LayerPlan> layers = new ArrayList<>(arr.size());
        for (int i = 0; i < arr.size(); i++) {
            String at = field + "[" + i + "]";
            JsonObject l = r.object(arr.get(i), at);
            LoraSpec lora = lora(r, l, at, k);
            AdapterSpec attn = adapter(r, l, at, k.attnAdapter(), k);
            AdapterSpec ffn = adapter(r, l, at, k.ffnAdapter(), k);
            AdapterSpec parallel = adapter(r, l, at, k.parallelAdapter(), k);
            PrefixSpec prefix = prefix(r, l, at);
            boolean ia3 = r.flag(l, at, "ia3");
            BitFitSpec bitfit = bitfit(r, l, at);
            layers.add(r.build(at, () -> new LayerPlan(lora, attn, ffn, parallel, prefix, ia3, bitfit)));
        }
        return r.build(field, () -> new PeftPlan(layers));
    }

    private static LoraSpec lora(PlanFields r, JsonObject l, String at, Keys k) {
        JsonObject j = r.optionalObject(l, at, "lora");
        if (j == null) {
            return null;
        }
        String p = at + ".lora";
        JsonElement te = j.get("targets");
        if (te == null || !te.isJsonArray()) {
            throw r.error(p + ".targets", "expected an array of " + List.of(LoraTarget.values()) + ", got "
                    + JsonText.describe(te));
        }
        EnumSet<LoraTarget> targets = EnumSet.noneOf(LoraTarget.class);
        for (JsonElement t : te.getAsJsonArray()) {
            targets.add(r.enumValue(LoraTarget.class, t, p + ".targets"));
        }
        int rank = r.integer(j, p, "rank");
        float alpha = r.number(j, p, "alpha");
        boolean rs = r.flag(j, p, k.rsLora());
        float dropout = r.number(j, p, "dropout");
        boolean gated = r.flag(j, p, "gated");
        return r.build(p, () -> new LoraSpec(rank, alpha, rs, dropout, targets, gated));
    }

    private static AdapterSpec adapter(PlanFields r, JsonObject l, String at, String key, Keys k) {
        JsonObject j = r.optionalObject(l, at, key);
        if (j == null) {
            return null;
        }
        String p = at + "." + key;
        int size = r.integer(j, p, "size");
        Activation act = r.enumValue(Activation.class, j.get("activation"), p + ".activation");
        float scale = r.number(j, p, "scale");
        boolean learned = r.flag(j, p, k.learnedScale());
        boolean gated = r.flag(j, p, "gated");
        return r.build(p, () -> new AdapterSpec(size, act, scale, learned, gated));
    }

    private static PrefixSpec prefix(PlanFields r, JsonObject l, String at) {
        JsonObject j = r.optionalObject(l, at, "prefix");
        if (j == null) {
            return null;
        }
        String p = at + ".prefix";
        int length = r.integer(j, p, "length");
        JsonElement h = j.get("reparameterisation");
        int hidden = h == null || h.isJsonNull() ? 0 : r.integer(j, p, "reparameterisation");
        boolean gated = r.flag(j, p, "gated");
        return r.build(p, () -> new PrefixSpec(length, hidden, gated));
    }

    private static BitFitSpec bitfit(PlanFields r, JsonObject l, String at) {
        JsonElement e = l.get("bitfit");
        if (e == null || !e.isJsonArray()) {
            return r.flag(l, at, "bitfit") ? BitFitSpec.ALL : null;
        }
        String p = at + ".bitfit";
        EnumSet<BitFitBias> kinds = EnumSet.noneOf(BitFitBias.class);
        for (JsonElement b : e.getAsJsonArray()) {
            kinds.add(r.enumValue(BitFitBias.class, b, p));
        }
        return r.build(p, () -> new BitFitSpec(kinds));
    }
}
