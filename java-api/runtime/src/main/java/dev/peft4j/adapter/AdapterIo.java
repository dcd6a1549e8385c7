package dev.peft4j.adapter;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.peft4j.io.SafeTensors;
import dev.peft4j.io.SafeTensorsContent;
import dev.peft4j.io.TensorData;
import dev.peft4j.model.Pooling;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.peft.PlanCodec;
import dev.peft4j.peft.PlanFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads and writes adapters as a folder with {@code adapter_config.json} and {@code adapter_model.safetensors}
 * (metadata {"format": "pt"}) in Hugging Face peft's format; see java-api/ADAPTER-FORMAT.md for every key.
 * Saving stores the trainable values of the model's attached plan; loading attaches the file's plan to a model
 * that has none yet and copies the values in, failing with the file and key on any mismatch.
 */
public final class AdapterIo {
    public static final String CONFIG = "adapter_config.json";
    public static final String WEIGHTS = "adapter_model.safetensors";

    private AdapterIo() {}

    /** Writes the model's plan and trainable values; returns the peft_type written. */
    public static PeftType save(Path dir, AdapterModel model, String baseModelNameOrPath) throws IOException {
        return save(dir, model, baseModelNameOrPath, null);
    }

    /**
     * Writes the model's plan and trainable values and, for a classifier, its label names and tokenisation length
     * ({@code info}, nullable), so that the folder alone can classify text ({@code dev.peft4j.text.TextClassifier}).
     */
    public static PeftType save(Path dir, AdapterModel model, String baseModelNameOrPath, ClassifierInfo info)
            throws IOException {

        PeftPlan plan = model.plan();
        if (plan == null) {
            throw new IllegalStateException("the model has no PEFT plan attached: nothing to save");
        }
        if (plan.reparameterisedPrefix() != null) {
            throw new IllegalStateException("the model's prefixes are still computed by the reparameterisation MLP; "
                    + "call dropPrefixReparameterisation() first (adapter files hold the final prefixes, as peft saves them)");
        }
        PeftType type = PeftConfigs.typeOf(plan);
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        for (Slot s : AdapterLayout.slots(model, plan, type, false)) {
            if (tensors.put(s.key(), s.encode(model)) != null) {
                throw new IllegalStateException("two tensors map to the adapter key " + s.key());
            }
        }
        Files.createDirectories(dir);
        SafeTensors.write(dir.resolve(WEIGHTS), tensors, Map.of("format", "pt"));
        HfCheckpoint.writeJsonAtomically(dir.resolve(CONFIG), PeftConfigs.write(model, plan, type, baseModelNameOrPath, info));
        return type;
    }

    /**
     * Attaches the adapter's plan to {@code model} (which must have none; new parameters are drawn from
     * {@code seed} and then overwritten) and loads its values. Returns the plan.
     */
    public static PeftPlan load(Path dir, AdapterModel model, long seed) throws IOException {
        if (model.plan() != null) {
            throw new IllegalStateException("the model already has a PEFT plan; load an adapter into a fresh base model");
        }
        Path configFile = dir.resolve(CONFIG);
        Path weightsFile = dir.resolve(WEIGHTS);
        JsonConfig cfg = JsonConfig.read(configFile);
        String typeName = cfg.string("peft_type");
        PeftType type;
        try {
            type = PeftType.valueOf(typeName);
        } catch (IllegalArgumentException e) {
            throw new AdapterFormatException(configFile + ": field 'peft_type' is '" + typeName + "'; peft4j reads "
                    + Arrays.toString(PeftType.values()));
        }
        if (!Files.isRegularFile(weightsFile)) {
            throw new AdapterFormatException(weightsFile + ": file is missing");
        }
        SafeTensorsContent content = SafeTensors.readWeights(weightsFile);
        String file = weightsFile.toString();
        Map<String, TensorData> tensors = normalise(content.tensors(), model, type, file);
        PeftPlan plan;
        boolean shared = false;
        Set<String> ignorable = Set.of();
        if (cfg.has("peft4j")) {
            JsonConfig own = new JsonConfig(configFile, cfg.object("peft4j"));
            HfFieldChecks.formatVersion(own, cfg);
            String arch = own.string("architecture");
            if (!arch.equals(model.naming().architecture())) {
                throw new AdapterFormatException(configFile + ": field 'peft4j.architecture' is " + arch
                        + " but the model is " + model.naming().architecture());
            }
            if (own.integer("layers") != model.layers() || own.integer("hidden") != model.hidden()) {
                throw new AdapterFormatException(configFile + ": fields 'peft4j.layers'/'peft4j.hidden' are "
                        + own.integer("layers") + "/" + own.integer("hidden") + " but the model has " + model.layers()
                        + "/" + model.hidden());
            }
            plan = storedPlan(own, configFile);
            if (plan.size() != model.layers()) {
                throw new AdapterFormatException(configFile + ": field 'peft4j.plan' has " + plan.size()
                        + " layers but the model has " + model.layers());
            }
            if (PeftConfigs.typeOf(plan) != type) {
                throw new AdapterFormatException(configFile + ": field 'peft_type' is " + type + " but the peft4j plan is "
                        + PeftConfigs.typeOf(plan));
            }
            if (type == PeftType.LORA) {
                HfFieldChecks.loraAgainstPlan(cfg, plan);
            }
        } else {
            DerivedPlans.Derived d;
            try {
                d = DerivedPlans.derive(type, cfg, tensors, model, file);
            } catch (IllegalArgumentException e) { // a spec's own validation (e.g. lora_dropout outside [0, 1))
                throw new AdapterFormatException(configFile + ": " + e.getMessage(), e);
            }
            plan = d.plan();
            shared = d.sharedCAttn();
            ignorable = d.ignorable();
        }
        if (type == PeftType.LORA) {
            HfFieldChecks.lora(cfg, tensors, model, file);
        }
        checkHeadPooling(cfg, configFile, model, tensors);
        int offset = positionOffset(cfg, configFile, type, plan);
        if (offset >= model.maxPositions()) {
            throw new AdapterFormatException(configFile + ": the tokens' positions would start at " + offset
                    + (cfg.has("peft4j") ? " (field 'peft4j.position_offset')" : " (after the prefix)")
                    + ", but the model has " + model.maxPositions() + " positions");
        }
        checkBeforeAllocating(model, plan, type, shared, tensors, file);
        model.applyPlan(plan, seed);
        model.model().setPositionOffset(offset);
        Set<String> used = new HashSet<>(ignorable);
        List<Slot> slots = AdapterLayout.slots(model, plan, type, shared);
        for (Slot s : slots) {
            TensorData t = check(s, tensors, type, file);
            s.decode(t, model, file);
            used.add(s.key());
        }
        Set<String> extra = new TreeSet<>(tensors.keySet());
        extra.removeAll(used);
        if (!extra.isEmpty()) {
            throw new AdapterFormatException(file + ": key '" + extra.iterator().next() + "' is not part of the " + type
                    + " plan for this model" + (extra.size() > 1 ? " (" + extra.size() + " such keys: " + extra + ")" : ""));
        }
        return plan;
    }

    /**
     * Where the tokens' position ids start ({@link dev.peft4j.model.TransformerModel#positionOffset}): the peft4j
     * section's {@code position_offset} (0 when absent), or, for a PREFIX_TUNING file Hugging Face peft wrote, the
     * prefix length L, because transformers numbers the tokens after the L past key/values it was trained with.
     */
    private static int positionOffset(JsonConfig cfg, Path configFile, PeftType type, PeftPlan plan)
            throws AdapterFormatException {
        if (cfg.has("peft4j")) {
            JsonConfig own = new JsonConfig(configFile, cfg.object("peft4j"));
            if (!own.has("position_offset")) {
                return 0;
            }
            int offset = own.integer("position_offset");
            if (offset < 0) {
                throw new AdapterFormatException(configFile + ": field 'peft4j.position_offset' is " + offset
                        + "; it must be ≥ 0");
            }
            return offset;
        }
        return type == PeftType.PREFIX_TUNING ? plan.layer(0).prefix().length() : 0;
    }

    /**
     * A saved head is valid only over the pooling it was trained on ({@link #savedHeadPooling}): a classifier that
     * pools another way is refused, naming the file and both poolings.
     */
    private static void checkHeadPooling(JsonConfig cfg, Path configFile, AdapterModel model,
                                         Map<String, TensorData> tensors) throws AdapterFormatException {
        if (!model.hasClassifier()) {
            return;
        }
        Pooling have = model.headPooling();
        java.util.Optional<Pooling> saved = savedHeadPooling(cfg, configFile, hasHead(tensors.keySet()));
        if (saved.isEmpty() || saved.get() == have) {
            return;
        }
        if (cfg.has("peft4j")) {
            throw new AdapterFormatException(configFile + ": field 'peft4j.pooling' is " + saved.get() + ": the head"
                    + " was trained on " + saved.get() + "-pooled states, but this classifier pools by " + have
                    + "; load it over a base that pools by " + saved.get());
        }
        throw new AdapterFormatException(configFile + ": this SEQ_CLS adapter was saved by Hugging Face peft (no"
                + " 'peft4j' section): its head was trained on transformers' pooler output, tanh(h_cls W_pᵀ + b_p),"
                + " but this classifier pools by " + have + ", without a pooler; load it over a base with the"
                + " checkpoint's pooler (Pooling.POOLER: HfCheckpoint.read(dir).classifier(backend), or"
                + " BaseModel.huggingFace(dir, Pooling.POOLER))");
    }

    /**
     * The pooling the adapter folder's head was trained on: its peft4j section's {@code pooling}, or POOLER for a head
     * in a file Hugging Face peft wrote (transformers' BertForSequenceClassification reads its pooler's output). Empty
     * without a head, or for a peft4j file written before the field existed.
     */
    public static java.util.Optional<Pooling> headPooling(Path dir) throws IOException {
        Path configFile = dir.resolve(CONFIG);
        return savedHeadPooling(JsonConfig.read(configFile), configFile,
                hasHead(SafeTensors.shapes(dir.resolve(WEIGHTS)).keySet())); // the header alone: no tensor is read
    }

    private static boolean hasHead(Set<String> keys) {
        return keys.stream().anyMatch(k -> k.endsWith("classifier.weight"));
    }

    private static java.util.Optional<Pooling> savedHeadPooling(JsonConfig cfg, Path configFile, boolean hasHead)
            throws AdapterFormatException {
        if (!hasHead) {
            return java.util.Optional.empty();
        }
        if (!cfg.has("peft4j")) {
            return java.util.Optional.of(Pooling.POOLER);
        }
        JsonConfig own = new JsonConfig(configFile, cfg.object("peft4j"));
        if (!own.has("pooling")) {
            return java.util.Optional.empty(); // written before the field existed
        }
        String saved = own.string("pooling");
        try {
            return java.util.Optional.of(Pooling.valueOf(saved));
        } catch (IllegalArgumentException e) {
            throw new AdapterFormatException(configFile + ": field 'peft4j.pooling' is '" + saved + "'; it must be one of "
                    + Arrays.toString(Pooling.values()));
        }
    }

    /**
     * The classifier information of an adapter folder: the label names and tokenisation length peft4j saved with it,
     * or, for an adapter without them (a Hugging Face peft SEQ_CLS adapter), {@code LABEL_0...} for as many labels as
     * its head ({@code classifier.weight}) has rows and {@code defaultMaxLength}. Empty when the adapter has no head.
     */
    public static java.util.Optional<ClassifierInfo> classifierInfo(Path dir, int defaultMaxLength) throws IOException {
        Path configFile = dir.resolve(CONFIG);
        JsonConfig cfg = JsonConfig.read(configFile);
        if (cfg.has("peft4j")) {
            JsonConfig own = new JsonConfig(configFile, cfg.object("peft4j"));
            if (own.has("labels")) {
                JsonElement labels = own.get("labels");
                if (!labels.isJsonArray()) {
                    throw new AdapterFormatException(configFile + ": field 'peft4j.labels' must be an array of strings");
                }
                List<String> names = new java.util.ArrayList<>();
                for (JsonElement e : labels.getAsJsonArray()) {
                    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                        throw new AdapterFormatException(configFile + ": field 'peft4j.labels' must hold strings only");
                    }
                    names.add(e.getAsString());
                }
                try {
                    return java.util.Optional.of(new ClassifierInfo(names, own.integer("max_length")));
                } catch (IllegalArgumentException e) {
                    throw new AdapterFormatException(configFile + ": peft4j section: " + e.getMessage(), e);
                }
            }
        }
        Path weightsFile = dir.resolve(WEIGHTS);
        for (Map.Entry<String, int[]> e : SafeTensors.shapes(weightsFile).entrySet()) { // the header alone
            String k = e.getKey().replace(".modules_to_save.default", "");
            if (k.endsWith("classifier.weight") && e.getValue().length == 2) {
                int rows = e.getValue()[0];
                if (rows < 2) {
                    throw new AdapterFormatException(weightsFile + ": key '" + e.getKey() + "' has " + rows
                            + " row(s); a classifier head needs at least 2");
                }
                return java.util.Optional.of(new ClassifierInfo(ClassifierInfo.defaultLabels(rows), defaultMaxLength));
            }
        }
        return java.util.Optional.empty();
    }

    /** The adapter's {@code base_model_name_or_path}, if it names one. */
    public static java.util.Optional<String> baseModelName(Path dir) throws IOException {
        JsonConfig cfg = JsonConfig.read(dir.resolve(CONFIG));
        return cfg.has("base_model_name_or_path")
                ? java.util.Optional.of(cfg.string("base_model_name_or_path")) : java.util.Optional.empty();
    }

    /**
     * The "peft4j.plan" section: {@link PlanCodec}'s document (format_version 2) or the bare snake_case layer array
     * of format_version 1. Adapter files hold final prefixes, so a reparameterised prefix is refused.
     */
    private static PeftPlan storedPlan(JsonConfig own, Path configFile) throws AdapterFormatException {
        JsonElement stored = own.get("plan");
        String source = configFile + ": peft4j.plan";
        PeftPlan plan;
        try {
            plan = stored.isJsonArray() ? PlanCodec.fromAdapterLayers(stored.getAsJsonArray(), source)
                    : PlanCodec.fromJson(stored, source);
        } catch (PlanFormatException e) {
            throw new AdapterFormatException(e.getMessage(), e);
        }
        if (plan.reparameterisedPrefix() != null) {
            throw new AdapterFormatException(source + ": a prefix has a \"reparameterisation\" MLP size, but adapter files "
                    + "hold the final prefixes (the MLP is dropped before saving): remove the field");
        }
        return plan;
    }

    /**
     * Before the plan allocates anything, every tensor it will create (LoRA factors, (IA)³ vectors, prefixes)
     * must be in the file with the shape the plan implies: a config claiming, say, rank 2³¹ − 1 then fails here,
     * naming the key, instead of allocating. Slots of parameters the model already has are checked after attaching.
     */
    private static void checkBeforeAllocating(AdapterModel model, PeftPlan plan, PeftType type, boolean shared,
                                              Map<String, TensorData> tensors, String file) throws AdapterFormatException {
        Set<String> existing = new HashSet<>();
        model.parameters().forEach(p -> existing.add(p.name()));
        for (Slot s : AdapterLayout.slots(model, plan, type, shared)) {
            if (!existing.containsAll(s.params())) {
                check(s, tensors, type, file);
            }
        }
    }

    /** The file's tensor for {@code s}, which must be present with the slot's shape. */
    private static TensorData check(Slot s, Map<String, TensorData> tensors, PeftType type, String file)
            throws AdapterFormatException {
        TensorData t = tensors.get(s.key());
        if (t == null) {
            throw new AdapterFormatException(file + ": key '" + s.key() + "' is missing (the " + type + " plan needs it "
                    + "for " + s.params() + ")");
        }
        if (!Arrays.equals(t.shape(), s.shape())) {
            throw new AdapterFormatException(file + ": key '" + s.key() + "' has shape " + Arrays.toString(t.shape())
                    + " but the model needs " + Arrays.toString(s.shape()));
        }
        return t;
    }

    /**
     * Keys with the root ("bert."/"transformer.") this model uses, whether or not the file's keys carried it, and a
     * head under the prefix its type uses ({@link AdapterLayout#headKey}).
     */
    private static Map<String, TensorData> normalise(Map<String, TensorData> in, AdapterModel m, PeftType type,
                                                     String file) throws AdapterFormatException {
        String base = AdapterLayout.BASE;
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (Map.Entry<String, TensorData> e : in.entrySet()) {
            String k = e.getKey();
            String key = k;
            if (k.startsWith(base)) {
                String rest = k.substring(base.length());
                String other = m.naming().modelRoot();
                if (rest.startsWith(other)) {
                    rest = rest.substring(other.length());
                }
                // a PREFIX_TUNING head under base_model.model. is how peft4j wrote it before following peft
                key = rest.startsWith("classifier.") ? AdapterLayout.headKey(type, rest) : base + m.root() + rest;
            }
            if (out.put(key, e.getValue()) != null) {
                throw new AdapterFormatException(file + ": key '" + k + "' names the same tensor as another key of"
                        + " the file (one with and one without its '" + m.root() + "' or 'model.' part)");
            }
        }
        return out;
    }

    /** The config that {@link #save} would write, for inspection. */
    static JsonObject config(AdapterModel model, String baseModelNameOrPath) {
        return PeftConfigs.write(model, model.plan(), PeftConfigs.typeOf(model.plan()), baseModelNameOrPath, null);
    }
}
