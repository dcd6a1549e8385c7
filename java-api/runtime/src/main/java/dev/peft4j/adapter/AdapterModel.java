package dev.peft4j.adapter;

import dev.peft4j.model.BertModel;
import dev.peft4j.model.Gpt2Model;
import dev.peft4j.model.Parameter;
import dev.peft4j.model.SequenceClassifier;
import dev.peft4j.peft.LoraTarget;
import dev.peft4j.peft.PeftPlan;
import java.util.List;

/**
 * The model an adapter file belongs to: a BERT classifier (peft's SEQ_CLS on BertForSequenceClassification,
 * modules under "bert."), a bare BERT encoder (FEATURE_EXTRACTION, no root) or GPT-2 (CAUSAL_LM, "transformer.").
 * It knows the model's names for each module and Hugging Face's.
 */
public final class AdapterModel {
    public enum Arch { BERT, GPT2 }

    private final Arch arch;
    private final BertModel bert;
    private final Gpt2Model gpt2;
    private final SequenceClassifier classifier;

    private AdapterModel(Arch arch, BertModel bert, Gpt2Model gpt2, SequenceClassifier classifier) {
        this.arch = arch;
        this.bert = bert;
        this.gpt2 = gpt2;
        this.classifier = classifier;
    }

    public static AdapterModel of(SequenceClassifier c) {
        return new AdapterModel(Arch.BERT, c.encoder(), null, c);
    }

    public static AdapterModel of(BertModel m) {
        return new AdapterModel(Arch.BERT, m, null, null);
    }

    public static AdapterModel of(Gpt2Model m) {
        return new AdapterModel(Arch.GPT2, null, m, null);
    }

    public Arch arch() {
        return arch;
    }

    boolean hasClassifier() {
        return classifier != null;
    }

    PeftPlan plan() {
        return arch == Arch.BERT ? bert.plan() : gpt2.plan();
    }

    void applyPlan(PeftPlan plan, long seed) {
        if (arch == Arch.BERT) {
            bert.applyPlan(plan, seed);
        } else {
            gpt2.applyPlan(plan, seed);
        }
    }

    int layers() {
        return arch == Arch.BERT ? bert.config().layers() : gpt2.config().layers();
    }

    int hidden() {
        return arch == Arch.BERT ? bert.config().hidden() : gpt2.config().hidden();
    }

    int heads() {
        return arch == Arch.BERT ? bert.config().heads() : gpt2.config().heads();
    }

    int intermediate() {
        return arch == Arch.BERT ? bert.config().intermediate() : gpt2.config().intermediate();
    }

    List<Parameter> parameters() {
        return classifier != null ? classifier.parameters() : arch == Arch.BERT ? bert.parameters() : gpt2.parameters();
    }

    List<Parameter> trainableParameters() {
        return parameters().stream().filter(Parameter::trainable).toList();
    }

    Parameter parameter(String name) {
        for (Parameter p : parameters()) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new IllegalStateException("the model has no parameter '" + name + "'");
    }

    /** peft's task type for this model. */
    String taskType() {
        return classifier != null ? "SEQ_CLS" : arch == Arch.BERT ? "FEATURE_EXTRACTION" : "CAUSAL_LM";
    }

    /** The prefix of the transformer inside the Hugging Face model ("bert.", "", "transformer."). */
    String root() {
        return classifier != null ? "bert." : arch == Arch.BERT ? "" : "transformer.";
    }

    String layerPrefix() {
        return arch == Arch.BERT ? "encoder.layer." : "h.";
    }

    /** peft's layers_pattern: the module-list name before the layer index. */
    String layersPattern() {
        return arch == Arch.BERT ? "layer" : "h";
    }

    /** Our name of the linear module (without ".weight") that LoRA target t wraps in layer i. */
    String ourModule(int i, LoraTarget t) {
        String p = layerPrefix() + i + ".";
        if (arch == Arch.BERT) {
            return p + bertModule(t);
        }
        return p + switch (t) {
            case QUERY -> "attn.query";
            case KEY -> "attn.key";
            case VALUE -> "attn.value";
            case ATTENTION_OUTPUT -> "attn.c_proj";
            case FFN_IN -> "mlp.c_fc";
            case FFN_OUT -> "mlp.c_proj";
        };
    }

    /** Hugging Face's module path (with the root) that holds target t in layer i; q, k, v share c_attn in GPT-2. */
    String hfModule(int i, LoraTarget t) {
        if (arch == Arch.GPT2 && (t == LoraTarget.QUERY || t == LoraTarget.KEY || t == LoraTarget.VALUE)) {
            return root() + layerPrefix() + i + ".attn.c_attn";
        }
        return root() + ourModule(i, t);
    }

    /** The module suffix peft matches in target_modules for target t. */
    String targetName(LoraTarget t) {
        if (arch == Arch.BERT) {
            return switch (t) {
                case QUERY -> "query";
                case KEY -> "key";
                case VALUE -> "value";
                default -> bertModule(t);
            };
        }
        return switch (t) {
            case QUERY, KEY, VALUE -> "c_attn";
            case ATTENTION_OUTPUT -> "attn.c_proj";
            case FFN_IN -> "mlp.c_fc";
            case FFN_OUT -> "mlp.c_proj";
        };
    }

    private static String bertModule(LoraTarget t) {
        return switch (t) {
            case QUERY -> "attention.self.query";
            case KEY -> "attention.self.key";
            case VALUE -> "attention.self.value";
            case ATTENTION_OUTPUT -> "attention.output.dense";
            case FFN_IN -> "intermediate.dense";
            case FFN_OUT -> "output.dense";
        };
    }

    /** Our names of layer i's (IA)³ vectors and prefix matrices (as PlanAttachment names them). */
    String ia3K(int i) {
        return layerPrefix() + i + ".attention.self.ia3_k";
    }

    String ia3V(int i) {
        return layerPrefix() + i + ".attention.self.ia3_v";
    }

    String ia3Ff(int i) {
        return layerPrefix() + i + ".intermediate.ia3_ff";
    }

    String prefixK(int i) {
        return layerPrefix() + i + ".attention.self.prefix_k";
    }

    String prefixV(int i) {
        return layerPrefix() + i + ".attention.self.prefix_v";
    }
}
