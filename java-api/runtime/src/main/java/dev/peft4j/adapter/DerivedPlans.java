package dev.peft4j.adapter;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.peft4j.io.TensorData;
import dev.peft4j.model.HfNaming;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.LoraTarget;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.peft.PrefixSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The plan of an adapter file written by peft itself (no "peft4j" section): LoRA modules, ranks and alphas from
 * the lora_A keys, rank_pattern/alpha_pattern and the global fields; (IA)³ layers from the ia3_l keys; prefix
 * length from num_virtual_tokens. What peft4j's plan cannot hold is rejected with the file and key.
 */
final class DerivedPlans {
    /** The plan, whether GPT-2 c_attn LoRA shares one A (peft's layout), and keys to accept without a slot. */
    record Derived(PeftPlan plan, boolean sharedCAttn, Set<String> ignorable) {}

    private DerivedPlans() {}

    static Derived derive(PeftType type, JsonConfig cfg, Map<String, TensorData> tensors, AdapterModel m, String file)
            throws AdapterFormatException {
        return switch (type) {
            case LORA -> new Derived(lora(cfg, tensors, m, file), true, Set.of());
            case IA3 -> ia3(tensors, m, file);
            case PREFIX_TUNING -> new Derived(prefix(cfg, m), false, Set.of());
            case PEFT4J -> throw new AdapterFormatException(cfg.file + ": field 'peft4j' is missing; a PEFT4J adapter needs its plan");
        };
    }

    private record Module(int layer, Set<LoraTarget> targets, String path) {}

    /** Layer index and module (after the layer prefix) of a normalised key "base_model.model.<root><layers>.i.<module>.<suffix>". */
    private static Module module(String key, String suffix, AdapterModel m, String file) throws AdapterFormatException {
        String rest = key.substring(AdapterLayout.BASE.length() + m.root().length(), key.length() - suffix.length());
        String lp = m.layerPrefix();
        int dot = rest.indexOf('.', lp.length());
        if (!rest.startsWith(lp) || dot < 0) {
            throw new AdapterFormatException(file + ": key '" + key + "' is not inside a transformer layer ("
                    + m.root() + lp + "<i>.*); peft4j attaches adapters to layers only");
        }
        int layer;
        try {
            layer = Integer.parseInt(rest.substring(lp.length(), dot));
        } catch (NumberFormatException e) {
            throw new AdapterFormatException(file + ": key '" + key + "': no layer index after '" + lp + "'");
        }
        if (layer < 0 || layer >= m.layers()) {
            throw new AdapterFormatException(file + ": key '" + key + "': layer " + layer + " but the model has " + m.layers());
        }
        String mod = rest.substring(dot + 1);
        Set<LoraTarget> targets = EnumSet.noneOf(LoraTarget.class);
        for (LoraTarget t : LoraTarget.values()) {
            if (m.hfModule(layer, t).equals(m.root() + rest)) {
                targets.add(t);
            }
        }
        return new Module(layer, targets, m.root() + rest + "|" + mod);
    }

    private static PeftPlan lora(JsonConfig cfg, Map<String, TensorData> tensors, AdapterModel m, String file)
            throws AdapterFormatException {
        String bias = cfg.string("bias", "none");
        if (!bias.equals("none")) {
            throw new AdapterFormatException(cfg.file + ": field 'bias' is '" + bias + "'; only 'none' is read from a peft "
                    + "LoRA file (trained biases belong to a BitFit plan)");
        }
        if (cfg.bool("use_dora", false)) {
            throw new AdapterFormatException(cfg.file + ": field 'use_dora' is true; DoRA is not supported");
        }
        int r = cfg.integer("r");
        double alpha = cfg.number("lora_alpha");
        boolean rs = cfg.bool("use_rslora", false);
        float dropout = (float) cfg.number("lora_dropout", 0);
        JsonObject alphaPattern = cfg.has("alpha_pattern") ? cfg.object("alpha_pattern") : new JsonObject();
        Map<Integer, LoraSpec> perLayer = new TreeMap<>();
        Map<Integer, String> firstModule = new TreeMap<>();
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            String key = e.getKey();
            if (!key.endsWith(".lora_A.weight")) {
                continue;
            }
            Module mod = module(key, ".lora_A.weight", m, file);
            String path = mod.path.substring(0, mod.path.indexOf('|'));
            if (mod.targets.isEmpty()) {
                throw new AdapterFormatException(file + ": key '" + key + "': LoRA on module '" + path
                        + "' cannot be represented; peft4j's LoRA targets are " + Arrays.toString(LoraTarget.values())
                        + " (" + m.targetName(LoraTarget.QUERY) + ", ... in Hugging Face naming)");
            }
            int[] shape = e.getValue().shape();
            if (shape.length != 2) {
                throw new AdapterFormatException(file + ": key '" + key + "' has shape " + Arrays.toString(shape) + "; expected [r, in]");
            }
            int rank = shape[0];
            double a = alpha;
            for (Map.Entry<String, JsonElement> p : alphaPattern.entrySet()) {
                if (Pattern.compile("(.*\\.)?(" + p.getKey() + ")$").matcher(path).matches()) {
                    if (!p.getValue().isJsonPrimitive() || !p.getValue().getAsJsonPrimitive().isNumber()) {
                        throw new AdapterFormatException(file + ": alpha_pattern['" + p.getKey() + "'] must be a number, got "
                                + JsonConfig.describe(p.getValue()));
                    }
                    a = p.getValue().getAsDouble();
                    break;
                }
            }
            LoraSpec spec = new LoraSpec(rank, (float) a, rs, dropout, mod.targets);
            LoraSpec prev = perLayer.get(mod.layer);
            if (prev == null) {
                perLayer.put(mod.layer, spec);
                firstModule.put(mod.layer, path);
            } else if (prev.rank() != rank || prev.alpha() != (float) a) {
                throw new AdapterFormatException(file + ": key '" + key + "': rank " + rank + ", alpha " + a + " differ from "
                        + firstModule.get(mod.layer) + " (rank " + prev.rank() + ", alpha " + prev.alpha()
                        + ") in the same layer; peft4j's plan holds one LoRA rank and alpha per layer");
            } else {
                Set<LoraTarget> both = EnumSet.copyOf(prev.targets());
                both.addAll(mod.targets);
                perLayer.put(mod.layer, new LoraSpec(rank, prev.alpha(), rs, dropout, both));
            }
        }
        if (perLayer.isEmpty()) {
            throw new AdapterFormatException(file + ": no key ends in '.lora_A.weight'; the file holds no LoRA (r = " + r + ")");
        }
        List<LayerPlan> layers = new ArrayList<>();
        for (int i = 0; i < m.layers(); i++) {
            LoraSpec s = perLayer.get(i);
            layers.add(s == null ? LayerPlan.NONE : LayerPlan.NONE.withLora(s));
        }
        return new PeftPlan(layers);
    }

    private static Derived ia3(Map<String, TensorData> tensors, AdapterModel m, String file) throws AdapterFormatException {
        Set<Integer> layers = new HashSet<>();
        Set<String> ignorable = new HashSet<>();
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            String key = e.getKey();
            if (!key.endsWith(".ia3_l")) {
                continue;
            }
            Module mod = module(key, ".ia3_l", m, file);
            String local = mod.path.substring(mod.path.indexOf('|') + 1);
            HfNaming n = m.naming();
            boolean ours = Set.of(n.hf().get(LoraTarget.KEY), n.hf().get(LoraTarget.VALUE), n.hf().get(LoraTarget.FFN_OUT))
                    .contains(local);
            if (!ours) {
                boolean identity = true;
                for (float v : e.getValue().data()) {
                    identity &= v == 1f;
                }
                if (!identity) {
                    throw new AdapterFormatException(file + ": key '" + key + "': (IA)³ on module '" + local
                            + "' cannot be represented; peft4j scales keys, values and the FFN hidden activation only");
                }
                ignorable.add(key); // e.g. peft's BERT default also matches attention.output.dense; all ones = identity
                continue;
            }
            layers.add(mod.layer);
        }
        if (layers.isEmpty()) {
            throw new AdapterFormatException(file + ": no key ends in '.ia3_l'; the file holds no (IA)³ vectors");
        }
        List<LayerPlan> out = new ArrayList<>();
        for (int i = 0; i < m.layers(); i++) {
            out.add(LayerPlan.NONE.withIa3(layers.contains(i)));
        }
        return new Derived(new PeftPlan(out), false, ignorable);
    }

    private static PeftPlan prefix(JsonConfig cfg, AdapterModel m) throws AdapterFormatException {
        if (cfg.bool("prefix_projection", false) && !cfg.bool("inference_mode", true)) {
            throw new AdapterFormatException(cfg.file + ": field 'prefix_projection' is true with inference_mode false; "
                    + "peft4j reads the final prefixes only");
        }
        expect(cfg, "num_layers", m.layers());
        expect(cfg, "token_dim", m.hidden());
        if (cfg.has("num_attention_heads")) {
            expect(cfg, "num_attention_heads", m.heads());
        }
        expect(cfg, "num_transformer_submodules", 1);
        return PeftPlan.uniform(m.layers(), LayerPlan.NONE.withPrefix(new PrefixSpec(cfg.integer("num_virtual_tokens"))));
    }

    private static void expect(JsonConfig cfg, String field, int value) throws AdapterFormatException {
        int got = cfg.integer(field, value);
        if (got != value) {
            throw new AdapterFormatException(cfg.file + ": field '" + field + "' is " + got + " but the model has " + value);
        }
    }
}
