package dev.peft4j.text;

import dev.peft4j.adapter.AdapterFormatException;
import dev.peft4j.adapter.AdapterIo;
import dev.peft4j.adapter.AdapterModel;
import dev.peft4j.adapter.ClassifierInfo;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.model.Batch;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.FrozenWeights;
import dev.peft4j.model.Pooling;
import dev.peft4j.model.SequenceClassifier;
import dev.peft4j.tensor.Tensor;
import dev.peft4j.tokenizer.WordPieceTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;

/**
 * Text in, label out: a fine-tuned sequence classifier rebuilt from its adapter folder alone (the base model it
 * names, the adapter's weights and head, the label names and tokenisation length peft4j saved beside them; a
 * Hugging Face peft SEQ_CLS adapter without those gets {@code LABEL_0...} and 512 tokens). The base is pooled as the
 * head was trained ({@link AdapterIo#headPooling}): a Hugging Face peft head reads transformers' pooler, so its base
 * must be a Hugging Face folder with {@code pooler.dense.*} (name it with {@link Builder#baseModel}).
 *
 * <p>Thread-safe: concurrent calls are batched together by one worker, as in {@link TextEncoder}; at most
 * {@code queueCapacity} texts wait at once, and a request that does not fit is refused with a
 * {@link RejectedExecutionException}. A text's prediction does not depend on the texts it shares a batch with.
 * Its frozen weights (the layers without LoRA) are handed to the backend once, as in {@link TextEncoder}.
 *
 * <pre>{@code
 * try (TextClassifier classifier = TextClassifier.builder(Path.of("runs/finetune/adapter")).build()) {
 *     Prediction p = classifier.classify("A wonderful, moving film.");   // p.label() = "positive"
 * }
 * }</pre>
 */
public final class TextClassifier implements AutoCloseable {
    /** Tokenisation length for an adapter that does not say (BERT's positions). */
    static final int DEFAULT_MAX_LENGTH = 512;

    private final ClassifierInfo info;
    private final WordPieceTokenizer tokenizer;
    private final Backend backend;
    private final boolean ownsBackend;
    private final SequenceClassifier classifier;
    private final MicroBatcher<int[], float[]> batcher;

    private TextClassifier(Builder b) throws IOException {
        Path dir = b.adapter;
        this.info = b.info != null ? b.info : AdapterIo.classifierInfo(dir, DEFAULT_MAX_LENGTH).orElseThrow(() -> new AdapterFormatException(
                dir.resolve(AdapterIo.CONFIG) + ": the adapter has no classification head (no peft4j labels and no"
                        + " classifier.weight): it cannot classify"));
        BaseModel named = b.base != null ? b.base : BaseModel.resolve(AdapterIo.baseModelName(dir).orElseThrow(
                () -> new AdapterFormatException(dir.resolve(AdapterIo.CONFIG)
                        + ": field 'base_model_name_or_path' is missing; name the base model with builder.baseModel")));
        // the head reads the states it was trained on: the base is pooled as the adapter says
        java.util.Optional<Pooling> headPooling = AdapterIo.headPooling(dir);
        BaseModel base = headPooling.map(named::withPooling).orElse(named);
        this.ownsBackend = b.backend == null;
        this.backend = ownsBackend ? Backends.create() : b.backend;
        SequenceClassifier c = null;
        try {
            this.tokenizer = base.tokenizer();
            c = new SequenceClassifier(load(base, dir, headPooling.isPresent()), info.labels().size(), 0L);
            AdapterIo.load(dir, AdapterModel.of(c), 0L);
            int positions = c.encoder().tokenPositions();
            if (info.maxLength() > positions) {
                throw new AdapterFormatException(dir.resolve(AdapterIo.CONFIG) + ": texts are cut to " + info.maxLength()
                        + " tokens, but after the prefix's " + c.encoder().positionOffset() + " positions the model has "
                        + positions + " left");
            }
            FrozenWeights.prepare(c.encoder()); // inference only: frozen weights packed once, not on every batch
            this.classifier = c;
            this.batcher = new MicroBatcher<>("peft4j TextClassifier (" + dir.getFileName() + ")",
                    b.batching.queueCapacity(), b.batching.maxBatch(), b.batching.maxWait(), this::runBatch);
        } catch (IOException | RuntimeException e) {
            if (c != null) {
                c.close();
            }
            if (ownsBackend) {
                backend.close();
            }
            throw e;
        }
    }

    /** The base encoder; one that cannot pool as the adapter's head needs fails naming the adapter and the reason. */
    private BertModel load(BaseModel base, Path dir, boolean poolingFromAdapter) throws IOException {
        try {
            return base.load(backend, 0f);
        } catch (IllegalArgumentException e) {
            if (!poolingFromAdapter) {
                throw e;
            }
            throw new AdapterFormatException(dir + ": the adapter's head was trained on " + base.pooling()
                    + "-pooled states (a head that Hugging Face peft saved reads transformers' pooler), but base model "
                    + base.name() + " cannot pool that way: " + e.getMessage(), e);
        }
    }

    /** A builder for the classifier saved in {@code adapterDir}. */
    public static Builder builder(Path adapterDir) {
        return new Builder(adapterDir);
    }

    /** The label names, in the head's output order. */
    public List<String> labels() {
        return info.labels();
    }

    /** Tokens per text, [CLS] and [SEP] included; longer texts are truncated, as in training. */
    public int maxLength() {
        return info.maxLength();
    }

    /** The prediction for one text. */
    public Prediction classify(String text) {
        return classify(List.of(text)).get(0);
    }

    /** The predictions for {@code texts}, in order. */
    public List<Prediction> classify(List<String> texts) {
        Objects.requireNonNull(texts, "texts");
        List<float[]> probabilities;
        try (MicroBatcher<int[], float[]>.Arrival arrival = batcher.announce()) { // tokenizing: a batch may wait for it
            List<int[]> ids = new ArrayList<>(texts.size());
            for (int i = 0; i < texts.size(); i++) {
                if (texts.get(i) == null) {
                    throw new IllegalArgumentException("text " + i + " is null");
                }
                ids.add(tokenizer.encode(texts.get(i), null, info.maxLength()).ids());
            }
            probabilities = batcher.process(ids, arrival);
        }
        List<Prediction> out = new ArrayList<>(texts.size());
        for (float[] p : probabilities) {
            int best = 0;
            for (int k = 1; k < p.length; k++) {
                best = p[k] > p[best] ? k : best;
            }
            out.add(new Prediction(info.labels().get(best), best, info.labels(), p));
        }
        return out;
    }

    /** On the worker: class probabilities {@code [C]} per text, softmax of the logits in float64. */
    private List<float[]> runBatch(List<int[]> texts) {
        return PaddedBatches.run(texts, classifier.encoder().tokenPositions(),
                tokenizer.padId(),
                (b, t, ids, mask) -> {
                    Tensor logits = classifier.inferenceLogits(new Batch(b, t, ids, null, mask, null));
                    float[] flat = logits.toArray();
                    int c = info.labels().size();
                    float[][] out = new float[b][];
                    for (int i = 0; i < b; i++) {
                        out[i] = softmax(flat, i * c, c);
                    }
                    return out;
                });
    }

    private static float[] softmax(float[] logits, int from, int count) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < count; k++) {
            max = Math.max(max, logits[from + k]);
        }
        double sum = 0;
        double[] e = new double[count];
        for (int k = 0; k < count; k++) {
            e[k] = Math.exp(logits[from + k] - max);
            sum += e[k];
        }
        float[] p = new float[count];
        for (int k = 0; k < count; k++) {
            p[k] = (float) (e[k] / sum);
        }
        return p;
    }

    /** Stops the worker (waiting requests fail), frees the model, and closes the backend if the classifier made it. */
    @Override
    public void close() {
        batcher.close();
        classifier.close();
        if (ownsBackend) {
            backend.close();
        }
    }

    /** Options of a {@link TextClassifier}; every one has a default. */
    public static final class Builder {
        private final Path adapter;
        private BaseModel base;
        private ClassifierInfo info;
        private Backend backend;
        private BatchingOptions batching = BatchingOptions.defaults();

        private Builder(Path adapter) {
            this.adapter = Objects.requireNonNull(adapter, "adapter");
        }

        /** The base model, when the adapter's {@code base_model_name_or_path} does not resolve on this machine. */
        public Builder baseModel(BaseModel base) {
            this.base = Objects.requireNonNull(base, "base");
            return this;
        }

        /** Label names and tokenisation length, instead of what the adapter folder says (for older adapters). */
        public Builder classifierInfo(ClassifierInfo info) {
            this.info = Objects.requireNonNull(info, "info");
            return this;
        }

        /** The backend to run on; the caller keeps it and closes it. Default: a new {@link Backends#create()}. */
        public Builder backend(Backend backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
            return this;
        }

        /** How concurrent requests are batched. Default {@link BatchingOptions#defaults()}. */
        public Builder batching(BatchingOptions batching) {
            this.batching = Objects.requireNonNull(batching, "batching");
            return this;
        }

        /** Reads the adapter folder and the base model, and starts the worker. */
        public TextClassifier build() throws IOException {
            return new TextClassifier(this);
        }
    }
}
