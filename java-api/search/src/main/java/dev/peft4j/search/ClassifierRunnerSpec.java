package dev.peft4j.search;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.BackendOptions;
import dev.peft4j.model.BertConfig;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Pooling;
import dev.peft4j.text.BaseModel;
import dev.peft4j.train.Batcher;
import dev.peft4j.train.EncodedExample;
import dev.peft4j.train.LrSchedule;
import dev.peft4j.train.TrainConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

/**
 * Everything a {@link ClassifierTrialRunner} is built from, in serializable form, so a remote executor rebuilds the
 * same runner on another machine: the backend and its thread count per trial, the base model ({@link Model}: a built-in name or a
 * folder every node sees, or a random encoder for tests), the encoded training and validation examples, the
 * training settings, the pad id and the metric. Make one with {@link #of}; its {@link #key()} is a SHA-256 of all
 * of it.
 *
 * @param threads backend threads per trial, the same on the driver and every node, so results do not depend
 *                on where a trial ran (match it to {@code spark.task.cpus})
 */
public record ClassifierRunnerSpec(String key, String backend, int threads, Model model, String data, int numLabels,
                                   Examples train, Examples validation, int maxLength, Training training,
                                   boolean learningRateFromPlan, int padId, ClassifierTrialRunner.Score score)
        implements TrialRunnerSpec {
    /** The base encoder: how a node makes it. */
    public sealed interface Model extends Serializable permits Named, RandomEncoder {
        /** The model's name in the trial setup. */
        String name();

        /** A function that makes the frozen base encoder on a backend (the weights are read once, here). */
        Function<Backend, BertModel> factory() throws IOException;
    }

    /**
     * A pretrained model by {@link BaseModel#resolve(String)}: a built-in name (its jar on every node's class path)
     * or a Hugging Face folder at the same path on every node; {@code dropout} as in training; {@code pooling} what
     * the head reads ({@link BaseModel#withPooling}), or null for the model's own.
     */
    public record Named(String nameOrPath, float dropout, Pooling pooling) implements Model {
        /** The model pooled as it pools itself. */
        public Named(String nameOrPath, float dropout) {
            this(nameOrPath, dropout, null);
        }

        /** The model's own name, as a local runner of it names it (so journals are shared). */
        @Override
        public String name() {
            try {
                return BaseModel.resolve(nameOrPath).name();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private BaseModel base() throws IOException {
            BaseModel b = BaseModel.resolve(nameOrPath);
            return pooling == null ? b : b.withPooling(pooling);
        }

        @Override
        public Function<Backend, BertModel> factory() throws IOException {
            BaseModel base = base().preloaded();
            return be -> {
                try {
                    return base.load(be, dropout);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            };
        }
    }

    /** A random encoder of this shape and seed ({@link BertModel#random}): tests and measurements. */
    public record RandomEncoder(int vocabSize, int hidden, int layers, int heads, int intermediate, int maxPositions,
                                int typeVocabSize, float layerNormEps, Activation activation, float hiddenDropout,
                                Pooling pooling, long seed) implements Model {
        public static RandomEncoder of(BertConfig c, long seed) {
            return new RandomEncoder(c.vocabSize(), c.hidden(), c.layers(), c.heads(), c.intermediate(), c.maxPositions(),
                    c.typeVocabSize(), c.layerNormEps(), c.activation(), c.hiddenDropout(), c.pooling(), seed);
        }

        public BertConfig config() {
            return new BertConfig(vocabSize, hidden, layers, heads, intermediate, maxPositions, typeVocabSize,
                    layerNormEps, activation, hiddenDropout, pooling);
        }

        @Override
        public String name() {
            return "random " + config() + " seed " + seed;
        }

        @Override
        public Function<Backend, BertModel> factory() {
            BertConfig c = config();
            return be -> BertModel.random(be, c, seed);
        }
    }

    /** Encoded examples as plain arrays. */
    public record Examples(int[][] ids, int[][] types, int[] labels) implements Serializable {
        public static Examples of(List<EncodedExample> list) {
            int[][] ids = new int[list.size()][];
            int[][] types = new int[list.size()][];
            int[] labels = new int[list.size()];
            for (int i = 0; i < labels.length; i++) {
                ids[i] = list.get(i).ids();
                types[i] = list.get(i).types();
                labels[i] = list.get(i).label();
            }
            return new Examples(ids, types, labels);
        }

        public List<EncodedExample> list() {
            List<EncodedExample> out = new ArrayList<>(labels.length);
            for (int i = 0; i < labels.length; i++) {
                out.add(new EncodedExample(ids[i], types[i], labels[i]));
            }
            return out;
        }
    }

    /** A {@link TrainConfig}'s fields. */
    public record Training(int epochs, int batchSize, float lr, float weightDecay, float warmupFraction,
                           LrSchedule.Decay decay, float maxGradNorm, int accumulationSteps, int evalEvery,
                           int patience, long seed) implements Serializable {
        public static Training of(TrainConfig c) {
            return new Training(c.epochs(), c.batchSize(), c.lr(), c.weightDecay(), c.warmupFraction(), c.decay(),
                    c.maxGradNorm(), c.accumulationSteps(), c.evalEvery(), c.patience(), c.seed());
        }

        public TrainConfig config() {
            return new TrainConfig(epochs, batchSize, lr, weightDecay, warmupFraction, decay, maxGradNorm,
                    accumulationSteps, evalEvery, patience, seed);
        }
    }

    public ClassifierRunnerSpec {
        if (backend == null || backend.isBlank() || threads < 1 || model == null || data == null || train == null
                || validation == null || training == null || score == null) {
            throw new IllegalArgumentException("a runner spec needs a backend, threads ≥ 1, a model, data, examples, "
                    + "training settings and a metric (got backend " + backend + ", threads " + threads + ")");
        }
    }

    /**
     * The spec of a {@link ClassifierTrialRunner} with these arguments (see its constructor); the key is computed
     * here.
     */
    public static ClassifierRunnerSpec of(String backend, int threads, Model model, String data, int numLabels,
                                          List<EncodedExample> train, List<EncodedExample> validation, int maxLength,
                                          TrainConfig training, boolean learningRateFromPlan, int padId,
                                          ClassifierTrialRunner.Score score) {
        ClassifierRunnerSpec keyless = new ClassifierRunnerSpec("", backend, threads, model, data, numLabels,
                Examples.of(train), Examples.of(validation), maxLength, Training.of(training), learningRateFromPlan,
                padId, score);
        return keyless.withKey(digest(keyless));
    }

    private ClassifierRunnerSpec withKey(String k) {
        return new ClassifierRunnerSpec(k, backend, threads, model, data, numLabels, train, validation, maxLength,
                training, learningRateFromPlan, padId, score);
    }

    private static String digest(Serializable s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return "classifier-" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public TrialRunner create() throws IOException {
        return new ClassifierTrialRunner(BackendOptions.defaults().withBackend(backend).withThreads(threads),
                model.name(), model.factory(), data, numLabels, train.list(), validation.list(), maxLength,
                training.config(), learningRateFromPlan, new Batcher(padId), score);
    }
}
