package dev.peft4j.adapter;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.LoraTarget;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.peft.PlanCodec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * adapter_config.json as peft writes it for LORA, IA3 and PREFIX_TUNING (the same field names and meanings), plus
 * the "peft4j" section holding the exact {@link PeftPlan}. peft matches a list in target_modules by module-name
 * suffix and a string by a full regular-expression match; rank_pattern and alpha_pattern keys match a module
 * when {@code (.*\.)?(key)$} does.
 */
final class PeftConfigs {
    /** 2: "plan" holds {@link PlanCodec}'s whole document; 1 (still read): a bare array of snake_case layer objects. */
    static final int FORMAT_VERSION = 2;

    private PeftConfigs() {}

    static JsonObject write(AdapterModel m, PeftPlan plan, PeftType type, String baseModel, ClassifierInfo info) {
        JsonObject c = new JsonObject();
        c.addProperty("peft_type", type.name());
        c.addProperty("task_type", m.taskType());
        c.add("base_model_name_or_path", baseModel == null ? JsonNull.INSTANCE : new com.google.gson.JsonPrimitive(baseModel));
        c.add("revision", JsonNull.INSTANCE);
        c.addProperty("inference_mode", true);
        switch (type) {
            case LORA -> lora(c, m, plan);
            case IA3 -> ia3(c, m, plan);
            case PREFIX_TUNING -> prefix(c, m, plan);
            case PEFT4J -> { }
        }
        JsonObject own = new JsonObject();
        own.addProperty("format_version", FORMAT_VERSION);
        own.addProperty("architecture", m.naming().architecture());
        own.addProperty("layers", m.layers());
        own.addProperty("hidden", m.hidden());
        own.add("plan", PlanCodec.toJson(plan));
        if (m.hasClassifier()) {
            own.addProperty("pooling", m.headPooling().name()); // what the saved head was trained on
        }
        if (m.model().positionOffset() != 0) {
            own.addProperty("position_offset", m.model().positionOffset()); // where the tokens' positions start
        }
        if (info != null) {
            com.google.gson.JsonArray labels = new com.google.gson.JsonArray();
            info.labels().forEach(labels::add);
            own.add("labels", labels);
            own.addProperty("max_length", info.maxLength());
        }
        c.add("peft4j", own);
        return c;
    }

    private static JsonElement modulesToSave(AdapterModel m) {
        if (!m.hasClassifier()) {
            return JsonNull.INSTANCE;
        }
        JsonArray a = new JsonArray();
        a.add("classifier"); // peft's PeftModelForSequenceClassification adds these two names
        a.add("score");
        return a;
    }

    private static void lora(JsonObject c, AdapterModel m, PeftPlan plan) {
        List<Integer> loraLayers = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) {
            if (plan.layer(i).lora() != null) {
                loraLayers.add(i);
            }
        }
        LoraSpec g = plan.layer(loraLayers.get(0)).lora();
        boolean sameTargets = loraLayers.stream().allMatch(i -> plan.layer(i).lora().targets().equals(g.targets()));
        boolean ambiguous = !m.naming().suffixesAreExact(g.targets()); // BERT's "output.dense" also ends attention.output.dense
        JsonObject rankPattern = new JsonObject();
        JsonObject alphaPattern = new JsonObject();
        Set<String> modules = new LinkedHashSet<>();
        for (int i : loraLayers) {
            LoraSpec s = plan.layer(i).lora();
            double scale = s.rsLora() ? s.alpha() / Math.sqrt(s.rank()) : (double) s.alpha() / s.rank();
            for (LoraTarget t : LoraTarget.values()) {
                if (!s.targets().contains(t) || !modules.add(m.hfModule(i, t))) {
                    continue;
                }
                boolean block = m.naming().inFusedQkv(t);
                int rank = block ? AdapterLayout.qkvCount(s) * s.rank() : s.rank();
                double alpha = g.rsLora() ? scale * Math.sqrt(rank) : scale * rank;
                String path = m.hfModule(i, t);
                if (rank != g.rank()) {
                    rankPattern.addProperty(path, rank);
                }
                if (Math.abs(alpha - g.alpha()) > 1e-9 * Math.abs(g.alpha())) {
                    alphaPattern.addProperty(path, alpha);
                }
            }
        }
        c.addProperty("r", g.rank());
        c.add("lora_alpha", number(g.alpha()));
        c.addProperty("lora_dropout", g.dropout());
        c.addProperty("use_rslora", g.rsLora());
        c.addProperty("fan_in_fan_out", m.naming().fusedQkv());
        c.addProperty("bias", "none");
        c.add("modules_to_save", modulesToSave(m));
        c.addProperty("init_lora_weights", true);
        c.addProperty("use_dora", false);
        c.add("rank_pattern", rankPattern);
        c.add("alpha_pattern", alphaPattern);
        if (sameTargets && !ambiguous) {
            Set<String> names = new TreeSet<>();
            g.targets().forEach(t -> names.add(m.targetName(t)));
            JsonArray a = new JsonArray();
            names.forEach(a::add);
            c.add("target_modules", a);
            if (loraLayers.size() < plan.size()) {
                JsonArray l = new JsonArray();
                loraLayers.forEach(l::add);
                c.add("layers_to_transform", l);
                c.addProperty("layers_pattern", m.layersPattern());
            } else {
                c.add("layers_to_transform", JsonNull.INSTANCE);
                c.add("layers_pattern", JsonNull.INSTANCE);
            }
        } else {
            c.addProperty("target_modules", alternation(modules));
            c.add("layers_to_transform", JsonNull.INSTANCE);
            c.add("layers_pattern", JsonNull.INSTANCE);
        }
    }

    /** The modules (IA)³ scales, by the LoRA target that names them: keys, values and the FFN output. */
    private static final List<LoraTarget> IA3_TARGETS = List.of(LoraTarget.KEY, LoraTarget.VALUE, LoraTarget.FFN_OUT);

    private static void ia3(JsonObject c, AdapterModel m, PeftPlan plan) {
        List<String> targets = new ArrayList<>();
        List<String> ffn = new ArrayList<>();
        boolean all = true;
        for (int i = 0; i < plan.size(); i++) {
            if (!plan.layer(i).ia3()) {
                all = false;
                continue;
            }
            for (LoraTarget t : IA3_TARGETS) {
                String module = m.hfModule(i, t);
                if (!targets.contains(module)) {
                    targets.add(module);
                }
            }
            ffn.add(m.hfModule(i, LoraTarget.FFN_OUT));
        }
        if (all && m.naming().suffixesAreExact(Set.copyOf(IA3_TARGETS))) {
            JsonArray t = new JsonArray();
            new LinkedHashSet<>(IA3_TARGETS.stream().map(m::targetName).toList()).forEach(t::add);
            JsonArray f = new JsonArray();
            f.add(m.targetName(LoraTarget.FFN_OUT));
            c.add("target_modules", t);
            c.add("feedforward_modules", f);
        } else {
            // BERT: a suffix list would make "output.dense" also hit attention.output.dense, so name modules exactly.
            c.addProperty("target_modules", alternation(targets));
            c.addProperty("feedforward_modules", alternation(ffn));
        }
        c.addProperty("fan_in_fan_out", m.naming().fusedQkv());
        c.add("modules_to_save", modulesToSave(m));
        c.addProperty("init_ia3_weights", true);
    }

    private static void prefix(JsonObject c, AdapterModel m, PeftPlan plan) {
        c.addProperty("num_virtual_tokens", plan.layer(0).prefix().length());
        c.addProperty("token_dim", m.hidden());
        c.addProperty("num_transformer_submodules", 1);
        c.addProperty("num_attention_heads", m.heads());
        c.addProperty("num_layers", m.layers());
        c.addProperty("encoder_hidden_size", m.hidden());
        c.addProperty("prefix_projection", false);
    }

    /** A regular expression that fully matches exactly the given module paths. */
    static String alternation(Iterable<String> paths) {
        StringBuilder b = new StringBuilder("(");
        for (String p : paths) {
            if (b.length() > 1) {
                b.append('|');
            }
            b.append(p.replace(".", "\\."));
        }
        return b.append(')').toString();
    }

    private static JsonElement number(float v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? new com.google.gson.JsonPrimitive((long) v)
                : new com.google.gson.JsonPrimitive(v);
    }

    /**
     * The plan's peft type: peft's own where the plan is pure LoRA, pure (IA)³ or uniform prefix tuning, and has no
     * gate (peft has none); anything else is PEFT4J.
     */
    static PeftType typeOf(PeftPlan plan) {
        if (plan.anyGate()) {
            return PeftType.PEFT4J;
        }
        boolean onlyLora = true;
        boolean onlyIa3 = true;
        boolean uniformPrefix = plan.uniformPrefixLength().isPresent();
        boolean anyLora = false;
        boolean anyIa3 = false;
        for (LayerPlan l : plan.layers()) {
            boolean adapters = l.attnAdapter() != null || l.ffnAdapter() != null || l.parallelAdapter() != null || l.bitfit();
            onlyLora &= !adapters && l.prefix() == null && !l.ia3();
            onlyIa3 &= !adapters && l.prefix() == null && l.lora() == null;
            uniformPrefix = uniformPrefix && !adapters && l.lora() == null && !l.ia3()
                    && l.prefix().equals(plan.layer(0).prefix()); // prefix non-null: uniformPrefixLength is present
            anyLora |= l.lora() != null;
            anyIa3 |= l.ia3();
        }
        if (onlyLora && anyLora) {
            return PeftType.LORA;
        }
        if (onlyIa3 && anyIa3) {
            return PeftType.IA3;
        }
        return uniformPrefix ? PeftType.PREFIX_TUNING : PeftType.PEFT4J;
    }
}
