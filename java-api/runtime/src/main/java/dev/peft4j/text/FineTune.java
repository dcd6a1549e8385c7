package dev.peft4j.text;

import dev.peft4j.adapter.AdapterIo;
import dev.peft4j.adapter.AdapterModel;
import dev.peft4j.adapter.ClassifierInfo;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.ContrastiveObjective;
import dev.peft4j.model.Parameter;
import dev.peft4j.model.SequenceClassifier;
import dev.peft4j.model.TrainableReport;
import dev.peft4j.peft.Methods;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.peft.PlanCodec;
import dev.peft4j.tokenizer.WordPieceTokenizer;
import dev.peft4j.train.Batcher;
import dev.peft4j.train.CheckpointOptions;
import dev.peft4j.train.ClassifierTrainer;
import dev.peft4j.train.EmbeddingTrainer;
import dev.peft4j.train.EncodedPair;
import dev.peft4j.train.EncodedExample;
import dev.peft4j.train.Metrics;
import dev.peft4j.train.TrainConfig;
import dev.peft4j.train.TrainListener;
import dev.peft4j.train.TrainResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Fine-tunes a base model with a PEFT method (a named one, a plan, or a plan file from {@code peft4j search}), for
 * one of two objectives:
 * <ul>
 *   <li>{@link #classifier classifier}: a fresh head on top, trained on labelled texts by cross-entropy, saved as an
 *       adapter folder that {@link TextClassifier} loads alone;</li>
 *   <li>{@link #embedding(BaseModel, List) embedding}: the encoder's embeddings, trained on (anchor, positive) text
 *       pairs, given or drawn from labelled texts, by the contrastive objective with in-batch negatives
 *       ({@link ContrastiveObjective}, the multiple-negatives ranking loss of sentence-transformers), saved as an
 *       adapter folder that {@link TextEncoder} loads ({@code TextEncoder.builder(base).adapter(folder)}).</li>
 * </ul>
 * Progress arrives as {@link FineTuneEvent}s; {@link #cancel()} stops the run after the step in progress.
 *
 * <pre>{@code
 * FineTuneResult r = FineTune.classifier(BaseModel.miniLm(), train, List.of("negative", "positive"))
 *         .method("lora").epochs(2).validation(validation)
 *         .saveTo(Path.of("my-classifier"))
 *         .listener(e -> { if (e instanceof FineTuneEvent.Step s) System.out.println(s.loss()); })
 *         .build().run();
 * FineTuneResult e = FineTune.embedding(BaseModel.miniLm(), train, 4000)    // 4,000 same-label pairs drawn from train
 *         .method("lora").epochs(1).validation(heldOut)                       // retrieval scored before and after
 *         .saveTo(Path.of("my-encoder"))
 *         .build().run();
 * }</pre>
 *
 * A run is used once: {@link #run()} or {@link #start(Executor)}.
 */
public final class FineTune {
    /** Peak learning rate of a LoRA embedding run: the rate measured for contrastive LoRA on IMDB (README.md). */
    static final float EMBEDDING_LORA_LEARNING_RATE = 5e-4f;
    /** Neighbours of the k-NN label accuracy that scores an embedding run's held-out texts. */
    public static final int RETRIEVAL_K = 10;

    private final Builder b;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean cancelRequested = new AtomicBoolean();

    private FineTune(Builder b) {
        this.b = b;
    }

    /**
     * A classifier fine-tuning of {@code base} on {@code train}, whose labels index {@code labels} (at least two
     * names; every example must be labelled).
     */
    public static Builder classifier(BaseModel base, List<TextExample> train, List<String> labels) {
        return new Builder(base, train, labels);
    }

    /**
     * An embedding fine-tuning of {@code base} on (anchor, positive) pairs: each anchor is pulled towards its positive
     * and pushed from the other positives of its batch (except those of pairs in the same group ≥ 0).
     */
    public static Builder embedding(BaseModel base, List<TextPair> pairs) {
        Objects.requireNonNull(pairs, "pairs");
        for (int i = 0; i < pairs.size(); i++) {
            if (pairs.get(i) == null) {
                throw new IllegalArgumentException("pair " + i + " is null");
            }
        }
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("no training pairs");
        }
        return new Builder(base, List.copyOf(pairs), null, 0);
    }

    /**
     * An embedding fine-tuning of {@code base} on {@code pairs} pairs drawn from labelled texts (two different texts
     * of one label; {@link TextPairs#fromExamples}, with the run's {@link Builder#seed seed}). A pair's group is its
     * label, so texts of one label are not pushed apart as each other's negatives.
     */
    public static Builder embedding(BaseModel base, List<TextExample> labelled, int pairs) {
        if (pairs < 1) {
            throw new IllegalArgumentException("pairs must be ≥ 1, got " + pairs);
        }
        List<TextExample> source = List.copyOf(Objects.requireNonNull(labelled, "labelled"));
        TextPairs.fromExamples(source, 1, 0);   // refuses unlabelled texts and labels without two texts, now
        return new Builder(base, null, source, pairs);
    }

    /** Asks the run to stop after the optimizer step in progress; it then saves what it has, as at any end. */
    public void cancel() {
        cancelRequested.set(true);
    }

    /** Runs on {@code executor}; the future completes with the result or the failure. */
    public CompletableFuture<FineTuneResult> start(Executor executor) {
        Objects.requireNonNull(executor, "executor");
        return CompletableFuture.supplyAsync(() -> {
            try {
                return run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, executor);
    }

    /** Trains in the calling thread and returns when the run is over (and its adapter saved, if asked). */
    public FineTuneResult run() throws IOException {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("a FineTune runs once; build another for a second run");
        }
        return b.embedding ? runEmbedding() : runClassifier();
    }

    private FineTuneResult runClassifier() throws IOException {
        WordPieceTokenizer tokenizer = b.base.tokenizer();
        List<EncodedExample> train = TextExamples.encode(tokenizer, b.train, b.maxLength);
        List<EncodedExample> validation = TextExamples.encode(tokenizer, b.validation, b.maxLength);
        boolean ownsBackend = b.backend == null;
        Backend be = ownsBackend ? Backends.create() : b.backend;
        try (SequenceClassifier classifier = new SequenceClassifier(b.base.load(be, b.dropout), b.labels.size(), b.seed)) {
            BertModel encoder = classifier.encoder();
            PeftPlan plan = plan(encoder);
            encoder.applyPlan(plan, b.seed);
            placeTokens(encoder, plan);
            long trainable = classifier.trainableParameters().stream().mapToLong(Parameter::numel).sum();
            long baseCount = encoder.baseParameterCount();
            float lr = learningRate(plan, encoder);
            TrainConfig cfg = config(lr);
            Events events = new Events(trainable, baseCount, lr,
                    TrainableReport.of(classifier.trainableParameters(), baseCount), null);
            ClassifierTrainer trainer = new ClassifierTrainer(cfg, new Batcher(tokenizer.padId()), events, b.checkpoint);
            TrainResult r = trainer.train(classifier, train, validation);
            if (r.cancelled()) {
                emit(new FineTuneEvent.Stopped(r.steps(), FineTuneEvent.Stopped.Reason.CANCELLED));
            } else if (r.stoppedEarly()) {
                emit(new FineTuneEvent.Stopped(r.steps(), FineTuneEvent.Stopped.Reason.EARLY_STOPPING));
            }
            if (b.saveTo != null) {
                AdapterIo.save(b.saveTo, AdapterModel.of(classifier), b.base.name(),
                        new ClassifierInfo(b.labels, b.maxLength));
            }
            FineTuneResult result = new FineTuneResult(r, r.bestValidation(), trainable, baseCount, b.saveTo);
            emit(new FineTuneEvent.Finished(result));
            return result;
        } finally {
            if (ownsBackend) {
                be.close();
            }
        }
    }

    /** With {@link Builder#tokensAfterPrefix}: the tokens' positions start after the plan's one prefix length. */
    private void placeTokens(BertModel encoder, PeftPlan plan) {
        if (!b.tokensAfterPrefix) {
            return;
        }
        java.util.OptionalInt length = plan.uniformPrefixLength();
        if (length.isEmpty()) {
            java.util.Set<Integer> lengths = new java.util.TreeSet<>();
            plan.layers().forEach(layer -> lengths.add(layer.prefix() == null ? 0 : layer.prefix().length()));
            throw new IllegalArgumentException("tokensAfterPrefix needs a prefix of one length on every layer, as"
                    + " transformers runs one; this plan's prefix lengths per layer are " + lengths);
        }
        int l = length.getAsInt();
        if (b.maxLength + l > encoder.maxPositions()) {
            throw new IllegalArgumentException("tokensAfterPrefix: max length " + b.maxLength + " after a " + l
                    + "-position prefix exceeds the model's " + encoder.maxPositions() + " positions");
        }
        encoder.setPositionOffset(l);
    }

    /**
     * The embedding run: the held-out texts scored on the base model, the plan applied, the contrastive objective
     * trained by {@link EmbeddingTrainer}, the held-out texts scored again, the adapter saved.
     */
    private FineTuneResult runEmbedding() throws IOException {
        WordPieceTokenizer tokenizer = b.base.tokenizer();
        List<TextPair> pairs = b.pairs != null ? b.pairs : TextPairs.fromExamples(b.pairSource, b.pairCount, b.seed);
        List<EncodedPair> encoded = TextPairs.encode(pairs, tokenizer, b.maxLength);
        List<int[]> heldOut = new ArrayList<>(b.validation.size());
        int[] heldOutLabels = new int[b.validation.size()];
        for (int i = 0; i < b.validation.size(); i++) {
            heldOut.add(tokenizer.encode(b.validation.get(i).text(), null, b.maxLength).ids());
            heldOutLabels[i] = b.validation.get(i).label();
        }
        boolean ownsBackend = b.backend == null;
        Backend be = ownsBackend ? Backends.create() : b.backend;
        try (BertModel encoder = b.base.load(be, b.dropout);
             ContrastiveObjective objective = new ContrastiveObjective(encoder, b.temperature)) {
            RetrievalMetrics before = retrieval(encoder, heldOut, heldOutLabels, tokenizer.padId());
            PeftPlan plan = plan(encoder);
            encoder.applyPlan(plan, b.seed);
            placeTokens(encoder, plan);
            long trainable = encoder.trainableParameters().stream().mapToLong(Parameter::numel).sum();
            if (trainable == 0) {
                throw new IllegalArgumentException("the plan trains nothing in the encoder ("
                        + (b.plan == null && b.planFile == null ? "method " + b.method : "a plan without modules")
                        + "); an embedding run has no head to train");
            }
            long baseCount = encoder.baseParameterCount();
            float lr = learningRate(plan, encoder);
            Events events = new Events(trainable, baseCount, lr,
                    TrainableReport.of(encoder.trainableParameters(), baseCount), before);
            TrainResult r = new EmbeddingTrainer(config(lr), tokenizer.padId(), events).train(objective, encoded);
            if (r.cancelled()) {
                emit(new FineTuneEvent.Stopped(r.steps(), FineTuneEvent.Stopped.Reason.CANCELLED));
            }
            RetrievalMetrics after = retrieval(encoder, heldOut, heldOutLabels, tokenizer.padId());
            if (after != null) {
                emit(new FineTuneEvent.RetrievalEvaluated(r.steps(), after));
            }
            if (b.saveTo != null) {
                AdapterIo.save(b.saveTo, AdapterModel.of(encoder), b.base.name());
            }
            FineTuneResult result = new FineTuneResult(r, null, trainable, baseCount, b.saveTo, before, after);
            emit(new FineTuneEvent.Finished(result));
            return result;
        } finally {
            if (ownsBackend) {
                be.close();
            }
        }
    }

    /** Same-label retrieval over the held-out texts with the encoder as it is now; null without held-out texts. */
    private static RetrievalMetrics retrieval(BertModel encoder, List<int[]> texts, int[] labels, int padId) {
        if (texts.isEmpty()) {
            return null;
        }
        return RetrievalEvaluation.evaluate(PooledVectors.of(encoder, texts, padId), labels, RETRIEVAL_K);
    }

    /** The plan: given, read from its file, or the named method's for this encoder's shape. */
    private PeftPlan plan(BertModel encoder) throws IOException {
        return b.plan != null ? b.plan
                : b.planFile != null ? PlanCodec.read(b.planFile)
                : Methods.plan(b.method, encoder.config().layers(), encoder.config().hidden(), b.size);
    }

    /** The peak learning rate: given, or the method's own (5e-4 for an embedding run's LoRA), or 1e-3 for a plan. */
    /**
     * The rate set by the caller; else, for a plan, the rate of the methods it is built from; else the method's own
     * (an embedding run's LoRA: the rate measured for contrastive LoRA).
     */
    private float learningRate(PeftPlan plan, BertModel encoder) {
        if (b.learningRate != null) {
            return b.learningRate;
        }
        if (b.plan != null || b.planFile != null) {
            return Methods.learningRate(plan, encoder.config().hidden(), encoder.config().intermediate());
        }
        return b.embedding && b.method.equalsIgnoreCase("lora") ? EMBEDDING_LORA_LEARNING_RATE
                : Methods.learningRate(b.method);
    }

    private TrainConfig config(float lr) {
        return TrainConfig.defaults().withEpochs(b.epochs).withBatchSize(b.batchSize).withLr(lr).withSeed(b.seed);
    }

    private void emit(FineTuneEvent e) {
        b.listener.accept(e);
    }

    /** The trainer's reports, as events; the start carries what the run trains, at what rate. */
    private final class Events implements TrainListener {
        private final long trainable;
        private final long baseCount;
        private final float learningRate;
        private final TrainableReport report;
        private final RetrievalMetrics retrievalBefore;

        Events(long trainable, long baseCount, float learningRate, TrainableReport report,
               RetrievalMetrics retrievalBefore) {
            this.trainable = trainable;
            this.baseCount = baseCount;
            this.learningRate = learningRate;
            this.report = report;
            this.retrievalBefore = retrievalBefore;
        }

        @Override
        public void onStart(long totalSteps) {
            emit(new FineTuneEvent.Started(totalSteps, trainable, baseCount, learningRate, report));
            if (retrievalBefore != null) {
                emit(new FineTuneEvent.RetrievalEvaluated(0, retrievalBefore));
            }
        }

        @Override
        public void onStep(long step, long totalSteps, float loss, float lr, float gradNorm, double tokensPerSecond) {
            emit(new FineTuneEvent.Step(step, totalSteps, loss, lr, gradNorm, tokensPerSecond));
        }

        @Override
        public void onEvaluation(long step, Metrics validation) {
            emit(new FineTuneEvent.Evaluated(step, validation));
        }

        @Override
        public void onCheckpoint(long step, Path file) {
            emit(new FineTuneEvent.Checkpointed(step, file));
        }

        @Override
        public boolean stopRequested() {
            return cancelRequested.get();
        }
    }

    /** Options of a {@link FineTune}; every one but the data has a default. */
    public static final class Builder {
        private final BaseModel base;
        private final boolean embedding;
        private final List<TextExample> train;
        private final List<String> labels;
        private final List<TextPair> pairs;
        private final List<TextExample> pairSource;
        private final int pairCount;
        private float temperature = ContrastiveObjective.DEFAULT_TEMPERATURE;
        private List<TextExample> validation = List.of();
        private String method = "lora";
        private int size;
        private PeftPlan plan;
        private Path planFile;
        private int epochs = 2;
        private int batchSize = TrainConfig.defaults().batchSize();
        private int maxLength = 128;
        private long seed = TrainConfig.defaults().seed();
        private Float learningRate;
        private float dropout = 0.1f;
        private boolean tokensAfterPrefix;
        private Backend backend;
        private CheckpointOptions checkpoint;
        private Path saveTo;
        private Consumer<FineTuneEvent> listener = e -> { };

        private Builder(BaseModel base, List<TextExample> train, List<String> labels) {
            this.base = Objects.requireNonNull(base, "base");
            this.embedding = false;
            this.labels = ClassifierInfo.checkedLabels(labels);
            this.train = checked(train, "train");
            if (this.train.isEmpty()) {
                throw new IllegalArgumentException("the training set is empty");
            }
            this.pairs = null;
            this.pairSource = null;
            this.pairCount = 0;
        }

        private Builder(BaseModel base, List<TextPair> pairs, List<TextExample> pairSource, int pairCount) {
            this.base = Objects.requireNonNull(base, "base");
            this.embedding = true;
            this.train = null;
            this.labels = null;
            this.pairs = pairs;
            this.pairSource = pairSource;
            this.pairCount = pairCount;
        }

        private List<TextExample> checked(List<TextExample> examples, String what) {
            Objects.requireNonNull(examples, what);
            for (int i = 0; i < examples.size(); i++) {
                TextExample e = examples.get(i);
                if (e == null || !e.isLabelled() || (labels != null && e.label() >= labels.size())) {
                    throw new IllegalArgumentException(what + " example " + i + " has label "
                            + (e == null ? "null" : e.label()) + "; labels must "
                            + (labels != null ? "index " + labels : "be ≥ 0"));
                }
            }
            return List.copyOf(examples);
        }

        /**
         * Labelled held-out texts. A classifier run scores them after each epoch, for early stopping and the best
         * parameters. An embedding run scores same-label retrieval over them ({@link RetrievalEvaluation}: k-NN label
         * accuracy with k = {@value FineTune#RETRIEVAL_K}, mean reciprocal rank) before training and after, at the
         * run's max length ({@link FineTuneEvent.RetrievalEvaluated}); it needs at least two. Default none.
         */
        public Builder validation(List<TextExample> validation) {
            List<TextExample> checked = checked(validation, "validation");
            if (embedding && checked.size() == 1) {
                throw new IllegalArgumentException("retrieval needs at least two held-out texts, got 1");
            }
            this.validation = checked;
            return this;
        }

        /**
         * The temperature τ of an embedding run's contrastive objective (similarities are cosines ÷ τ). Default
         * {@value ContrastiveObjective#DEFAULT_TEMPERATURE}, sentence-transformers' scale 20.
         */
        public Builder temperature(float temperature) {
            if (!embedding) {
                throw new IllegalStateException("temperature applies to embedding fine-tuning, not to a classifier");
            }
            if (!(temperature > 0) || !Float.isFinite(temperature)) {
                throw new IllegalArgumentException("temperature must be finite and > 0, got " + temperature);
            }
            this.temperature = temperature;
            return this;
        }

        /**
         * A named PEFT method: lora, houlsby, pfeiffer, parallel, prefix, bitfit, ia3, mam or head; {@code size} is
         * the LoRA rank, adapter width or prefix length (0 = the method's default). Default LoRA r = 8.
         */
        public Builder method(String method, int size) {
            if (!Methods.NAMES.contains(Objects.requireNonNull(method, "method").toLowerCase(java.util.Locale.ROOT))) {
                throw new IllegalArgumentException("unknown PEFT method '" + method + "'; known: " + Methods.NAMES);
            }
            this.method = method;
            this.size = size;
            this.plan = null;
            this.planFile = null;
            return this;
        }

        /** {@link #method(String, int)} with the method's default size. */
        public Builder method(String method) {
            return method(method, 0);
        }

        /** A per-layer plan instead of a named method. */
        public Builder plan(PeftPlan plan) {
            this.plan = Objects.requireNonNull(plan, "plan");
            this.planFile = null;
            return this;
        }

        /** A plan file ({@code best-plan.json} of {@code peft4j search}) instead of a named method. */
        public Builder planFile(Path file) {
            this.planFile = Objects.requireNonNull(file, "file");
            this.plan = null;
            return this;
        }

        /** Passes over the training set. Default 2. */
        public Builder epochs(int epochs) {
            this.epochs = positive("epochs", epochs);
            return this;
        }

        /** Examples (an embedding run: pairs, each other's negatives) per optimizer step. Default 16. */
        public Builder batchSize(int batchSize) {
            this.batchSize = positive("batchSize", batchSize);
            return this;
        }

        /** Tokens per text, [CLS] and [SEP] included; longer texts are truncated. Default 128. */
        public Builder maxLength(int maxLength) {
            if (maxLength < 3) {
                throw new IllegalArgumentException("maxLength must be ≥ 3, got " + maxLength);
            }
            this.maxLength = maxLength;
            return this;
        }

        /** Seed of initialisation, shuffling and dropout. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Peak learning rate. Default: the method's own (1e-3; prefix 1e-2, mam 2e-4); for a plan, the rate of the
         * methods it is built from ({@link Methods#learningRate(PeftPlan, int, int)}); an embedding run's LoRA 5e-4
         * (the rate measured on IMDB; the other methods' rates are not measured for embeddings).
         */
        public Builder learningRate(float lr) {
            if (!(lr > 0) || !Float.isFinite(lr)) {
                throw new IllegalArgumentException("learningRate must be finite and > 0, got " + lr);
            }
            this.learningRate = lr;
            return this;
        }

        /** Hidden dropout while training. Default 0.1. */
        public Builder dropout(float dropout) {
            if (!(dropout >= 0 && dropout < 1)) {
                throw new IllegalArgumentException("dropout must lie in [0, 1), got " + dropout);
            }
            this.dropout = dropout;
            return this;
        }

        /**
         * Numbers the tokens after the plan's prefix (position L + t for token t), as transformers does when it runs
         * a peft prefix: the saved PREFIX_TUNING adapter then gives the same states there. The plan must have one
         * prefix length L on every layer, and maxLength + L must fit the model's positions. Default false: the
         * tokens at positions 0..T−1.
         */
        public Builder tokensAfterPrefix(boolean after) {
            this.tokensAfterPrefix = after;
            return this;
        }

        /** The backend to train on; the caller keeps it and closes it. Default: a new {@code Backends.create()}. */
        public Builder backend(Backend backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
            return this;
        }

        /**
         * Write a resumable checkpoint to {@code file} every {@code every} steps, and resume from it if asked. A
         * classifier run only: an embedding run writes no checkpoints ({@link IllegalStateException}).
         */
        public Builder checkpoint(Path file, int every, boolean resume) {
            if (embedding) {
                throw new IllegalStateException("an embedding run writes no checkpoints (only classifier runs do)");
            }
            this.checkpoint = new CheckpointOptions(file, every, resume);
            return this;
        }

        /**
         * Save the adapter to this folder at the end: a classifier's with its head, label names and max length (for
         * {@link TextClassifier}), an encoder's alone (for {@code TextEncoder.builder(base).adapter(folder)}).
         * Default: not saved.
         */
        public Builder saveTo(Path adapterDir) {
            this.saveTo = Objects.requireNonNull(adapterDir, "adapterDir");
            return this;
        }

        /** Receives every {@link FineTuneEvent}, in the training thread. Default: none. */
        public Builder listener(Consumer<FineTuneEvent> listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** The run, not started. */
        public FineTune build() {
            return new FineTune(this);
        }

        private static int positive(String name, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be ≥ 1, got " + value);
            }
            return value;
        }
    }
}
