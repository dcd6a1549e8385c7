package dev.peft4j.search;

import dev.peft4j.backend.Backend;
import dev.peft4j.backend.BackendOptions;
import dev.peft4j.backend.Backends;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Parameter;
import dev.peft4j.model.SequenceClassifier;
import dev.peft4j.peft.Methods;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.train.Batcher;
import dev.peft4j.train.ClassifierTrainer;
import dev.peft4j.train.EncodedExample;
import dev.peft4j.train.Metrics;
import dev.peft4j.train.TrainConfig;
import dev.peft4j.train.TrainResult;
import java.util.List;
import java.util.function.Function;

/**
 * Runs a trial for real: a fresh backend and encoder per trial (so trials may run on several threads), the plan
 * attached, a fresh head over {@code numLabels} classes, {@link ClassifierTrainer} with the base training settings
 * but the trial's epochs and seed (and, when {@code learningRateFromPlan}, the peak rate of the plan's methods,
 * {@link Methods#learningRate(PeftPlan, int, int)}), on the first N training and validation examples the proxy
 * names; the score is the best validation accuracy or macro-F1. The encoder's trainable count is checked against
 * {@link ParameterCounter}; the parameter fraction excludes the task head, which every plan has. Its
 * {@link #setup()} names the model (with a digest of its weights, built once here), the data (with a digest of the
 * examples), the backend's class, the training settings and the metric.
 */
public final class ClassifierTrialRunner implements TrialRunner {
    /** The validation metric a trial is scored by. */
    public enum Score { ACCURACY, MACRO_F1 }

    private final BackendOptions backendOptions;
    private final Function<Backend, BertModel> encoderFactory;
    private final int numLabels;
    private final List<EncodedExample> train;
    private final List<EncodedExample> validation;
    private final TrainConfig base;
    private final Batcher batcher;
    private final Score score;
    private final boolean learningRateFromPlan;
    private final TrialSetup setup;

    /**
     * @param backendName          passed to {@link Backends#create(String)} for each trial (default options)
     * @param modelName            the base model's name (its weights are digested from {@code encoderFactory})
     * @param encoderFactory       builds the frozen base encoder on a backend (pretrained weights or random)
     * @param data                 the dataset and split the examples come from, e.g. "imdb, split seed 1, 500/200"
     * @param maxLength            the token length the examples were encoded to
     * @param learningRateFromPlan train each plan at its methods' rate instead of {@code base.lr()}
     */
    public ClassifierTrialRunner(String backendName, String modelName, Function<Backend, BertModel> encoderFactory,
                                 String data, int numLabels, List<EncodedExample> train, List<EncodedExample> validation,
                                 int maxLength, TrainConfig base, boolean learningRateFromPlan, Batcher batcher,
                                 Score score) {
        this(BackendOptions.defaults().withBackend(backendName), modelName, encoderFactory, data, numLabels, train,
                validation, maxLength, base, learningRateFromPlan, batcher, score);
    }

    /**
     * As the constructor above, with each trial's backend made by {@link Backends#create(BackendOptions)} from
     * {@code backend}, which must name the backend; its thread count, say, then is the same wherever the trial runs.
     */
    public ClassifierTrialRunner(BackendOptions backend, String modelName, Function<Backend, BertModel> encoderFactory,
                                 String data, int numLabels, List<EncodedExample> train, List<EncodedExample> validation,
                                 int maxLength, TrainConfig base, boolean learningRateFromPlan, Batcher batcher,
                                 Score score) {
        if (backend == null || backend.backend() == null) {
            throw new IllegalArgumentException("a trial runner's backend options must name the backend (\"cpu\", "
                    + "\"reference\", ...), got " + backend);
        }
        if (train.isEmpty() || validation.isEmpty()) {
            throw new IllegalArgumentException("a trial runner needs training and validation examples (got "
                    + train.size() + " and " + validation.size() + ")");
        }
        this.learningRateFromPlan = learningRateFromPlan;
        String backendClass;
        String modelDigest;
        try (Backend be = Backends.create(backend); BertModel probe = encoderFactory.apply(be)) {
            Backend inner = be instanceof dev.peft4j.backend.ValidatingBackend v ? v.unwrap() : be;
            backendClass = inner.getClass().getName() + " (" + be.name() + ")";
            modelDigest = WeightsDigest.of(probe);
        }
        this.setup = new TrialSetup(modelName, modelDigest, data, WeightsDigest.of(train, validation), maxLength,
                backendClass, base, learningRateFromPlan, numLabels, score);
        this.backendOptions = backend;
        this.encoderFactory = encoderFactory;
        this.numLabels = numLabels;
        this.train = List.copyOf(train);
        this.validation = List.copyOf(validation);
        this.base = base;
        this.batcher = batcher;
        this.score = score;
    }

    @Override
    public TrialResult run(Trial trial) {
        long start = System.nanoTime();
        ProxySettings p = trial.proxy();
        try (Backend be = Backends.create(backendOptions);
             SequenceClassifier model = new SequenceClassifier(encoderFactory.apply(be), numLabels, p.seed())) {
            BertModel encoder = model.encoder();
            encoder.applyPlan(trial.plan(), p.seed() + 1);
            long expected = ParameterCounter.count(encoder.config(), trial.plan());
            long actual = encoder.trainableParameters().stream().mapToLong(Parameter::numel).sum();
            double fraction = (double) actual / encoder.baseParameterCount();
            if (actual != expected) {
                return TrialResult.failed(trial, actual, fraction, "the model has " + actual
                        + " trainable parameters but the counter says " + expected, seconds(start));
            }
            float lr = learningRateFromPlan
                    ? Methods.learningRate(trial.plan(), encoder.config().hidden(), encoder.config().intermediate())
                    : base.lr();
            TrainConfig cfg = new TrainConfig(p.epochs(), base.batchSize(), lr, base.weightDecay(),
                    base.warmupFraction(), base.decay(), base.maxGradNorm(), base.accumulationSteps(), base.evalEvery(),
                    base.patience(), p.seed());
            TrainResult r;
            try {
                r = new ClassifierTrainer(cfg, batcher, null).train(model, head(train, p.trainExamples()),
                        head(validation, p.validationExamples()));
            } catch (IllegalStateException e) {
                return TrialResult.failed(trial, actual, fraction, e.getMessage(), seconds(start));
            }
            Metrics best = r.bestValidation();
            if (best == null) {
                return TrialResult.failed(trial, actual, fraction, "training ran no validation", seconds(start));
            }
            double metric = score == Score.ACCURACY ? best.accuracy() : best.macroF1();
            if (!Double.isFinite(metric) || !Double.isFinite(best.loss())) {
                return TrialResult.failed(trial, actual, fraction, "validation diverged (loss " + best.loss() + ")",
                        seconds(start));
            }
            return TrialResult.ok(trial, metric, actual, fraction, seconds(start));
        }
    }

    @Override
    public TrialSetup setup() {
        return setup;
    }

    private static List<EncodedExample> head(List<EncodedExample> all, int n) {
        return n == 0 || n >= all.size() ? all : all.subList(0, n);
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
