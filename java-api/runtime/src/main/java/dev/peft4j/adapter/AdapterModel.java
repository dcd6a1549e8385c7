package dev.peft4j.adapter;

import dev.peft4j.model.BertModel;
import dev.peft4j.model.Gpt2Model;
import dev.peft4j.model.HfNaming;
import dev.peft4j.model.Parameter;
import dev.peft4j.model.Pooling;
import dev.peft4j.model.SequenceClassifier;
import dev.peft4j.model.TransformerModel;
import dev.peft4j.peft.LoraTarget;
import dev.peft4j.peft.PeftPlan;
import java.util.List;

/**
 * The model an adapter file belongs to: a BERT classifier (peft's SEQ_CLS on BertForSequenceClassification,
 * modules under "bert."), a bare BERT encoder (FEATURE_EXTRACTION, no root) or GPT-2 (CAUSAL_LM, "transformer.").
 * It knows the model's names for each module and Hugging Face's, both from the model's {@link HfNaming}.
 */
public final class AdapterModel {
    private final TransformerModel model;
    private final SequenceClassifier classifier;

    private AdapterModel(TransformerModel model, SequenceClassifier classifier) {
        this.model = model;
        this.classifier = classifier;
    }

    public static AdapterModel of(SequenceClassifier c) {
        return new AdapterModel(c.encoder(), c);
    }

    public static AdapterModel of(BertModel m) {
        return new AdapterModel(m, null);
    }

    public static AdapterModel of(Gpt2Model m) {
        return new AdapterModel(m, null);
    }

    /** The transformer (the classifier's encoder when there is a classifier). */
    public TransformerModel model() {
        return model;
    }

    HfNaming naming() {
        return model.naming();
    }

    boolean hasClassifier() {
        return classifier != null;
    }

    /** The model's position embeddings (the most positions a sequence can take). */
    int maxPositions() {
        return model.maxPositions();
    }

    /** How the classifier's encoder pools the states its head reads, or null without a classifier. */
    Pooling headPooling() {
        return classifier != null ? classifier.encoder().config().pooling() : null;
    }

    PeftPlan plan() {
        return model.plan();
    }

    void applyPlan(PeftPlan plan, long seed) {
        model.applyPlan(plan, seed);
    }

    int layers() {
        return model.shape().layers();
    }

    int hidden() {
        return model.shape().hidden();
    }

    int heads() {
        return model.shape().heads();
    }

    int intermediate() {
        return model.shape().intermediate();
    }

    List<Parameter> parameters() {
        return classifier != null ? classifier.parameters() : model.parameters();
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
        return classifier != null ? "SEQ_CLS" : naming().bareTaskType();
    }

    /** The prefix of the transformer inside the Hugging Face model ("bert.", "", "transformer."). */
    String root() {
        return classifier != null ? naming().modelRoot() : naming().bareRoot();
    }

    String layerPrefix() {
        return naming().layerPrefix();
    }

    /** peft's layers_pattern: the module-list name before the layer index. */
    String layersPattern() {
        return naming().layersPattern();
    }

    /** Our name of the linear module (without ".weight") that LoRA target t wraps in layer i. */
    String ourModule(int i, LoraTarget t) {
        return naming().ourModule(i, t);
    }

    /** Hugging Face's module path (with the root) that holds target t in layer i; q, k, v share c_attn in GPT-2. */
    String hfModule(int i, LoraTarget t) {
        return root() + naming().hfModule(i, t);
    }

    /** The module suffix peft matches in target_modules for target t. */
    String targetName(LoraTarget t) {
        return naming().targetNames().get(t);
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
