package dev.peft4j.model;

import dev.peft4j.backend.Activation;
import dev.peft4j.io.TensorData;
import dev.peft4j.io.onnx.BertOnnxWeights;
import dev.peft4j.backend.Backend;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A BERT-style encoder (MiniLM, bge-small, BERT-base) on one backend: embeddings, then post-LN layers, with the
 * PEFT modules of a {@link PeftPlan} attached. Weights carry Hugging Face names without the "bert." prefix
 * (embeddings.word_embeddings.weight, encoder.layer.0.attention.self.query.weight {@code [out,in]}, ...), and,
 * when the config's pooling is {@link Pooling#POOLER}, the pooler (pooler.dense.weight/bias), which
 * {@link SequencePooling} applies after the layers. The base model is frozen; only what the plan adds (and the
 * biases BitFit selects) is trainable.
 */
public final class BertModel implements TransformerModel {
    /** The pooler's module name in Hugging Face BERT naming. */
    public static final String POOLER = "pooler.dense";

    private final Backend be;
    private final BertConfig config;
    private final Embeddings embeddings;
    private final LayerStack<EncoderLayer> stack;
    private final Linear pooler; // pooler.dense [d,d], frozen; null unless the pooling is POOLER
    private final long baseParameters;
    private final ReusedTensors owned;
    private final ReusedTensor unpacked; // [B·T,d], a packed pass's last hidden state at its padded rows
    private int positionOffset; // see positionOffset()
    private boolean lastPassPacked; // a packed pass keeps nothing for a backward

    private BertModel(Backend be, BertConfig config, Embeddings embeddings, List<EncoderLayer> layers,
                      SharedScratch scratch, Linear pooler) {
        this.be = be;
        this.config = config;
        this.embeddings = embeddings;
        this.stack = new LayerStack<>(be, layers, scratch, "encoder.layer.");
        this.pooler = pooler;
        this.baseParameters = parameters().stream().mapToLong(Parameter::numel).sum();
        this.owned = new ReusedTensors(be);
        this.unpacked = owned.next();
    }

    /**
     * Builds the encoder from named host weights, checking that every tensor is present with its expected shape;
     * with {@link Pooling#POOLER} also {@code pooler.dense.weight/bias}.
     */
    public static BertModel create(Backend be, BertConfig cfg, Map<String, TensorData> weights) {
        WeightLookup w = new WeightLookup(be, weights);
        int d = cfg.hidden();
        if (cfg.pooling() == Pooling.POOLER && !weights.containsKey(POOLER + ".weight")) {
            throw new IllegalArgumentException("pooling POOLER needs the checkpoint's pooler, but weight '" + POOLER
                    + ".weight' is missing");
        }
        Embeddings emb = new Embeddings(be,
                w.param("embeddings.word_embeddings.weight", cfg.vocabSize(), d),
                w.param("embeddings.position_embeddings.weight", cfg.maxPositions(), d),
                cfg.typeVocabSize() == 0 ? null : w.param("embeddings.token_type_embeddings.weight", cfg.typeVocabSize(), d),
                new LayerNorm(be, w.param("embeddings.LayerNorm.weight", d), w.param("embeddings.LayerNorm.bias", d),
                        cfg.layerNormEps()),
                cfg.hiddenDropout());
        List<EncoderLayer> layers = new ArrayList<>();
        SharedScratch scratch = new SharedScratch(be);
        for (int i = 0; i < cfg.layers(); i++) {
            String p = "encoder.layer." + i + ".";
            ScratchSource s = scratch.layer();
            SelfAttention attn = new SelfAttention(be,
                    w.linear(p + "attention.self.query", d, d, s),
                    w.linear(p + "attention.self.key", d, d, s),
                    w.linear(p + "attention.self.value", d, d, s),
                    w.linear(p + "attention.output.dense", d, d, s),
                    cfg.heads(), false, s);
            layers.add(new EncoderLayer(be, i, attn,
                    w.layerNorm(p + "attention.output.LayerNorm", d, cfg.layerNormEps(), s),
                    w.linear(p + "intermediate.dense", cfg.intermediate(), d, s),
                    w.linear(p + "output.dense", d, cfg.intermediate(), s),
                    w.layerNorm(p + "output.LayerNorm", d, cfg.layerNormEps(), s),
                    cfg.activation(), cfg.hiddenDropout(), s));
        }
        Linear pooler = cfg.pooling() == Pooling.POOLER ? w.linear(POOLER, d, d, null) : null;
        return new BertModel(be, cfg, emb, layers, scratch, pooler);
    }

    /**
     * The encoder of an ONNX BERT export (the langchain4j embedding models): sizes and eps from the file,
     * erf-GELU, the given pooling and hidden dropout.
     */
    public static BertModel fromOnnx(Backend be, BertOnnxWeights onnx, Pooling pooling, float hiddenDropout) {
        if (pooling == Pooling.POOLER) {
            throw new IllegalArgumentException("pooling POOLER needs a pooler, which ONNX exports of embedding models"
                    + " leave out; pool with CLS or MEAN, or load a Hugging Face checkpoint that has one");
        }
        return create(be, configOf(onnx, pooling, hiddenDropout), onnx.tensors());
    }

    /** The config of an ONNX BERT export: its sizes and eps, erf-GELU, the given pooling and dropout. */
    public static BertConfig configOf(BertOnnxWeights onnx, Pooling pooling, float hiddenDropout) {
        return new BertConfig(onnx.vocab(), onnx.hidden(), onnx.layers(), onnx.heads(), onnx.intermediate(),
                onnx.maxPositions(), onnx.typeVocab(), onnx.layerNormEps(), Activation.GELU, hiddenDropout, pooling);
    }

    /** An encoder with N(0, 0.02) weights, unit LayerNorms and zero biases: for tests and benchmarks. */
    public static BertModel random(Backend be, BertConfig cfg, long seed) {
        return create(be, cfg, RandomWeights.bert(cfg, seed));
    }

    @Override
    public ModelShape shape() {
        return new ModelShape(config.layers(), config.hidden(), config.heads(), config.intermediate());
    }

    @Override
    public HfNaming naming() {
        return HfNaming.BERT;
    }

    public BertConfig config() {
        return config;
    }

    public Backend backend() {
        return be;
    }

    /** Attaches the plan's PEFT modules layer by layer; new parameters are drawn from {@code seed}. */
    public void applyPlan(PeftPlan plan, long seed) {
        stack.applyPlan(plan, seed);
    }

    /**
     * The last hidden state {@code [N, d]}, N = B·T (a buffer of the model, valid until the next forward).
     * ids and types are {@code [B·T]} row-major; types may be null (all 0). A packed pass ({@link Pass#packing()})
     * computes the real rows only; the padding rows of its result hold unspecified values.
     */
    public Tensor forward(int[] ids, int[] types, Pass pass) {
        if (ids == null || ids.length != pass.tokens()) {
            throw new IllegalArgumentException("ids must hold B·T = " + pass.batch() + "·" + pass.seqLen() + " = "
                    + pass.tokens() + " tokens, got " + (ids == null ? "null" : ids.length));
        }
        if (positionOffset + pass.seqLen() > embeddings.maxPositions()) {
            throw new IllegalArgumentException("sequence length " + pass.seqLen()
                    + (positionOffset > 0 ? " after " + positionOffset + " prefix positions" : "")
                    + " exceeds the model's " + embeddings.maxPositions() + " positions");
        }
        int[] t = types == null ? new int[ids.length] : types;
        if (t.length != ids.length) {
            throw new IllegalArgumentException("types has " + t.length + " entries, ids " + ids.length);
        }
        lastPassPacked = pass.packing() != null;
        Tensor h = stack.forward(embeddings.forward(ids, t, pass, positionOffset), pass);
        if (!lastPassPacked) {
            return h;
        }
        Tensor out = unpacked.shaped(pass.tokens(), config.hidden());
        be.embeddingForward(h, pass.packing().packedRows(), out);
        return out;
    }

    /** True when the last forward was a packed pass, after which no backward may run. */
    boolean lastPassPacked() {
        return lastPassPacked;
    }

    /** Backward from dHidden {@code [N, d]}: fills every trainable parameter's gradient. */
    public void backward(Tensor dHidden) {
        if (lastPassPacked) {
            throw new IllegalStateException("the last forward was a packed inference pass, which has no backward;"
                    + " train with unpacked passes");
        }
        boolean intoEmbeddings = embeddings.needsBackward();
        Tensor g = stack.backward(dHidden, intoEmbeddings ? 0 : stack.lowestNeedingBackward(), intoEmbeddings);
        if (intoEmbeddings) {
            embeddings.backward(g);
        }
    }

    /** Every parameter: embeddings, then each layer's base weights and PEFT modules, then the pooler's (if any). */
    public List<Parameter> parameters() {
        List<Parameter> out = new ArrayList<>();
        embeddings.collect(out);
        stack.collect(out);
        if (pooler != null) {
            pooler.collect(out);
        }
        return out;
    }

    /** The pooler (tanh follows it in {@link SequencePooling}), or null unless the pooling is POOLER. */
    Linear pooler() {
        return pooler;
    }

    /**
     * Bakes the prefixes the reparameterisation MLP currently produces into plain trainable prefix parameters and
     * frees the MLP (DESIGN.md §3: the MLP is dropped after training). Outputs stay exactly the same; the plan
     * becomes the same plan with direct prefixes, so the model saves and loads as a plain prefix model.
     */
    public void dropPrefixReparameterisation() {
        stack.dropPrefixReparameterisation();
    }

    /** True while the prefixes are computed by the reparameterisation MLP. */
    public boolean hasPrefixReparameterisation() {
        return stack.hasPrefixReparameterisation();
    }

    /** The plan attached by {@link #applyPlan}, or null when none is attached. */
    public PeftPlan plan() {
        return stack.plan();
    }

    @Override
    public int maxPositions() {
        return embeddings.maxPositions();
    }

    @Override
    public int positionOffset() {
        return positionOffset;
    }

    @Override
    public void setPositionOffset(int offset) {
        this.positionOffset = TransformerModel.checkedPositionOffset(offset, maxPositions());
    }

    List<EncoderLayer> layers() {
        return stack.layers();
    }

    /** Number of values of the pretrained model, without anything a plan added. */
    public long baseParameterCount() {
        return baseParameters;
    }

    @Override
    public void close() {
        owned.close();
        parameters().forEach(Parameter::close);
        embeddings.close();
        stack.close();
        if (pooler != null) {
            pooler.close();
        }
    }

    /** Takes named weights out of a map, with errors that name the missing or misshapen tensor. */
    private static final class WeightLookup {
        private final Backend be;
        private final Map<String, TensorData> weights;

        WeightLookup(Backend be, Map<String, TensorData> weights) {
            this.be = be;
            this.weights = weights;
        }

        Parameter param(String name, int... shape) {
            TensorData w = weights.get(name);
            if (w == null) {
                TreeSet<String> near = new TreeSet<>();
                String stem = name.substring(0, Math.max(0, name.lastIndexOf('.')));
                for (String k : weights.keySet()) {
                    if (k.startsWith(stem)) {
                        near.add(k);
                    }
                }
                throw new IllegalArgumentException("weight '" + name + "' is missing" + (near.isEmpty() ? ""
                        : "; present under that prefix: " + near));
            }
            if (!Arrays.equals(w.shape(), shape)) {
                throw new IllegalArgumentException("weight '" + name + "' has shape " + Arrays.toString(w.shape())
                        + " but the config needs " + Arrays.toString(shape));
            }
            return new Parameter(name, be.fromHost(w.data(), shape));
        }

        Linear linear(String prefix, int out, int in, ScratchSource scratch) {
            return new Linear(be, param(prefix + ".weight", out, in), param(prefix + ".bias", out), scratch);
        }

        LayerNorm layerNorm(String prefix, int d, float eps, ScratchSource scratch) {
            return new LayerNorm(be, param(prefix + ".weight", d), param(prefix + ".bias", d), eps, scratch);
        }
    }
}
