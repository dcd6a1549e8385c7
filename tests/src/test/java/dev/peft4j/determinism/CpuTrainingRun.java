package dev.peft4j.determinism;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.model.BertConfig;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Pooling;
import dev.peft4j.model.SequenceClassifier;
import dev.peft4j.peft.Methods;
import dev.peft4j.train.Batcher;
import dev.peft4j.train.ClassifierTrainer;
import dev.peft4j.train.EncodedExample;
import dev.peft4j.train.LrSchedule;
import dev.peft4j.train.TrainConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.StringJoiner;

/**
 * A short training run on the cpu backend, small enough to run in a JVM that only interprets: a 2-layer BERT of
 * width 32 (two 16-float vectors) with MAM (a prefix and a parallel adapter), GELU, dropout and AdamW, 8 steps.
 * {@link #main} prints the loss of every step as its float bits.
 */
public final class CpuTrainingRun {
    static final BertConfig CONFIG = new BertConfig(40, 32, 2, 2, 64, 32, 2, 1e-5f, Activation.GELU, 0.1f, Pooling.MEAN);
    static final TrainConfig TRAINING = new TrainConfig(1, 4, 1e-2f, 0.01f, 0.1f, LrSchedule.Decay.LINEAR, 1f, 1, 0, 0, 5);

    private CpuTrainingRun() {}

    public static void main(String[] args) {
        System.out.println(bits(losses()));
    }

    /** The loss of each of the 8 steps. */
    static float[] losses() {
        try (Backend be = Backends.create("cpu");
             SequenceClassifier model = new SequenceClassifier(BertModel.random(be, CONFIG, 1), 2, 2)) {
            model.encoder().applyPlan(Methods.mam(2, 4, 8, 4f), 3);
            return new ClassifierTrainer(TRAINING, new Batcher(0), null).train(model, examples(32, 9, 12, 20, 40), List.of())
                    .losses();
        }
    }

    static String bits(float[] values) {
        StringJoiner j = new StringJoiner(",");
        for (float v : values) {
            j.add(Integer.toHexString(Float.floatToRawIntBits(v)));
        }
        return j.toString();
    }

    /** n sequences of minTokens to maxTokens tokens drawn from ids 10 to vocab − 1; label 1 when token 5 occurs. */
    static List<EncodedExample> examples(int n, long seed, int minTokens, int maxTokens, int vocab) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<EncodedExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] ids = new int[minTokens + rng.nextInt(maxTokens - minTokens + 1)];
            for (int t = 0; t < ids.length; t++) {
                ids[t] = 10 + rng.nextInt(vocab - 10);
            }
            int label = rng.nextInt(2);
            if (label == 1) {
                ids[rng.nextInt(ids.length)] = 5;
            }
            out.add(new EncodedExample(ids, null, label));
        }
        return out;
    }
}
