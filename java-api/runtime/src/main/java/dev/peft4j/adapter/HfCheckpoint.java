package dev.peft4j.adapter;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.io.SafeTensors;
import dev.peft4j.io.SafeTensorsContent;
import dev.peft4j.io.TensorData;
import dev.peft4j.model.BertConfig;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Gpt2Config;
import dev.peft4j.model.Gpt2Model;
import dev.peft4j.model.Parameter;
import dev.peft4j.model.Pooling;
import dev.peft4j.model.SequenceClassifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A Hugging Face checkpoint folder: {@code config.json} + {@code model.safetensors} (+ {@code tokenizer.json}).
 *
 * <p>BERT: {@code model_type} "bert" (or BERT sizes present): hidden_size, num_hidden_layers, num_attention_heads,
 * intermediate_size, vocab_size, max_position_embeddings, type_vocab_size, layer_norm_eps, hidden_act; weights
 * named as BertModel ({@code encoder.layer.0...}) or BertForSequenceClassification ({@code bert.encoder...} plus
 * {@code classifier.weight/bias}, whose head reads the pooler {@code pooler.dense.weight/bias}: {@link Pooling#POOLER});
 * the pooler of a checkpoint without a head is not used.
 * GPT-2: n_embd, n_layer, n_head, n_positions, vocab_size, layer_norm_epsilon, activation_function, n_inner;
 * weights {@code h.0.attn.c_attn.weight} with an optional {@code transformer.} prefix.
 *
 * <p>{@link #save} writes the same two files from our models (a merged LoRA model included), so they round-trip.
 */
public final class HfCheckpoint {
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";
    public static final String TOKENIZER = "tokenizer.json";

    public enum Kind { BERT, GPT2 }

    private final Path dir;
    private final Kind kind;
    private final BertConfig bertConfig;
    private final Gpt2Config gpt2Config;
    private final Map<String, TensorData> weights;
    private final TensorData classifierWeight;
    private final TensorData classifierBias;

    private HfCheckpoint(Path dir, Kind kind, BertConfig bertConfig, Gpt2Config gpt2Config, Map<String, TensorData> weights,
                         TensorData classifierWeight, TensorData classifierBias) {
        this.dir = dir;
        this.kind = kind;
        this.bertConfig = bertConfig;
        this.gpt2Config = gpt2Config;
        this.weights = weights;
        this.classifierWeight = classifierWeight;
        this.classifierBias = classifierBias;
    }

    /** Reads the folder's config and weights; names lose their "bert." / "transformer." prefix. */
    public static HfCheckpoint read(Path dir) throws IOException {
        JsonConfig cfg = JsonConfig.read(dir.resolve(CONFIG));
        Path weightsFile = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(weightsFile)) {
            throw new AdapterFormatException(weightsFile + ": file is missing (only safetensors checkpoints are read)");
        }
        SafeTensorsContent content = SafeTensors.readWeights(weightsFile);
        String type = cfg.string("model_type", cfg.has("n_embd") ? "gpt2" : "bert");
        Map<String, TensorData> w = new LinkedHashMap<>();
        if (type.equals("gpt2")) {
            content.tensors().forEach((k, v) -> w.put(k.startsWith("transformer.") ? k.substring(12) : k, v));
            return new HfCheckpoint(dir, Kind.GPT2, null, gpt2Config(cfg), w, null, null);
        }
        if (!type.equals("bert")) {
            throw new AdapterFormatException(cfg.file + ": field 'model_type' is '" + type
                    + "'; only 'bert' and 'gpt2' checkpoints are supported");
        }
        content.tensors().forEach((k, v) -> w.put(k.startsWith("bert.") ? k.substring(5) : k, v));
        TensorData cw = w.remove("classifier.weight");
        TensorData cb = w.remove("classifier.bias");
        if ((cw == null) != (cb == null)) {
            throw new AdapterFormatException(weightsFile + ": key 'classifier." + (cw == null ? "weight" : "bias")
                    + "' is missing while its sibling is present");
        }
        // transformers' BertForSequenceClassification feeds its head the pooler's output; a bare BertModel is pooled
        // at its [CLS] row; a checkpoint peft4j saved says how it pools
        return new HfCheckpoint(dir, Kind.BERT, bertConfig(cfg, cw != null ? Pooling.POOLER : Pooling.CLS), null, w,
                cw, cb);
    }

    public Kind kind() {
        return kind;
    }

    public Path directory() {
        return dir;
    }

    /**
     * The BERT config, or an error for GPT-2. Its pooling is the "peft4j_pooling" field if present, else POOLER for a
     * checkpoint with a classifier head (as transformers' BertForSequenceClassification) and CLS for one without.
     */
    public BertConfig bertConfig() {
        if (bertConfig == null) {
            throw new IllegalStateException(dir + " holds a GPT-2 checkpoint, not BERT");
        }
        return bertConfig;
    }

    public Gpt2Config gpt2Config() {
        if (gpt2Config == null) {
            throw new IllegalStateException(dir + " holds a BERT checkpoint, not GPT-2");
        }
        return gpt2Config;
    }

    /** The weights with the model's own names (no "bert."/"transformer." prefix, no classifier). */
    public Map<String, TensorData> weights() {
        return java.util.Collections.unmodifiableMap(weights);
    }

    /** The folder's tokenizer.json, if it has one. */
    public Optional<Path> tokenizerJson() {
        Path t = dir.resolve(TOKENIZER);
        return Files.isRegularFile(t) ? Optional.of(t) : Optional.empty();
    }

    /** Number of labels of a saved classification head, or 0 when the checkpoint has none. */
    public int numLabels() {
        return classifierWeight == null ? 0 : classifierWeight.shape()[0];
    }

    /** The encoder; a weight missing or shaped unlike config.json fails naming the weights file. */
    public BertModel bert(Backend be) {
        BertConfig cfg = bertConfig();
        try {
            return BertModel.create(be, cfg, weights);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(dir.resolve(WEIGHTS) + " (with " + CONFIG + "): " + e.getMessage(), e);
        }
    }

    /** The GPT-2 model; a weight missing or shaped unlike config.json fails naming the weights file. */
    public Gpt2Model gpt2(Backend be) {
        Gpt2Config cfg = gpt2Config();
        try {
            return Gpt2Model.create(be, cfg, weights);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(dir.resolve(WEIGHTS) + " (with " + CONFIG + "): " + e.getMessage(), e);
        }
    }

    /** A classifier over the encoder whose head is the saved one (shape-checked). */
    public SequenceClassifier classifier(Backend be) throws AdapterFormatException {
        if (classifierWeight == null) {
            throw new AdapterFormatException(dir.resolve(WEIGHTS) + ": key 'classifier.weight' is missing: no saved head");
        }
        int d = bertConfig().hidden();
        int c = classifierWeight.shape()[0];
        if (!Arrays.equals(classifierWeight.shape(), new int[] {c, d}) || !Arrays.equals(classifierBias.shape(), new int[] {c})) {
            throw new AdapterFormatException(dir.resolve(WEIGHTS) + ": key 'classifier.weight' has shape "
                    + Arrays.toString(classifierWeight.shape()) + " and 'classifier.bias' " + Arrays.toString(classifierBias.shape())
                    + "; expected [C, " + d + "] and [C]");
        }
        SequenceClassifier model = new SequenceClassifier(bert(be), c, 0);
        find(model, "classifier.weight").value().copyFrom(classifierWeight.data());
        find(model, "classifier.bias").value().copyFrom(classifierBias.data());
        return model;
    }

    // ---------------------------------------------------------------- saving

    /** Saves the encoder's base weights (BertModel naming); LoRA must be merged first, other PEFT modules are refused. */
    public static void save(Path dir, BertModel model) throws IOException {
        Files.createDirectories(dir);
        writeConfig(dir, bertConfigJson(model.config(), "BertModel"));
        SafeTensors.write(dir.resolve(WEIGHTS), BaseWeights.bert(model, ""), Map.of("format", "pt"));
    }

    /** Saves a classifier as BertForSequenceClassification naming ("bert." prefix, classifier.weight/bias). */
    public static void save(Path dir, SequenceClassifier model) throws IOException {
        Files.createDirectories(dir);
        JsonObject cfg = bertConfigJson(model.encoder().config(), "BertForSequenceClassification");
        JsonObject id2label = new JsonObject();
        for (int i = 0; i < model.numLabels(); i++) {
            id2label.addProperty(Integer.toString(i), "LABEL_" + i);
        }
        cfg.add("id2label", id2label);
        writeConfig(dir, cfg);
        Map<String, TensorData> w = BaseWeights.bert(model.encoder(), "bert.");
        for (String name : new String[] {"classifier.weight", "classifier.bias"}) {
            Parameter p = find(model, name);
            w.put(name, new TensorData(p.value().shape(), p.value().toArray()));
        }
        SafeTensors.write(dir.resolve(WEIGHTS), w, Map.of("format", "pt"));
    }

    /** Saves a GPT-2 model in Hugging Face naming: c_attn re-joined {@code [d, 3d]}, Conv1D weights {@code [in, out]}. */
    public static void save(Path dir, Gpt2Model model) throws IOException {
        Files.createDirectories(dir);
        Gpt2Config c = model.config();
        JsonObject cfg = new JsonObject();
        JsonArray arch = new JsonArray();
        arch.add("GPT2LMHeadModel");
        cfg.add("architectures", arch);
        cfg.addProperty("model_type", "gpt2");
        cfg.addProperty("n_embd", c.hidden());
        cfg.addProperty("n_layer", c.layers());
        cfg.addProperty("n_head", c.heads());
        cfg.addProperty("n_inner", c.intermediate());
        cfg.addProperty("n_positions", c.maxPositions());
        cfg.addProperty("n_ctx", c.maxPositions());
        cfg.addProperty("vocab_size", c.vocabSize());
        cfg.addProperty("layer_norm_epsilon", c.layerNormEps());
        cfg.addProperty("activation_function", activationName(c.activation()));
        cfg.addProperty("resid_pdrop", c.dropout());
        cfg.addProperty("embd_pdrop", c.dropout());
        cfg.addProperty("attn_pdrop", c.dropout());
        writeConfig(dir, cfg);
        SafeTensors.write(dir.resolve(WEIGHTS), BaseWeights.gpt2(model), Map.of("format", "pt"));
    }

    private static Parameter find(SequenceClassifier model, String name) {
        return model.parameters().stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("the classifier has no parameter " + name));
    }

    private static JsonObject bertConfigJson(BertConfig c, String architecture) {
        JsonObject cfg = new JsonObject();
        JsonArray arch = new JsonArray();
        arch.add(architecture);
        cfg.add("architectures", arch);
        cfg.addProperty("model_type", "bert");
        cfg.addProperty("hidden_size", c.hidden());
        cfg.addProperty("num_hidden_layers", c.layers());
        cfg.addProperty("num_attention_heads", c.heads());
        cfg.addProperty("intermediate_size", c.intermediate());
        cfg.addProperty("vocab_size", c.vocabSize());
        cfg.addProperty("max_position_embeddings", c.maxPositions());
        cfg.addProperty("type_vocab_size", c.typeVocabSize());
        cfg.addProperty("layer_norm_eps", c.layerNormEps());
        cfg.addProperty("hidden_act", activationName(c.activation()));
        cfg.addProperty("hidden_dropout_prob", c.hiddenDropout());
        cfg.addProperty("peft4j_pooling", c.pooling().name());
        return cfg;
    }

    private static void writeConfig(Path dir, JsonObject cfg) throws IOException {
        writeJsonAtomically(dir.resolve(CONFIG), cfg);
    }

    /** Writes pretty JSON to a temporary file in the same folder and renames it over {@code file}. */
    static void writeJsonAtomically(Path file, JsonObject json) throws IOException {
        String text = new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(json) + "\n";
        Path tmp = null;
        try {
            tmp = dev.peft4j.io.TempFiles.createSibling(file);
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw dev.peft4j.io.IoErrors.withPath(file, e);
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    // ---------------------------------------------------------------- config parsing

    private static BertConfig bertConfig(JsonConfig c, Pooling byDefault) throws AdapterFormatException {
        Pooling pooling;
        try {
            pooling = Pooling.valueOf(c.string("peft4j_pooling", byDefault.name()));
        } catch (IllegalArgumentException e) {
            throw new AdapterFormatException(c.file + ": field 'peft4j_pooling' must be one of "
                    + Arrays.toString(Pooling.values()));
        }
        try {
            return new BertConfig(c.integer("vocab_size"), c.integer("hidden_size"), c.integer("num_hidden_layers"),
                    c.integer("num_attention_heads"), c.integer("intermediate_size"), c.integer("max_position_embeddings"),
                    c.integer("type_vocab_size", 2), (float) c.number("layer_norm_eps", 1e-12),
                    activation(c, "hidden_act", "gelu"), (float) c.number("hidden_dropout_prob", 0.1), pooling);
        } catch (IllegalArgumentException e) {
            throw new AdapterFormatException(c.file + ": " + e.getMessage(), e);
        }
    }

    private static Gpt2Config gpt2Config(JsonConfig c) throws AdapterFormatException {
        int d = c.integer("n_embd");
        try {
            return new Gpt2Config(c.integer("vocab_size"), d, c.integer("n_layer"), c.integer("n_head"),
                    c.integer("n_inner", 4 * d), c.integer("n_positions"), (float) c.number("layer_norm_epsilon", 1e-5),
                    activation(c, "activation_function", "gelu_new"), (float) c.number("resid_pdrop", 0.1));
        } catch (IllegalArgumentException e) {
            throw new AdapterFormatException(c.file + ": " + e.getMessage(), e);
        }
    }

    private static Activation activation(JsonConfig c, String field, String fallback) throws AdapterFormatException {
        String name = c.string(field, fallback);
        return switch (name) {
            case "gelu" -> Activation.GELU;
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> Activation.GELU_TANH;
            case "relu" -> Activation.RELU;
            case "silu", "swish" -> Activation.SWISH;
            case "tanh" -> Activation.TANH;
            default -> throw new AdapterFormatException(c.file + ": field '" + field + "' is '" + name
                    + "'; supported: gelu, gelu_new, gelu_pytorch_tanh, relu, silu, tanh");
        };
    }

    static String activationName(Activation a) {
        return switch (a) {
            case GELU -> "gelu";
            case GELU_TANH -> "gelu_new";
            case RELU -> "relu";
            case SWISH -> "silu";
            case TANH -> "tanh";
            case IDENTITY -> "linear";
        };
    }
}
