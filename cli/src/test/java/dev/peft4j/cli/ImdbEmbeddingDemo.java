package dev.peft4j.cli;

import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.data.Imdb;
import dev.peft4j.data.LabeledDataset;
import dev.peft4j.data.NpmPackageCache;
import dev.peft4j.data.SplitSpec;
import dev.peft4j.data.Splits;
import dev.peft4j.text.TextExample;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.ContrastiveObjective;
import dev.peft4j.model.Parameter;
import dev.peft4j.model.Pass;
import dev.peft4j.model.Pooling;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.tensor.Tensor;
import dev.peft4j.text.BaseModel;
import dev.peft4j.text.RetrievalEvaluation;
import dev.peft4j.text.RetrievalMetrics;
import dev.peft4j.text.TextPair;
import dev.peft4j.text.TextPairs;
import dev.peft4j.tokenizer.WordPieceTokenizer;
import dev.peft4j.train.EmbeddingTrainer;
import dev.peft4j.train.EncodedPair;
import dev.peft4j.train.LrSchedule;
import dev.peft4j.train.TrainConfig;
import dev.peft4j.train.TrainListener;
import dev.peft4j.train.TrainResult;
import java.util.Arrays;
import java.util.List;

/**
 * The embedding fine-tuning demonstration: LoRA-tunes all-MiniLM-L6-v2 (r = 8 on query and value in all 6 layers)
 * with the contrastive objective on pairs of IMDB reviews of the same sentiment drawn from a training split, and
 * reports same-label retrieval on held-out reviews (k-NN label accuracy with k = 10, MRR) before and after, with
 * the trainable fraction and the times. Run through {@code tools/embed-finetune-imdb.sh}.
 *
 * <p>Arguments (all optional, in order): pairs (1000), epochs (1), batch (16), max length (128), held-out reviews
 * (500), seed (42), learning rate (5e-4), training pool (4000 reviews).
 */
public final class ImdbEmbeddingDemo {
    private ImdbEmbeddingDemo() {}

    public static void main(String[] args) throws Exception {
        int pairs = intArg(args, 0, 1000);
        int epochs = intArg(args, 1, 1);
        int batch = intArg(args, 2, 16);
        int maxLength = intArg(args, 3, 128);
        int heldOut = intArg(args, 4, 500);
        long seed = intArg(args, 5, 42);
        float lr = args.length > 6 ? Float.parseFloat(args[6]) : 5e-4f;
        int pool = intArg(args, 7, 4000);

        Splits splits = Imdb.splits(NpmPackageCache.standard(), SplitSpec.counts(pool, 0, heldOut), seed);
        LabeledDataset train = splits.train();
        LabeledDataset test = splits.test();
        BaseModel base = BaseModel.miniLm();
        WordPieceTokenizer tokenizer = base.tokenizer();
        List<TextPair> textPairs = TextPairs.fromLabelled(texts(train), labels(train), pairs, seed);
        List<EncodedPair> encoded = TextPairs.encode(textPairs, tokenizer, maxLength);
        List<int[]> testIds = texts(test).stream().map(t -> tokenizer.encode(t, null, maxLength).ids()).toList();
        int[] testLabels = labels(test);
        System.out.printf("IMDB: %d training reviews (pool for %d pairs), %d held-out reviews %s; max length %d%n",
                train.size(), pairs, test.size(), Arrays.toString(test.labelCounts()), maxLength);

        try (Backend be = Backends.create(); BertModel encoder = base.load(be, 0.1f);
             ContrastiveObjective objective = new ContrastiveObjective(encoder)) {
            System.out.printf("backend %s, model %s%n", be.name(), base);
            long t0 = System.nanoTime();
            float[][] vectorsBefore = embed(encoder, testIds, tokenizer.padId());
            double embedSeconds = (System.nanoTime() - t0) / 1e9;
            RetrievalMetrics before = RetrievalEvaluation.evaluate(vectorsBefore, testLabels, 10);
            print("before", before, vectorsBefore, testLabels);

            encoder.applyPlan(PeftPlan.lora(encoder.config().layers(), LoraSpec.defaults()), seed);
            long trainable = encoder.trainableParameters().stream().mapToLong(Parameter::numel).sum();
            System.out.printf("LoRA r=8 on query, value: %,d trainable of %,d base parameters (%.3f%%)%n", trainable,
                    encoder.baseParameterCount(), 100.0 * trainable / encoder.baseParameterCount());
            TrainConfig cfg = new TrainConfig(epochs, batch, lr, 0.01f, 0.1f, LrSchedule.Decay.LINEAR, 1f, 1, 0, 0, seed);
            TrainListener progress = new TrainListener() {
                @Override
                public void onStep(long step, long total, float loss, float rate, float norm, double tps) {
                    if (step % 10 == 0 || step == total) {
                        System.out.printf("  step %d/%d loss %.4f lr %.2e grad norm %.3f %.0f tokens/s%n", step, total,
                                loss, rate, norm, tps);
                    }
                }
            };
            TrainResult r = new EmbeddingTrainer(cfg, tokenizer.padId(), progress).train(objective, encoded);
            System.out.printf("trained %d steps in %.1f s (%.0f tokens/s)%n", r.steps(), r.seconds(), r.tokensPerSecond());

            float[][] vectorsAfter = embed(encoder, testIds, tokenizer.padId());
            RetrievalMetrics after = RetrievalEvaluation.evaluate(vectorsAfter, testLabels, 10);
            print("after", after, vectorsAfter, testLabels);
            System.out.printf("k-NN accuracy %+.4f, MRR %+.4f; embedding %d held-out reviews took %.1f s%n",
                    after.knnAccuracy() - before.knnAccuracy(), after.meanReciprocalRank() - before.meanReciprocalRank(),
                    test.size(), embedSeconds);
        }
    }

    /** Pooled vectors of the sequences (not normalised: the evaluation takes cosines), 32 at a time, no dropout. */
    static float[][] embed(BertModel encoder, List<int[]> sequences, int padId) {
        Backend be = encoder.backend();
        int d = encoder.config().hidden();
        float[][] out = new float[sequences.size()][];
        for (int from = 0; from < sequences.size(); from += 32) {
            int b = Math.min(32, sequences.size() - from);
            int t = 1;
            for (int i = 0; i < b; i++) {
                t = Math.max(t, sequences.get(from + i).length);
            }
            int[] ids = new int[b * t];
            float[] mask = new float[b * t];
            Arrays.fill(ids, padId);
            for (int i = 0; i < b; i++) {
                int[] s = sequences.get(from + i);
                System.arraycopy(s, 0, ids, i * t, s.length);
                Arrays.fill(mask, i * t, i * t + s.length, 1f);
            }
            try (Tensor keyMask = be.fromHost(mask, b, t); Tensor pooled = be.allocate(b, d)) {
                Tensor h = encoder.forward(ids, null, new Pass(b, t, keyMask, false, 0));
                if (encoder.config().pooling() == Pooling.MEAN) {
                    be.meanPoolForward(h.view(b, t, d), keyMask, pooled);
                } else {
                    int[] cls = new int[b];
                    for (int i = 0; i < b; i++) {
                        cls[i] = i * t;
                    }
                    be.embeddingForward(h, cls, pooled);
                }
                float[] flat = pooled.toArray();
                for (int i = 0; i < b; i++) {
                    out[from + i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
                }
            }
        }
        return out;
    }

    private static void print(String when, RetrievalMetrics m, float[][] v, int[] labels) {
        System.out.printf("%s: %d held-out reviews, k=%d nearest-neighbour label accuracy %.4f, MRR %.4f; mean cosine"
                        + " of same-label pairs %.4f, of different-label pairs %.4f%n", when, m.queries(), m.k(),
                m.knnAccuracy(), m.meanReciprocalRank(), meanCosine(v, labels, true), meanCosine(v, labels, false));
    }

    /** The mean cosine similarity over pairs i < j with equal (or with different) labels: a collapse shows as both → 1. */
    private static double meanCosine(float[][] v, int[] labels, boolean sameLabel) {
        double sum = 0;
        long count = 0;
        for (int i = 0; i < v.length; i++) {
            for (int j = i + 1; j < v.length; j++) {
                if ((labels[i] == labels[j]) == sameLabel) {
                    sum += cosine(v[i], v[j]);
                    count++;
                }
            }
        }
        return sum / count;
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int k = 0; k < a.length; k++) {
            dot += (double) a[k] * b[k];
            na += (double) a[k] * a[k];
            nb += (double) b[k] * b[k];
        }
        return dot / Math.sqrt(na * nb);
    }

    private static List<String> texts(LabeledDataset d) {
        return d.examples().stream().map(TextExample::text).toList();
    }

    private static int[] labels(LabeledDataset d) {
        return d.examples().stream().mapToInt(TextExample::label).toArray();
    }

    private static int intArg(String[] args, int i, int fallback) {
        return args.length > i ? Integer.parseInt(args[i]) : fallback;
    }
}
