package dev.peft4j.adapter;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
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
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * A {@link PeftPlan} as JSON, one object per layer: {@code {"lora": {"rank", "alpha", "rs_lora", "dropout",
 * "targets", "gated"?}, "attn_adapter" | "ffn_adapter" | "parallel_adapter": {"size", "activation", "scale",
 * "learned_scale", "gated"?}, "prefix": {"length", "gated"?}, "ia3": bool, "bitfit": bool or [bias kinds]}}; absent components are
 * omitted, and "gated" is written only when true (absent = false). Reparameterised prefixes are never saved (the
 * MLP is dropped first, see AdapterIo), so "prefix" holds no MLP size.
 * Floats are written in their shortest decimal form and read back with Float.parseFloat, so they round-trip exactly.
 */
final class PlanJson {
    private PlanJson() {}

    static JsonArray write(PeftPlan plan) {
        JsonArray layers = new JsonArray();
        for (LayerPlan lp : plan.layers()) {
            JsonObject o = new JsonObject();
            if (lp.lora() != null) {
                LoraSpec s = lp.lora();
                JsonObject l = new JsonObject();
                l.addProperty("rank", s.rank());
                l.addProperty("alpha", s.alpha());
                l.addProperty("rs_lora", s.rsLora());
                l.addProperty("dropout", s.dropout());
                JsonArray t = new JsonArray();
                for (LoraTarget target : LoraTarget.values()) {
                    if (s.targets().contains(target)) {
                        t.add(target.name());
                    }
                }
                l.add("targets", t);
                gated(l, s.gated());
                o.add("lora", l);
            }
            adapter(o, "attn_adapter", lp.attnAdapter());
            adapter(o, "ffn_adapter", lp.ffnAdapter());
            adapter(o, "parallel_adapter", lp.parallelAdapter());
            if (lp.prefix() != null) {
                JsonObject p = new JsonObject();
                p.addProperty("length", lp.prefix().length());
                gated(p, lp.prefix().gated());
                o.add("prefix", p);
            }
            o.addProperty("ia3", lp.ia3());
            o.add("bitfit", bitfit(lp.bitfitSpec()));
            layers.add(o);
        }
        return layers;
    }

    /** true / false for all or no biases, else the array of selected {@link BitFitBias} names. */
    private static JsonElement bitfit(BitFitSpec s) {
        if (s == null || s.all()) {
            return new JsonPrimitive(s != null);
        }
        JsonArray kinds = new JsonArray();
        s.biases().forEach(b -> kinds.add(b.name()));
        return kinds;
    }

    private static BitFitSpec bitfit(JsonElement e) {
        if (!e.isJsonArray()) {
            return scalar(e).getAsBoolean() ? BitFitSpec.ALL : null;
        }
        EnumSet<BitFitBias> kinds = EnumSet.noneOf(BitFitBias.class);
        for (JsonElement k : e.getAsJsonArray()) {
            kinds.add(BitFitBias.valueOf(scalar(k).getAsString()));
        }
        return new BitFitSpec(kinds);
    }

    private static void adapter(JsonObject o, String field, AdapterSpec s) {
        if (s == null) {
            return;
        }
        JsonObject a = new JsonObject();
        a.addProperty("size", s.size());
        a.addProperty("activation", s.activation().name());
        a.addProperty("scale", s.scale());
        a.addProperty("learned_scale", s.learnedScale());
        gated(a, s.gated());
        o.add(field, a);
    }

    private static void gated(JsonObject o, boolean on) {
        if (on) {
            o.addProperty("gated", true);
        }
    }

    private static boolean gated(JsonObject o) {
        return o.has("gated") && scalar(o.get("gated")).getAsBoolean();
    }

    static PeftPlan read(JsonArray layers, String where) throws AdapterFormatException {
        List<LayerPlan> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            String at = where + ".layers[" + i + "]";
            JsonObject o = object(layers.get(i), at);
            try {
                LoraSpec lora = null;
                if (o.has("lora")) {
                    JsonObject l = object(o.get("lora"), at + ".lora");
                    EnumSet<LoraTarget> targets = EnumSet.noneOf(LoraTarget.class);
                    for (JsonElement t : l.getAsJsonArray("targets")) {
                        targets.add(LoraTarget.valueOf(scalar(t).getAsString()));
                    }
                    lora = new LoraSpec(scalar(l.get("rank")).getAsInt(), scalar(l.get("alpha")).getAsFloat(),
                            scalar(l.get("rs_lora")).getAsBoolean(), scalar(l.get("dropout")).getAsFloat(), targets, gated(l));
                }
                PrefixSpec prefix = null;
                if (o.has("prefix")) {
                    JsonObject p = object(o.get("prefix"), at + ".prefix");
                    prefix = new PrefixSpec(scalar(p.get("length")).getAsInt(), 0, gated(p));
                }
                out.add(new LayerPlan(lora, adapter(o, "attn_adapter", at), adapter(o, "ffn_adapter", at),
                        adapter(o, "parallel_adapter", at), prefix, scalar(o.get("ia3")).getAsBoolean(), bitfit(o.get("bitfit"))));
            } catch (RuntimeException e) {
                throw new AdapterFormatException(at + ": invalid layer plan " + JsonConfig.describe(o) + " (" + e + ")", e);
            }
        }
        try {
            return new PeftPlan(out);
        } catch (IllegalArgumentException e) {
            throw new AdapterFormatException(where + ": " + e.getMessage(), e);
        }
    }

    private static AdapterSpec adapter(JsonObject o, String field, String at) throws AdapterFormatException {
        if (!o.has(field)) {
            return null;
        }
        JsonObject a = object(o.get(field), at + "." + field);
        return new AdapterSpec(scalar(a.get("size")).getAsInt(), Activation.valueOf(scalar(a.get("activation")).getAsString()),
                scalar(a.get("scale")).getAsFloat(), scalar(a.get("learned_scale")).getAsBoolean(), gated(a));
    }

    private static JsonObject object(JsonElement e, String at) throws AdapterFormatException {
        if (e == null || !e.isJsonObject()) {
            throw new AdapterFormatException(at + ": expected an object, got " + JsonConfig.describe(e));
        }
        return e.getAsJsonObject();
    }

    /**
     * The element as a JSON scalar, else an error: gson's getAsString/getAsInt on an array unwrap it recursively,
     * which overflows the stack on a deeply nested value.
     */
    private static JsonElement scalar(JsonElement e) {
        if (e == null || !e.isJsonPrimitive()) {
            throw new IllegalArgumentException("expected a string, number or boolean, got "
                    + (e == null ? "nothing" : dev.peft4j.io.JsonText.describe(e)));
        }
        return e;
    }
}
