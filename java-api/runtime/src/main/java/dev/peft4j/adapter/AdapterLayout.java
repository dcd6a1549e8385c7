package dev.peft4j.adapter;

import dev.peft4j.model.Parameter;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.LoraTarget;
import dev.peft4j.peft.PeftPlan;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which tensors an adapter file holds for a plan on a model, and under which keys (ADAPTER-FORMAT.md):
 * <ul>
 *   <li>LoRA: {@code base_model.model.<module>.lora_A.weight} {@code [r,in]} and {@code lora_B.weight} {@code [out,r]};
 *       GPT-2 q/k/v live in c_attn ({@link Slot.StackedA}/{@link Slot.BlockDiagonalB} when written by peft4j,
 *       {@link Slot.SharedA}/{@link Slot.RowSplitB} for peft's own shared-A files).</li>
 *   <li>(IA)³: {@code <module>.ia3_l}: key/value {@code [d,1]}, FFN {@code output.dense} (GPT-2 {@code mlp.c_proj})
 *       {@code [1,f]} scaling that layer's input, i.e. our l_ff ⊙ γ(W₁x); GPT-2 c_attn {@code [3d,1]}.</li>
 *   <li>prefix: "prompt_embeddings" {@code [L, layers·2·d]} for peft's PREFIX_TUNING, else per layer
 *       {@code <layer>.attention.self.prefix_k / prefix_v} {@code [L,d]}.</li>
 *   <li>everything else trainable (adapters, learned adapter scales, BitFit biases): {@code base_model.model.}
 *       + root + our parameter name; the classifier head: {@code base_model.model.classifier.weight/bias}
 *       (peft's modules_to_save keys once "modules_to_save.default" is stripped), {@code base_model.classifier.*}
 *       in a PREFIX_TUNING file ({@link #PROMPT_LEARNING_BASE}).</li>
 * </ul>
 */
final class AdapterLayout {
    static final String BASE = "base_model.model.";
    /**
     * Where peft's prompt-learning files (PREFIX_TUNING) keep the head: their PeftModel's base_model is the
     * transformers model itself (no tuner in between), so modules_to_save come out as {@code base_model.classifier.*}.
     */
    static final String PROMPT_LEARNING_BASE = "base_model.";
    private static final List<LoraTarget> QKV = List.of(LoraTarget.QUERY, LoraTarget.KEY, LoraTarget.VALUE);

    private AdapterLayout() {}

    static List<Slot> slots(AdapterModel m, PeftPlan plan, PeftType type, boolean sharedCAttn) {
        List<Slot> out = new ArrayList<>();
        int d = m.hidden();
        int f = m.intermediate();
        String root = BASE + m.root();
        List<String> prefixK = new ArrayList<>();
        List<String> prefixV = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) {
            LayerPlan lp = plan.layer(i);
            if (lp.lora() != null) {
                lora(m, i, lp.lora(), sharedCAttn, out);
            }
            if (lp.ia3()) {
                if (m.naming().fusedQkv()) {
                    out.add(new Slot.CAttnIa3(BASE + m.hfModule(i, LoraTarget.KEY) + ".ia3_l", m.ia3K(i), m.ia3V(i), d));
                } else {
                    out.add(new Slot.Direct(BASE + m.hfModule(i, LoraTarget.KEY) + ".ia3_l", m.ia3K(i), new int[] {d, 1}));
                    out.add(new Slot.Direct(BASE + m.hfModule(i, LoraTarget.VALUE) + ".ia3_l", m.ia3V(i), new int[] {d, 1}));
                }
                out.add(new Slot.Direct(BASE + m.hfModule(i, LoraTarget.FFN_OUT) + ".ia3_l", m.ia3Ff(i), new int[] {1, f}));
            }
            if (lp.prefix() != null) {
                if (type == PeftType.PREFIX_TUNING) {
                    prefixK.add(m.prefixK(i));
                    prefixV.add(m.prefixV(i));
                } else {
                    int l = lp.prefix().length();
                    out.add(new Slot.Direct(root + m.prefixK(i), m.prefixK(i), new int[] {l, d}));
                    out.add(new Slot.Direct(root + m.prefixV(i), m.prefixV(i), new int[] {l, d}));
                }
            }
        }
        if (!prefixK.isEmpty()) {
            out.add(new Slot.PromptEmbeddings("prompt_embeddings", prefixK, prefixV, plan.layer(0).prefix().length(), d));
        }
        Set<String> covered = new HashSet<>();
        out.forEach(s -> covered.addAll(s.params()));
        for (Parameter p : m.trainableParameters()) {
            if (!covered.contains(p.name())) {
                String key = p.name().startsWith("classifier.") ? headKey(type, p.name()) : root + p.name();
                out.add(new Slot.Direct(key, p.name(), p.value().shape()));
            }
        }
        return out;
    }

    /** The key of a head parameter ("classifier.weight") in a file of this type. */
    static String headKey(PeftType type, String param) {
        return (type == PeftType.PREFIX_TUNING ? PROMPT_LEARNING_BASE : BASE) + param;
    }

    private static void lora(AdapterModel m, int i, LoraSpec spec, boolean sharedCAttn, List<Slot> out) {
        int r = spec.rank();
        int d = m.hidden();
        List<String> qkvA = new ArrayList<>();
        List<String> qkvB = new ArrayList<>();
        List<Integer> parts = new ArrayList<>();
        for (LoraTarget t : LoraTarget.values()) {
            if (!spec.targets().contains(t)) {
                continue;
            }
            String ours = m.ourModule(i, t);
            if (m.naming().inFusedQkv(t)) {
                qkvA.add(ours + ".lora_A.weight");
                qkvB.add(ours + ".lora_B.weight");
                parts.add(QKV.indexOf(t));
                continue;
            }
            String key = BASE + m.hfModule(i, t);
            int[] w = m.parameter(ours + ".weight").value().shape();
            out.add(new Slot.Direct(key + ".lora_A.weight", ours + ".lora_A.weight", new int[] {r, w[1]}));
            out.add(new Slot.Direct(key + ".lora_B.weight", ours + ".lora_B.weight", new int[] {w[0], r}));
        }
        if (!qkvA.isEmpty()) {
            String key = BASE + m.hfModule(i, LoraTarget.QUERY);
            if (sharedCAttn) {
                out.add(new Slot.SharedA(key + ".lora_A.weight", qkvA, r, d));
                out.add(new Slot.RowSplitB(key + ".lora_B.weight", qkvB, r, d));
            } else {
                out.add(new Slot.StackedA(key + ".lora_A.weight", qkvA, r, d));
                out.add(new Slot.BlockDiagonalB(key + ".lora_B.weight", qkvB,
                        parts.stream().mapToInt(Integer::intValue).toArray(), r, d));
            }
        }
    }

    /** How many of q, k, v a GPT-2 layer's LoRA targets (the c_attn block count). */
    static int qkvCount(LoraSpec spec) {
        return (int) QKV.stream().filter(spec.targets()::contains).count();
    }
}
