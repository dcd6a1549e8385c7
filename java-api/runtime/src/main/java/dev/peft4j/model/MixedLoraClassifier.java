package dev.peft4j.model;

import dev.peft4j.backend.Backend;
import dev.peft4j.peft.LoraTarget;
import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Many LoRA classifiers served from one frozen encoder, for inference. Every linear layer that any adapter adapts
 * computes x Wᵀ + b once for the whole batch and then adds, row by row, the LoRA term of the adapter that row's
 * sequence asked for ({@link Backend#loraMixedForward}, the SGMV kernel); each adapter keeps its own head and label
 * count. One batch can mix sequences of every adapter, and the probabilities equal those of each adapter's own
 * classifier on its sequences (up to float rounding), at the cost of one base model instead of k.
 */
public final class MixedLoraClassifier implements AutoCloseable {
    private final BertModel encoder;
    private final Backend be;
    private final List<String> names;
    private final Tensor[] headWeights;
    private final Tensor[] headBiases;
    private final MixedLora.RowAdapters rows;
    private final ReusedTensors owned;
    private final ReusedTensor mask;             // [B,T]
    private final SequencePooling pooling;
    private final ReusedTensor[] adapterPooled;  // per adapter [B_a,d], its sequences' pooled rows
    private final ReusedTensor[] adapterLogits;  // per adapter [B_a,C_a]

    private MixedLoraClassifier(BertModel encoder, List<String> names, Tensor[] headWeights, Tensor[] headBiases,
                                MixedLora.RowAdapters rows) {
        this.encoder = encoder;
        this.be = encoder.backend();
        this.names = List.copyOf(names);
        this.headWeights = headWeights;
        this.headBiases = headBiases;
        this.rows = rows;
        this.owned = new ReusedTensors(be);
        this.mask = owned.next();
        this.pooling = new SequencePooling(encoder);
        this.adapterPooled = new ReusedTensor[names.size()];
        this.adapterLogits = new ReusedTensor[names.size()];
        for (int a = 0; a < names.size(); a++) {
            adapterPooled[a] = owned.next();
            adapterLogits[a] = owned.next();
        }
    }

    /**
     * Copies the LoRA weights and heads of {@code trained} (one per name) onto {@code base}, which this classifier then
     * owns and closes: {@code builder(base)}, {@code add} each, {@code build()}. See {@link Builder#add} for what a
     * trained classifier must be. The trained classifiers stay the caller's and may be closed afterwards.
     */
    public static MixedLoraClassifier of(BertModel base, List<String> names, List<SequenceClassifier> trained) {
        if (names == null || trained == null || names.size() != trained.size()) {
            throw new IllegalArgumentException("need one name per trained classifier; got "
                    + (names == null ? "null" : names.size()) + " names for "
                    + (trained == null ? "null" : trained.size()) + " classifiers");
        }
        Builder b = builder(base);
        for (int i = 0; i < names.size(); i++) {
            b.add(names.get(i), trained.get(i));
        }
        return b.build();
    }

    /** A builder over {@code base}, a bare encoder (no PEFT plan) that the built classifier will own. */
    public static Builder builder(BertModel base) {
        return new Builder(base);
    }

    /**
     * Takes trained classifiers one at a time, keeping host copies of their LoRA weights and heads only, so a caller
     * can load, add and close each in turn (one trained model in memory at a time, besides the base).
     */
    public static final class Builder {
        private final BertModel base;
        private final List<AdapterCopy> added = new ArrayList<>();

        private Builder(BertModel base) {
            if (base == null) {
                throw new IllegalArgumentException("the base encoder is null");
            }
            if (base.plan() != null) {
                throw new IllegalArgumentException("the base encoder carries a PEFT plan; mixed adapters need a bare encoder");
            }
            this.base = base;
        }

        /**
         * Adds {@code trained} as adapter {@code name} (names distinct). It must be LoRA only (its trainable parameters
         * are LoRA A/B and its head; no gate, not merged) on the base: same config, same frozen weights bit for bit.
         */
        public Builder add(String name, SequenceClassifier trained) {
            if (name == null || name.isEmpty() || trained == null) {
                throw new IllegalArgumentException("an adapter needs a name and a trained classifier; got name "
                        + (name == null ? "null" : "'" + name + "'") + (trained == null ? " and no classifier" : ""));
            }
            if (added.stream().anyMatch(c -> c.name().equals(name))) {
                throw new IllegalArgumentException("adapter names must be distinct: '" + name + "' is there already");
            }
            checkLoraOnly(name, trained, base);
            List<EncoderLayer> layers = trained.encoder().layers();
            LoraCopy[][] copies = new LoraCopy[layers.size()][LoraTarget.values().length];
            for (int l = 0; l < layers.size(); l++) {
                for (LoraTarget t : LoraTarget.values()) {
                    Linear lin = PlanAttachment.target(layers.get(l), t);
                    if (lin.hasLora()) {
                        copies[l][t.ordinal()] = new LoraCopy(lin.loraA().value().toArray(), lin.loraB().value().toArray(),
                                lin.loraA().value().dim(0), lin.loraScale());
                    }
                }
            }
            Linear head = trained.head();
            added.add(new AdapterCopy(name, copies, head.weight.value().toArray(), head.bias.value().toArray(),
                    trained.numLabels()));
            return this;
        }

        /** The classifier; it owns the base from now on. */
        public MixedLoraClassifier build() {
            if (added.isEmpty()) {
                throw new IllegalArgumentException("no adapter was added");
            }
            Backend be = base.backend();
            int d = base.config().hidden();
            MixedLora.RowAdapters rows = new MixedLora.RowAdapters();
            List<EncoderLayer> layers = base.layers();
            for (int l = 0; l < layers.size(); l++) {
                for (LoraTarget t : LoraTarget.values()) {
                    List<LoraCopy> here = new ArrayList<>();
                    for (AdapterCopy c : added) {
                        here.add(c.loras()[l][t.ordinal()]);
                    }
                    if (here.stream().anyMatch(java.util.Objects::nonNull)) {
                        Linear target = PlanAttachment.target(layers.get(l), t);
                        target.attachMixedLora(stack(be, here, target.in(), target.out(), rows));
                    }
                }
            }
            Tensor[] w = new Tensor[added.size()];
            Tensor[] b = new Tensor[added.size()];
            for (int i = 0; i < added.size(); i++) {
                AdapterCopy c = added.get(i);
                w[i] = be.fromHost(c.headWeight(), c.labels(), d);
                b[i] = be.fromHost(c.headBias(), c.labels());
            }
            return new MixedLoraClassifier(base, added.stream().map(AdapterCopy::name).toList(), w, b, rows);
        }
    }

    /** What {@link Builder#add} keeps of one trained classifier: loras [layer][LoraTarget ordinal] (null: not adapted). */
    private record AdapterCopy(String name, LoraCopy[][] loras, float[] headWeight, float[] headBias, int labels) {}

    /** One adapter's LoRA on one linear layer, on the host: A [r, in], B [out, r], scale s. */
    private record LoraCopy(float[] a, float[] b, int rank, float scale) {}

    /** The trainable parameters are LoRA (unmerged, ungated) and the head, and the frozen ones are base's. */
    private static void checkLoraOnly(String name, SequenceClassifier c, BertModel base) {
        BertConfig a = c.encoder().config();
        BertConfig b = base.config();
        if (a.vocabSize() != b.vocabSize() || a.hidden() != b.hidden() || a.layers() != b.layers()
                || a.heads() != b.heads() || a.intermediate() != b.intermediate() || a.pooling() != b.pooling()) {
            throw new IllegalArgumentException("adapter '" + name + "' belongs to another model: " + a + " vs the base's " + b);
        }
        Map<Parameter, Boolean> allowed = new IdentityHashMap<>();
        allowed.put(c.head().weight, true);
        allowed.put(c.head().bias, true);
        for (EncoderLayer layer : c.encoder().layers()) {
            for (LoraTarget t : LoraTarget.values()) {
                Linear lin = PlanAttachment.target(layer, t);
                if (lin.hasLora()) {
                    if (lin.loraMerged()) {
                        throw new IllegalArgumentException("adapter '" + name + "': the LoRA of " + lin.weight.name()
                                + " is merged into the weight; unmerge it to serve it next to other adapters");
                    }
                    allowed.put(lin.loraA(), true);
                    allowed.put(lin.loraB(), true);
                }
            }
        }
        for (Parameter p : c.parameters()) {
            if (p.trainable() && !allowed.containsKey(p)) {
                throw new IllegalArgumentException("adapter '" + name + "' trains " + p.name() + ", which is not LoRA;"
                        + " mixed-adapter serving takes LoRA-only classifiers (LoRA A/B and the head)");
            }
        }
        for (Parameter frozen : base.parameters()) {
            Parameter mine = c.encoder().parameter(frozen.name());
            if (mine == null || !Arrays.equals(mine.value().toArray(), frozen.value().toArray())) {
                throw new IllegalArgumentException("adapter '" + name + "' was trained on another base model: "
                        + frozen.name() + (mine == null ? " is missing" : " differs"));
            }
        }
    }

    /** The adapters' LoRA on one linear layer, stacked and zero-padded to the largest rank there (null: not adapted). */
    private static MixedLora stack(Backend be, List<LoraCopy> adapted, int in, int out, MixedLora.RowAdapters rows) {
        int k = adapted.size();
        int r = 0;
        for (LoraCopy c : adapted) {
            r = c == null ? r : Math.max(r, c.rank());
        }
        float[] a = new float[Math.multiplyExact(Math.multiplyExact(k, r), in)];
        float[] b = new float[Math.multiplyExact(Math.multiplyExact(k, out), r)];
        float[] scales = new float[k];
        for (int i = 0; i < k; i++) {
            LoraCopy c = adapted.get(i);
            if (c == null) {
                continue; // zero A and B: this adapter leaves the layer as it is
            }
            int ri = c.rank();
            System.arraycopy(c.a(), 0, a, i * r * in, ri * in); // A_i [ri, in] into rows 0..ri of its [r, in] slice
            for (int o = 0; o < out; o++) {
                System.arraycopy(c.b(), o * ri, b, (i * out + o) * r, ri); // B_i [out, ri] into columns 0..ri
            }
            scales[i] = c.scale();
        }
        return new MixedLora(be.fromHost(a, k, r, in), be.fromHost(b, k, out, r), be.fromHost(scales, k), rows);
    }

    /** The adapters' names, in the order their indices refer to. */
    public List<String> adapters() {
        return names;
    }

    /** The number of labels of adapter {@code adapter}'s head. */
    public int numLabels(int adapter) {
        return headWeights[adapter].dim(0);
    }

    public BertModel encoder() {
        return encoder;
    }

    /**
     * Class probabilities of each sequence of {@code batch} under the adapter {@code adapterOfSequence} names for it:
     * result[i] has {@link #numLabels}(adapterOfSequence[i]) entries.
     */
    public float[][] probabilities(Batch batch, int[] adapterOfSequence) {
        int b = batch.batch();
        int t = batch.seqLen();
        int d = encoder.config().hidden();
        if (adapterOfSequence == null || adapterOfSequence.length != b) {
            throw new IllegalArgumentException("adapterOfSequence must have one entry per sequence (" + b + "), got "
                    + (adapterOfSequence == null ? "null" : adapterOfSequence.length));
        }
        List<List<Integer>> members = new ArrayList<>(Collections.nCopies(names.size(), null));
        int[] perRow = new int[b * t];
        for (int i = 0; i < b; i++) {
            int a = adapterOfSequence[i];
            if (a < 0 || a >= names.size()) {
                throw new IllegalArgumentException("adapterOfSequence[" + i + "] = " + a + " is outside [0, "
                        + names.size() + ") (adapters " + names + ")");
            }
            Arrays.fill(perRow, i * t, (i + 1) * t, a);
            if (members.get(a) == null) {
                members.set(a, new ArrayList<>());
            }
            members.get(a).add(i);
        }
        Tensor mask = null;
        if (batch.mask() != null) {
            mask = this.mask.shaped(b, t);
            be.upload(batch.mask(), mask);
        }
        Pass pass = Pass.inference(b, t, batch.mask(), mask); // packed: only the real rows, each with its adapter
        rows.set(pass.packing() == null ? perRow : pass.packing().pack(perRow));
        Tensor h = encoder.forward(batch.ids(), batch.types(), pass);
        Tensor pooled = pooling.forward(h, mask, b, t);
        float[][] out = new float[b][];
        for (int a = 0; a < names.size(); a++) {
            List<Integer> seqs = members.get(a);
            if (seqs == null) {
                continue;
            }
            int[] idx = seqs.stream().mapToInt(Integer::intValue).toArray();
            int labels = numLabels(a);
            Tensor mine = adapterPooled[a].shaped(idx.length, d);
            be.embeddingForward(pooled, idx, mine); // gathers this adapter's rows
            Tensor logits = adapterLogits[a].shaped(idx.length, labels);
            be.linearForward(mine, headWeights[a], headBiases[a], logits);
            be.softmaxForward(logits, logits);
            float[] p = logits.toArray();
            for (int j = 0; j < idx.length; j++) {
                out[idx[j]] = Arrays.copyOfRange(p, j * labels, (j + 1) * labels);
            }
        }
        return out;
    }

    @Override
    public void close() {
        owned.close();
        pooling.close();
        for (int i = 0; i < headWeights.length; i++) {
            headWeights[i].close();
            headBiases[i].close();
        }
        encoder.close();
    }
}
