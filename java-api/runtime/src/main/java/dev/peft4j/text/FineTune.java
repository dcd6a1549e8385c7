package dev.peft4j.text;

import dev.peft4j.adapter.AdapterIo;
import dev.peft4j.adapter.AdapterModel;
import dev.peft4j.adapter.ClassifierInfo;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.model.BertModel;
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
import dev.peft4j.train.EncodedExample;
import dev.peft4j.train.Metrics;
import dev.peft4j.train.TrainConfig;
import dev.peft4j.train.TrainListener;
import dev.peft4j.train.TrainResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Fine-tunes a text classifier: a base model, a PEFT method (a named one, a plan, or a plan file from
 * {@code peft4j search}) and a fresh head, trained on labelled texts, then saved as an adapter folder that
 * {@link TextClassifier} loads alone. Progress arrives as {@link FineTuneEvent}s; {@link #cancel()} stops the run
 * after the step in progress.
 *
 * <pre>{@code
 * FineTuneResult r = FineTune.classifier(BaseModel.miniLm(), train, List.of("negative", "positive"))
 *         .method("lora").epochs(2).validation(validation)
 *         .saveTo(Path.of("my-classifier"))
 *         .listener(e -> { if (e instanceof FineTuneEvent.Step s) System.out.println(s.loss()); })
 *         .build().run();
 * }</pre>
 *
 * A run is used once: {@link #run()} or {@link #start(Executor)}.
 */
public final class FineTune {
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
        WordPieceTokenizer tokenizer = b.base.tokenizer();
        List<EncodedExample> train = TextExamples.encode(tokenizer, b.train, b.maxLength);
        List<EncodedExample> validation = TextExamples.encode(tokenizer, b.validation, b.maxLength);
        boolean ownsBackend = b.backend == null;
        Backend be = ownsBackend ? Backends.create() : b.backend;
        try (SequenceClassifier classifier = new SequenceClassifier(b.base.load(be, b.dropout), b.labels.size(), b.seed)) {
            BertModel encoder = classifier.encoder();
            PeftPlan plan = b.plan != null ? b.plan
                    : b.planFile != null ? PlanCodec.read(b.planFile)
                    : Methods.plan(b.method, encoder.config().layers(), encoder.config().hidden(), b.size);
            encoder.applyPlan(plan, b.seed);
            long trainable = classifier.trainableParameters().stream().mapToLong(Parameter::numel).sum();
            long baseCount = encoder.baseParameterCount();
            float lr = b.learningRate != null ? b.learningRate : b.plan == null && b.planFile == null
                    ? Methods.learningRate(b.method)
                    : Methods.learningRate(plan, encoder.config().hidden(), encoder.config().intermediate());
            TrainConfig cfg = TrainConfig.defaults().withEpochs(b.epochs).withBatchSize(b.batchSize).withLr(lr)
                    .withSeed(b.seed);
            Events events = new Events(trainable, baseCount, lr,
                    TrainableReport.of(classifier.trainableParameters(), baseCount));
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

    private void emit(FineTuneEvent e) {
        b.listener.accept(e);
    }

    /** The trainer's reports, as events; the start carries what the run trains, at what rate. */
    private final class Events implements TrainListener {
        private final long trainable;
        private final long baseCount;
        private final float learningRate;
        private final TrainableReport report;

        Events(long trainable, long baseCount, float learningRate, TrainableReport report) {
            this.trainable = trainable;
            this.baseCount = baseCount;
            this.learningRate = learningRate;
            this.report = report;
        }

        @Override
        public void onStart(long totalSteps) {
            emit(new FineTuneEvent.Started(totalSteps, trainable, baseCount, learningRate, report));
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
        private final List<TextExample> train;
        private final List<String> labels;
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
        private Backend backend;
        private CheckpointOptions checkpoint;
        private Path saveTo;
        private Consumer<FineTuneEvent> listener = e -> { };

        private Builder(BaseModel base, List<TextExample> train, List<String> labels) {
            this.base = Objects.requireNonNull(base, "base");
            this.labels = ClassifierInfo.checkedLabels(labels);
            this.train = checked(train, "train");
            if (this.train.isEmpty()) {
                throw new IllegalArgumentException("the training set is empty");
            }
        }

        private List<TextExample> checked(List<TextExample> examples, String what) {
            Objects.requireNonNull(examples, what);
            for (int i = 0; i < examples.size(); i++) {
                TextExample e = examples.get(i);
                if (e == null || !e.isLabelled() || e.label() >= labels.size()) {
                    throw new IllegalArgumentException(what + " example " + i + " has label "
                            + (e == null ? "null" : e.label()) + "; labels must index " + labels);
                }
            }
            return List.copyOf(examples);
        }

        /** Labelled texts scored after each epoch, for early stopping and the best parameters. Default none. */
        public Builder validation(List<TextExample> validation) {
            this.validation = checked(validation, "validation");
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

        /** Examples per optimizer step. Default 16. */
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

        /** Peak learning rate. Default: the method's own (1e-3; prefix 1e-2, mam 2e-4); for a plan, the rate of the
         *  methods it is built from ({@link Methods#learningRate(PeftPlan, int, int)}). */
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

        /** The backend to train on; the caller keeps it and closes it. Default: a new {@code Backends.create()}. */
        public Builder backend(Backend backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
            return this;
        }

        /** Write a resumable checkpoint to {@code file} every {@code every} steps, and resume from it if asked. */
        public Builder checkpoint(Path file, int every, boolean resume) {
            this.checkpoint = new CheckpointOptions(file, every, resume);
            return this;
        }

        /** Save the adapter, with the label names and max length, to this folder at the end. Default: not saved. */
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
