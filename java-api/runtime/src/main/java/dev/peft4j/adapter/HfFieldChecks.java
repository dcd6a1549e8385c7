package dev.peft4j.adapter;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.peft4j.io.TensorData;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.PeftPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks the Hugging Face fields of an adapter_config.json against what the file really holds, so that a config
 * that does not describe its tensors is refused (naming the file and the field) instead of loading with other
 * numbers than it states: {@code r} must be ≥ 1 and equal the rank of every {@code lora_A} tensor it covers (a
 * {@code rank_pattern} entry takes precedence, as in peft), {@code lora_alpha} must be finite, a string
 * {@code target_modules} must be a valid regular expression that fully matches every adapted module, a list must
 * name a suffix of each; with a peft4j section, {@code r} and {@code lora_alpha} must also equal its plan's, and its
 * {@code format_version} must be one this version reads.
 */
final class HfFieldChecks {
    /** The peft4j section versions this version reads (see {@link PeftConfigs#FORMAT_VERSION}). */
    static final int OLDEST_FORMAT = 1;

    private static final String LORA_A = ".lora_A.weight";

    private HfFieldChecks() {}

    /** Refuses a peft4j section whose {@code format_version} is not one this version reads. */
    static void formatVersion(JsonConfig own, JsonConfig cfg) throws AdapterFormatException {
        if (!own.has("format_version")) {
            return; // the earliest files carried none; their plan is read as version 1
        }
        int v;
        try {
            v = own.integer("format_version");
        } catch (AdapterFormatException e) {
            throw new AdapterFormatException(cfg.file + ": field 'peft4j.format_version' must be an integer, got "
                    + JsonConfig.describe(own.root.get("format_version")));
        }
        if (v < OLDEST_FORMAT || v > PeftConfigs.FORMAT_VERSION) {
            throw new AdapterFormatException(cfg.file + ": field 'peft4j.format_version' is " + v + "; this peft4j reads "
                    + OLDEST_FORMAT + " to " + PeftConfigs.FORMAT_VERSION + " (a newer peft4j wrote the file?)");
        }
    }

    /** The LoRA fields against the tensors ({@code tensors} with normalised keys, from {@code file}). */
    static void lora(JsonConfig cfg, Map<String, TensorData> tensors, AdapterModel m, String file)
            throws AdapterFormatException {
        int r = cfg.integer("r");
        if (r < 1) {
            throw new AdapterFormatException(cfg.file + ": field 'r' is " + r + "; a LoRA rank must be ≥ 1");
        }
        double alpha = cfg.number("lora_alpha");
        if (!Double.isFinite(alpha)) {
            throw new AdapterFormatException(cfg.file + ": field 'lora_alpha' is " + alpha + "; it must be finite");
        }
        JsonObject rankPattern = cfg.has("rank_pattern") ? cfg.object("rank_pattern") : new JsonObject();
        List<Pattern> rankKeys = new ArrayList<>();
        List<Integer> rankValues = new ArrayList<>();
        for (Map.Entry<String, JsonElement> p : rankPattern.entrySet()) {
            rankKeys.add(compile(cfg, "rank_pattern key", "(.*\\.)?(" + p.getKey() + ")$", p.getKey()));
            JsonElement v = p.getValue();
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()
                    || v.getAsDouble() != Math.rint(v.getAsDouble()) || v.getAsDouble() < 1
                    || v.getAsDouble() > Integer.MAX_VALUE) {
                throw new AdapterFormatException(cfg.file + ": field 'rank_pattern." + p.getKey()
                        + "' must be a whole number ≥ 1, got " + JsonConfig.describe(v));
            }
            rankValues.add((int) v.getAsDouble());
        }
        Targets targets = targets(cfg);
        String base = AdapterLayout.BASE;
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            String key = e.getKey();
            if (!key.endsWith(LORA_A) || !key.startsWith(base)) {
                continue;
            }
            String path = key.substring(base.length(), key.length() - LORA_A.length());
            int expected = r;
            String from = "'r'";
            for (int i = 0; i < rankKeys.size(); i++) {
                if (rankKeys.get(i).matcher(path).matches()) {
                    expected = rankValues.get(i);
                    from = "'rank_pattern' for this module";
                    break;
                }
            }
            int[] shape = e.getValue().shape();
            if (shape.length == 2 && shape[0] != expected) {
                throw new AdapterFormatException(cfg.file + ": field " + from + " says rank " + expected + " but "
                        + file + " key '" + key + "' has rank " + shape[0] + " (shape " + java.util.Arrays.toString(shape)
                        + ")");
            }
            if (targets != null && !targets.matches(path)) {
                throw new AdapterFormatException(cfg.file + ": field 'target_modules' (" + targets.text()
                        + ") does not cover module '" + path + "', which " + file + " adapts (key '" + key + "')");
            }
        }
    }

    /** With a peft4j section: the top-level {@code r} and {@code lora_alpha} are those of the plan's first LoRA layer. */
    static void loraAgainstPlan(JsonConfig cfg, PeftPlan plan) throws AdapterFormatException {
        LoraSpec first = null;
        for (LayerPlan l : plan.layers()) {
            if (l.lora() != null) {
                first = l.lora();
                break;
            }
        }
        if (first == null) {
            return;
        }
        int r = cfg.integer("r");
        if (r != first.rank()) {
            throw new AdapterFormatException(cfg.file + ": field 'r' is " + r + " but the peft4j plan's LoRA rank is "
                    + first.rank() + "; the two sections disagree");
        }
        double alpha = cfg.number("lora_alpha");
        if (!(Math.abs(alpha - first.alpha()) <= 1e-6 * Math.max(1, Math.abs(first.alpha())))) {
            throw new AdapterFormatException(cfg.file + ": field 'lora_alpha' is " + alpha
                    + " but the peft4j plan's LoRA alpha is " + first.alpha() + "; the two sections disagree");
        }
    }

    /** target_modules as peft reads it: a string is a regular expression matching a whole module path. */
    private record Targets(Pattern regex, List<String> suffixes, String text) {
        boolean matches(String path) {
            if (regex != null) {
                return regex.matcher(path).matches();
            }
            for (String s : suffixes) {
                if (path.equals(s) || path.endsWith("." + s)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The config's target_modules, or null where absent (peft then uses the model's defaults). */
    private static Targets targets(JsonConfig cfg) throws AdapterFormatException {
        if (!cfg.has("target_modules")) {
            return null;
        }
        JsonElement t = cfg.get("target_modules");
        if (t.isJsonPrimitive() && t.getAsJsonPrimitive().isString()) {
            String s = t.getAsString();
            return new Targets(compile(cfg, "'target_modules'", s, s), null, JsonConfig.describe(t));
        }
        if (t.isJsonArray()) {
            JsonArray a = t.getAsJsonArray();
            List<String> names = new ArrayList<>();
            for (int i = 0; i < a.size(); i++) {
                JsonElement x = a.get(i);
                if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isString()) {
                    throw new AdapterFormatException(cfg.file + ": field 'target_modules[" + i + "]' must be a string, got "
                            + JsonConfig.describe(x));
                }
                names.add(x.getAsString());
            }
            return new Targets(null, names, JsonConfig.describe(t));
        }
        throw new AdapterFormatException(cfg.file + ": field 'target_modules' must be a string (a regular expression) "
                + "or a list of module names, got " + JsonConfig.describe(t));
    }

    private static Pattern compile(JsonConfig cfg, String field, String regex, String written)
            throws AdapterFormatException {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException | StackOverflowError e) {
            throw new AdapterFormatException(cfg.file + ": field " + field + " '" + dev.peft4j.io.JsonText.shorten(written)
                    + "' is not a valid regular expression: " + (e instanceof PatternSyntaxException p
                    ? p.getDescription() + " near index " + p.getIndex() : "it nests too deeply"));
        }
    }
}
