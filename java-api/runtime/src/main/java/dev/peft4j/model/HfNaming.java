package dev.peft4j.model;

import dev.peft4j.peft.LoraTarget;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * How Hugging Face (transformers and peft) names one architecture's modules, and how peft4j names the same modules:
 * the layer list ("encoder.layer." / "h."), each LoRA target's module inside a layer, and whether q, k and v share
 * one fused Conv1D (GPT-2's {@code c_attn}, stored {@code [in,out]}, so peft writes {@code fan_in_fan_out}).
 *
 * @param architecture    the architecture's name in peft4j's adapter files ("BERT", "GPT2")
 * @param bareRoot        the transformer's prefix inside the bare Hugging Face model ("" for BERT, "transformer.")
 * @param modelRoot       the transformer's prefix inside Hugging Face's task model ("bert." in
 *                        BertForSequenceClassification, "transformer." in GPT2LMHeadModel)
 * @param bareTaskType    peft's task type for the bare model
 * @param layerPrefix     the layer list's name with its dot, before the layer index
 * @param layersPattern   peft's {@code layers_pattern}: the module-list name before the layer index
 * @param ours            peft4j's module inside a layer for each LoRA target (without ".weight")
 * @param hf              Hugging Face's module inside a layer for each LoRA target (q, k, v share it when fused)
 * @param targetNames     the module suffix peft matches in {@code target_modules} for each LoRA target
 * @param fusedQkv        whether q, k, v live in one fused Conv1D
 */
public record HfNaming(String architecture, String bareRoot, String modelRoot, String bareTaskType, String layerPrefix, String layersPattern,
                       Map<LoraTarget, String> ours, Map<LoraTarget, String> hf, Map<LoraTarget, String> targetNames,
                       boolean fusedQkv) {

    /** BERT (BertModel / BertForSequenceClassification). */
    public static final HfNaming BERT = new HfNaming("BERT", "", "bert.", "FEATURE_EXTRACTION", "encoder.layer.", "layer",
            byTarget("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
                    "intermediate.dense", "output.dense"),
            byTarget("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
                    "intermediate.dense", "output.dense"),
            byTarget("query", "key", "value", "attention.output.dense", "intermediate.dense", "output.dense"),
            false);

    /** GPT-2 (GPT2LMHeadModel): q, k, v in the fused {@code attn.c_attn}. */
    public static final HfNaming GPT2 = new HfNaming("GPT2", "transformer.", "transformer.", "CAUSAL_LM", "h.", "h",
            byTarget("attn.query", "attn.key", "attn.value", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"),
            byTarget("attn.c_attn", "attn.c_attn", "attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"),
            byTarget("c_attn", "c_attn", "c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"),
            true);

    public HfNaming {
        ours = Map.copyOf(ours);
        hf = Map.copyOf(hf);
        targetNames = Map.copyOf(targetNames);
    }

    /** peft4j's module (without ".weight") that LoRA target t wraps in layer i. */
    public String ourModule(int i, LoraTarget t) {
        return layerPrefix + i + "." + ours.get(t);
    }

    /** Hugging Face's module path in layer i (without the root) that holds target t. */
    public String hfModule(int i, LoraTarget t) {
        return layerPrefix + i + "." + hf.get(t);
    }

    /** Whether target t is one of q, k, v stored in the fused Conv1D. */
    public boolean inFusedQkv(LoraTarget t) {
        return fusedQkv && (t == LoraTarget.QUERY || t == LoraTarget.KEY || t == LoraTarget.VALUE);
    }

    /**
     * Whether peft's suffix matching of {@code targetNames} over the targets {@code chosen} would hit exactly their
     * modules: false when a chosen target's name is also a suffix of a module not chosen (BERT's "output.dense" also
     * ends "attention.output.dense").
     */
    public boolean suffixesAreExact(Set<LoraTarget> chosen) {
        for (LoraTarget t : chosen) {
            for (LoraTarget other : LoraTarget.values()) {
                if (!hf.get(other).equals(hf.get(t)) && !chosen.contains(other)
                        && hf.get(other).endsWith(targetNames.get(t))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static Map<LoraTarget, String> byTarget(String q, String k, String v, String attnOut, String ffnIn,
                                                    String ffnOut) {
        Map<LoraTarget, String> m = new EnumMap<>(LoraTarget.class);
        m.put(LoraTarget.QUERY, q);
        m.put(LoraTarget.KEY, k);
        m.put(LoraTarget.VALUE, v);
        m.put(LoraTarget.ATTENTION_OUTPUT, attnOut);
        m.put(LoraTarget.FFN_IN, ffnIn);
        m.put(LoraTarget.FFN_OUT, ffnOut);
        return m;
    }
}
