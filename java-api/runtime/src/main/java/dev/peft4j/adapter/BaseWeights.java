package dev.peft4j.adapter;

import dev.peft4j.io.TensorData;
import dev.peft4j.model.BertConfig;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Gpt2Config;
import dev.peft4j.model.Gpt2Model;
import dev.peft4j.model.LoraMerge;
import dev.peft4j.model.Parameter;
import dev.peft4j.model.Pooling;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.PeftPlan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The base (non-PEFT) weights of a model in Hugging Face naming, for saving a full checkpoint. LoRA must have
 * been merged into the weights; adapters, prefixes and (IA)³ cannot be folded into a plain checkpoint and are
 * refused rather than silently dropped. BitFit only changes biases, which are saved as they are.
 */
final class BaseWeights {
    private BaseWeights() {}

    static Map<String, TensorData> bert(BertModel model, String prefix) {
        checkSavable(model.plan(), model.parameters(), model.plan() != null && LoraMerge.isMerged(model));
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (String name : bertNames(model.config())) {
            out.put(prefix + name, host(model.parameter(name), name));
        }
        return out;
    }

    static Map<String, TensorData> gpt2(Gpt2Model model) {
        checkSavable(model.plan(), model.parameters(), model.plan() != null && LoraMerge.isMerged(model));
        Gpt2Config c = model.config();
        int d = c.hidden();
        Map<String, TensorData> out = new LinkedHashMap<>();
        out.put("wte.weight", host(model.parameter("wte.weight"), "wte.weight"));
        out.put("wpe.weight", host(model.parameter("wpe.weight"), "wpe.weight"));
        for (int i = 0; i < c.layers(); i++) {
            String p = "h." + i + ".";
            for (String ln : new String[] {"ln_1", "ln_2"}) {
                out.put(p + ln + ".weight", host(model.parameter(p + ln + ".weight"), p + ln + ".weight"));
                out.put(p + ln + ".bias", host(model.parameter(p + ln + ".bias"), p + ln + ".bias"));
            }
            float[] w = new float[d * 3 * d];
            float[] b = new float[3 * d];
            String[] parts = {"query", "key", "value"};
            for (int j = 0; j < 3; j++) {
                // c_attn.weight[i][j·d + o] = W_j[o][i]  (Conv1D stores [in, out])
                float[] wj = model.parameter(p + "attn." + parts[j] + ".weight").value().toArray();
                for (int o = 0; o < d; o++) {
                    for (int in = 0; in < d; in++) {
                        w[in * 3 * d + j * d + o] = wj[o * d + in];
                    }
                }
                System.arraycopy(model.parameter(p + "attn." + parts[j] + ".bias").value().toArray(), 0, b, j * d, d);
            }
            out.put(p + "attn.c_attn.weight", new TensorData(new int[] {d, 3 * d}, w));
            out.put(p + "attn.c_attn.bias", new TensorData(new int[] {3 * d}, b));
            for (String conv : new String[] {"attn.c_proj", "mlp.c_fc", "mlp.c_proj"}) {
                out.put(p + conv + ".weight", host(model.parameter(p + conv + ".weight"), p + conv).transpose2d());
                out.put(p + conv + ".bias", host(model.parameter(p + conv + ".bias"), p + conv + ".bias"));
            }
        }
        out.put("ln_f.weight", host(model.parameter("ln_f.weight"), "ln_f.weight"));
        out.put("ln_f.bias", host(model.parameter("ln_f.bias"), "ln_f.bias"));
        return out;
    }

    /** The Hugging Face BertModel weight names for a config. */
    static List<String> bertNames(BertConfig cfg) {
        List<String> n = new ArrayList<>(List.of("embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight"));
        if (cfg.typeVocabSize() > 0) {
            n.add("embeddings.token_type_embeddings.weight");
        }
        n.add("embeddings.LayerNorm.weight");
        n.add("embeddings.LayerNorm.bias");
        for (int i = 0; i < cfg.layers(); i++) {
            String p = "encoder.layer." + i + ".";
            for (String m : new String[] {"attention.self.query", "attention.self.key", "attention.self.value",
                    "attention.output.dense", "attention.output.LayerNorm", "intermediate.dense", "output.dense",
                    "output.LayerNorm"}) {
                n.add(p + m + ".weight");
                n.add(p + m + ".bias");
            }
        }
        if (cfg.pooling() == Pooling.POOLER) {
            n.add(BertModel.POOLER + ".weight");
            n.add(BertModel.POOLER + ".bias");
        }
        return n;
    }

    private static void checkSavable(PeftPlan plan, List<Parameter> params, boolean merged) {
        if (plan == null) {
            return;
        }
        for (int i = 0; i < plan.size(); i++) {
            LayerPlan l = plan.layer(i);
            if (l.attnAdapter() != null || l.ffnAdapter() != null || l.parallelAdapter() != null || l.prefix() != null || l.ia3()) {
                throw new IllegalStateException("layer " + i + " carries adapters, prefixes or (IA)³, which a plain "
                        + "checkpoint cannot hold; save them with AdapterIo instead");
            }
        }
        boolean hasLora = params.stream().anyMatch(p -> p.name().contains(".lora_A."));
        if (hasLora && !merged) {
            throw new IllegalStateException("the model's LoRA is not merged; call LoraMerge.merge first (or save the adapter)");
        }
    }

    private static TensorData host(Parameter p, String name) {
        if (p == null) {
            throw new IllegalStateException("the model has no parameter " + name);
        }
        return new TensorData(p.value().shape(), p.value().toArray());
    }
}
