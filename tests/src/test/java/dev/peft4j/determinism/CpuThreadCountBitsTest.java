package dev.peft4j.determinism;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.cpu.CpuBackend;
import dev.peft4j.model.BertConfig;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Parameter;
import dev.peft4j.model.Pooling;
import dev.peft4j.model.SequenceClassifier;
import dev.peft4j.peft.Methods;
import dev.peft4j.train.Batcher;
import dev.peft4j.train.ClassifierTrainer;
import dev.peft4j.train.LrSchedule;
import dev.peft4j.train.TrainConfig;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Same seed, same bits whatever the cpu backend's thread count: every kernel splits its work so that no sum's order
 * depends on how many threads share it (GEMM tiles by rows or columns of C, attention by batch row and head, the
 * column sums of bias and γ gradients on one thread). Two training steps of a MiniLM-wide model (d = 384, 12 heads,
 * sequences of up to 127 tokens, so every kernel has enough work to be split), with 1, 2 and 3 threads: the same
 * losses and the same trained parameters, bit for bit.
 */
class CpuThreadCountBitsTest {
    static final BertConfig CONFIG = new BertConfig(200, 384, 2, 12, 1536, 128, 2, 1e-12f, Activation.GELU, 0.1f,
            Pooling.MEAN);
    static final TrainConfig TRAINING = new TrainConfig(1, 16, 1e-3f, 0.01f, 0.1f, LrSchedule.Decay.LINEAR, 1f, 1, 0,
            0, 5);

    @ParameterizedTest
    @ValueSource(strings = {"lora", "mam", "houlsby", "bitfit", "ia3"})
    void trainingGivesTheSameBitsOnOneTwoAndThreeThreads(String method) {
        String one = trainedBits(method, 1);
        assertEquals(one, trainedBits(method, 2), method + ": 2 threads against 1");
        assertEquals(one, trainedBits(method, 3), method + ": 3 threads against 1");
    }

    /** The losses of two steps, then every trainable parameter after them, as float bits. */
    private static String trainedBits(String method, int threads) {
        try (Backend be = new CpuBackend(threads);
             SequenceClassifier model = new SequenceClassifier(BertModel.random(be, CONFIG, 1), 2, 2)) {
            model.encoder().applyPlan(Methods.plan(method, CONFIG.layers(), CONFIG.hidden(), 0), 3);
            float[] losses = new ClassifierTrainer(TRAINING, new Batcher(0), null).train(model,
                    CpuTrainingRun.examples(32, 9, 40, 127, CONFIG.vocabSize()), List.of())
                    .losses();
            StringBuilder out = new StringBuilder("losses ").append(CpuTrainingRun.bits(losses));
            for (Parameter p : model.trainableParameters()) {
                out.append('\n').append(p.name()).append(' ').append(digest(p.value().toArray()));
            }
            return out.toString();
        }
    }

    /** SHA-256 of the values' raw float bits, in hex. */
    private static String digest(float[] values) {
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(4 * values.length);
        for (float v : values) {
            bytes.putInt(Float.floatToRawIntBits(v));
        }
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes.array()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
