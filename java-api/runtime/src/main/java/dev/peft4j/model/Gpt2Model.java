package dev.peft4j.model;

import dev.peft4j.io.TensorData;
import dev.peft4j.backend.Backend;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A GPT-2-style causal language model: h = drop(wte[ids] + wpe[t]), pre-LN decoder layers with a causal mask,
 * LN_f, logits = h wteᵀ (the LM head is tied to the token embedding). Weights carry Hugging Face GPT-2 names
 * (wte.weight, h.0.attn.c_attn.weight, ...); GPT-2 stores its Conv1D weights {@code [in, out]}
 * (fan_in_fan_out), so they are transposed to {@code [out, in]} here, and c_attn {@code [d, 3d]} is split into
 * query, key and value.
 */
public final class Gpt2Model implements TransformerModel {
    private final Backend be;
    private final Gpt2Config config;
    private final Parameter wte;
    private final Parameter wpe;
    private final LayerStack<DecoderLayer> stack;
    private final LayerNorm lnF;
    private final ReusedTensors owned;
    private final Saved saved;
    private final Scratch scratch;
    private final long baseParameters;
    private int positionOffset; // see positionOffset()

    /** What the forward and loss keep for the backward; the tensors belong to this model, ids to the caller. */
    private static final class Saved {
        int[] ids;                    // [N]
        int[] targets;                // [N], the next token or IGNORE_INDEX
        Tensor hidden;                // [N,d], ln_f's output (its buffer)
        final ReusedTensor probs;     // [N,V], softmax of the logits

        Saved(ReusedTensors pool) {
            probs = pool.next();
        }
    }

    /** The forward's result and the intermediates of one forward or backward. */
    private static final class Scratch {
        final ReusedTensor embed;      // [N,d], wte[ids] + wpe[t], then the stack's input
        final ReusedTensor pos;        // [N,d]
        final ReusedTensor embedMask;  // [N,d]
        final ReusedTensor logits;     // [N,V]
        final ReusedTensor dLogits;    // [N,V]
        final ReusedTensor dHidden;    // [N,d]

        Scratch(ReusedTensors pool) {
            embed = pool.next();
            pos = pool.next();
            embedMask = pool.next();
            logits = pool.next();
            dLogits = pool.next();
            dHidden = pool.next();
        }
    }

    private Gpt2Model(Backend be, Gpt2Config config, Parameter wte, Parameter wpe, List<DecoderLayer> layers,
                      SharedScratch layerScratch, LayerNorm lnF) {
        this.be = be;
        this.config = config;
        this.wte = wte;
        this.wpe = wpe;
        this.stack = new LayerStack<>(be, layers, layerScratch, "h.");
        this.lnF = lnF;
        this.owned = new ReusedTensors(be);
        this.saved = new Saved(owned);
        this.scratch = new Scratch(owned);
        this.baseParameters = parameters().stream().mapToLong(Parameter::numel).sum();
    }

    /** Builds the model from Hugging Face GPT-2 weights (names without a "transformer." prefix). */
    public static Gpt2Model create(Backend be, Gpt2Config cfg, Map<String, TensorData> weights) {
        int d = cfg.hidden();
        int f = cfg.intermediate();
        Parameter wte = param(be, weights, "wte.weight", cfg.vocabSize(), d);
        Parameter wpe = param(be, weights, "wpe.weight", cfg.maxPositions(), d);
        List<DecoderLayer> layers = new ArrayList<>();
        SharedScratch layerScratch = new SharedScratch(be);
        for (int i = 0; i < cfg.layers(); i++) {
            String p = "h." + i + ".";
            ScratchSource s = layerScratch.layer();
            TensorData cAttnW = get(weights, p + "attn.c_attn.weight", d, 3 * d);
            TensorData cAttnB = get(weights, p + "attn.c_attn.bias", 3 * d);
            Linear[] qkv = new Linear[3];
            String[] names = {"query", "key", "value"};
            for (int j = 0; j < 3; j++) {
                float[] w = transposeColumns(cAttnW.data(), d, 3 * d, j * d, d);
                float[] b = Arrays.copyOfRange(cAttnB.data(), j * d, (j + 1) * d);
                qkv[j] = new Linear(be, new Parameter(p + "attn." + names[j] + ".weight", be.fromHost(w, d, d)),
                        new Parameter(p + "attn." + names[j] + ".bias", be.fromHost(b, d)), s);
            }
            SelfAttention attn = new SelfAttention(be, qkv[0], qkv[1], qkv[2],
                    conv1d(be, weights, p + "attn.c_proj", d, d, s), cfg.heads(), true, s);
            layers.add(new DecoderLayer(be, i, layerNorm(be, weights, p + "ln_1", d, cfg.layerNormEps(), s), attn,
                    layerNorm(be, weights, p + "ln_2", d, cfg.layerNormEps(), s),
                    conv1d(be, weights, p + "mlp.c_fc", d, f, s), conv1d(be, weights, p + "mlp.c_proj", f, d, s),
                    cfg.activation(), cfg.dropout(), s));
        }
        return new Gpt2Model(be, cfg, wte, wpe, layers, layerScratch,
                layerNorm(be, weights, "ln_f", d, cfg.layerNormEps(), null));
    }

    public Backend backend() {
        return be;
    }

    @Override
    public ModelShape shape() {
        return new ModelShape(config.layers(), config.hidden(), config.heads(), config.intermediate());
    }

    @Override
    public HfNaming naming() {
        return HfNaming.GPT2;
    }

    public Gpt2Config config() {
        return config;
    }

    public void applyPlan(PeftPlan plan, long seed) {
        stack.applyPlan(plan, seed);
    }

    /**
     * Logits {@code [B·T, V]} (a buffer) for ids {@code [B·T]}; the key mask (1 = token, 0 = padding) combines with
     * the causal mask.
     */
    public Tensor logits(int[] ids, Pass pass) {
        if (pass.packing() != null) {
            throw new IllegalArgumentException("GPT-2 runs unpacked passes only; packing is for the encoder");
        }
        if (ids == null || ids.length != pass.tokens()) {
            throw new IllegalArgumentException("ids must hold B·T = " + pass.tokens() + " tokens, got "
                    + (ids == null ? "null" : ids.length));
        }
        if (positionOffset + pass.seqLen() > config.maxPositions()) {
            throw new IllegalArgumentException("sequence length " + pass.seqLen()
                    + (positionOffset > 0 ? " after " + positionOffset + " prefix positions" : "")
                    + " exceeds " + config.maxPositions() + " positions");
        }
        int n = ids.length;
        int d = config.hidden();
        saved.ids = ids;
        int[] positions = new int[n];
        for (int i = 0; i < n; i++) {
            positions[i] = positionOffset + i % pass.seqLen();
        }
        Tensor h = scratch.embed.shaped(n, d);
        Tensor pos = scratch.pos.shaped(n, d);
        be.embeddingForward(wte.value(), ids, h);
        be.embeddingForward(wpe.value(), positions, pos);
        be.add(h, pos, h);
        if (pass.training() && config.dropout() > 0) {
            be.dropoutForward(h, config.dropout(), pass.siteSeed(-1, 0), h, scratch.embedMask.shaped(n, d));
        }
        saved.hidden = lnF.forward(stack.forward(h, pass));
        Tensor logits = scratch.logits.shaped(n, config.vocabSize());
        be.linearForward(saved.hidden, wte.value(), null, logits);
        return logits;
    }

    /**
     * Mean next-token cross-entropy: position t predicts ids[t+1] of the same sequence; the last position and
     * padded positions (mask 0, or a padded next token) are ignored. mask {@code [B·T]} may be null.
     */
    public float loss(int[] ids, float[] mask, Pass pass) {
        Tensor logits = logits(ids, pass);
        int b = pass.batch();
        int t = pass.seqLen();
        int[] targets = new int[ids.length];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                int k = i * t + j;
                boolean valid = j + 1 < t && (mask == null || (mask[k] != 0 && mask[k + 1] != 0));
                targets[k] = valid ? ids[k + 1] : Backend.IGNORE_INDEX;
            }
        }
        saved.targets = targets;
        return be.crossEntropyForward(logits, targets, saved.probs.shaped(ids.length, config.vocabSize()));
    }

    /** Perplexity of a mean cross-entropy. */
    public static double perplexity(float meanLoss) {
        return Math.exp(meanLoss);
    }

    /** Gradients of {@code scale}·loss for every trainable parameter. */
    public void backward(float scale) {
        int n = saved.ids.length;
        Tensor dLogits = scratch.dLogits.shaped(n, config.vocabSize());
        be.crossEntropyBackward(saved.probs.saved(), saved.targets, scale, dLogits);
        Tensor dHidden = scratch.dHidden.shaped(n, config.hidden());
        be.linearBackward(dLogits, saved.hidden, wte.value(), dHidden, null, null);
        int stop = stack.lowestNeedingBackward();
        Tensor g = stop < stack.layers().size() || lnF.gamma.trainable() || lnF.beta.trainable() ? lnF.backward(dHidden) : null;
        stack.backward(g, stop, false);
        if (wte.trainable() || wpe.trainable()) {
            throw new UnsupportedOperationException("training GPT-2's embeddings (full fine-tuning) is not supported; "
                    + "freeze wte and wpe");
        }
    }

    public List<Parameter> parameters() {
        List<Parameter> out = new ArrayList<>();
        out.add(wte);
        out.add(wpe);
        stack.collect(out);
        lnF.collect(out);
        return out;
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
        return config.maxPositions();
    }

    @Override
    public int positionOffset() {
        return positionOffset;
    }

    @Override
    public void setPositionOffset(int offset) {
        this.positionOffset = TransformerModel.checkedPositionOffset(offset, maxPositions());
    }

    List<DecoderLayer> layers() {
        return stack.layers();
    }

    public long baseParameterCount() {
        return baseParameters;
    }

    @Override
    public void close() {
        parameters().forEach(Parameter::close);
        owned.close();
        lnF.close();
        stack.close();
    }

    /** Columns [c0, c0+width) of a row-major {@code [rows, cols]} matrix, transposed to {@code [width, rows]}. */
    static float[] transposeColumns(float[] m, int rows, int cols, int c0, int width) {
        float[] out = new float[width * rows];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < width; c++) {
                out[c * rows + r] = m[r * cols + c0 + c];
            }
        }
        return out;
    }

    /** A Conv1D {@code [in,out]} as a Linear {@code [out,in]}, its backward scratch from {@code scratch} (own when null). */
    private static Linear conv1d(Backend be, Map<String, TensorData> w, String prefix, int in, int out,
                                 ScratchSource scratch) {
        TensorData weight = get(w, prefix + ".weight", in, out);
        TensorData bias = get(w, prefix + ".bias", out);
        return new Linear(be, new Parameter(prefix + ".weight", be.fromHost(transposeColumns(weight.data(), in, out, 0, out), out, in)),
                new Parameter(prefix + ".bias", be.fromHost(bias.data(), out)), scratch);
    }

    private static LayerNorm layerNorm(Backend be, Map<String, TensorData> w, String prefix, int d, float eps,
                                       ScratchSource scratch) {
        return new LayerNorm(be, param(be, w, prefix + ".weight", d), param(be, w, prefix + ".bias", d), eps, scratch);
    }

    private static Parameter param(Backend be, Map<String, TensorData> w, String name, int... shape) {
        return new Parameter(name, be.fromHost(get(w, name, shape).data(), shape));
    }

    private static TensorData get(Map<String, TensorData> w, String name, int... shape) {
        TensorData data = w.get(name);
        if (data == null) {
            throw new IllegalArgumentException("GPT-2 weight '" + name + "' is missing");
        }
        if (!Arrays.equals(data.shape(), shape)) {
            throw new IllegalArgumentException("GPT-2 weight '" + name + "' has shape " + Arrays.toString(data.shape())
                    + " but the config needs " + Arrays.toString(shape));
        }
        return data;
    }
}
