package dev.peft4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.model.BertConfig;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Pooling;
import dev.peft4j.model.SequenceClassifier;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.tensor.Device;
import dev.peft4j.tensor.MemoryAccounting;
import java.util.List;
import dev.peft4j.testing.SyntheticExamples;
import org.junit.jupiter.api.Test;

public class ClassifierTrainerTest {
    static final BertConfig SMALL = new BertConfig(40, 16, 2, 2, 32, 16, 2, 1e-5f, Activation.GELU, 0.1f, Pooling.MEAN);

    /** Label 1 iff token 5 occurs; lengths vary so batches carry padding ({@link SyntheticExamples}). */
    public static List<EncodedExample> synthetic(int n, long seed) {
        return SyntheticExamples.tokenFiveTask(n, seed);
    }

    static List<EncodedExample> fixedLength(int n, long seed) {
        return synthetic(n, seed).stream().map(e -> new EncodedExample(java.util.Arrays.copyOf(e.ids(), 4), null,
                e.label())).toList();
    }

    static TrainResult run(TrainConfig cfg, List<EncodedExample> train, List<EncodedExample> val) {
        try (Backend be = Backends.create("reference");
             SequenceClassifier model = new SequenceClassifier(BertModel.random(be, SMALL, 1), 2, 2)) {
            model.encoder().applyPlan(PeftPlan.lora(2, LoraSpec.defaults()), 3);
            return new ClassifierTrainer(cfg, new Batcher(0), null).train(model, train, val);
        }
    }

    @Test
    void learnsASeparableTask() {
        TrainConfig cfg = new TrainConfig(8, 8, 3e-2f, 0.01f, 0.1f, LrSchedule.Decay.LINEAR, 1f, 1, 0, 0, 7);
        TrainResult r = run(cfg, synthetic(160, 1), synthetic(64, 2));
        assertEquals(8 * 20, r.steps());
        assertEquals(8, r.validations().size());
        assertTrue(r.bestValidation().accuracy() >= 0.9, "validation accuracy " + r.bestValidation().accuracy());
    }

    @Test
    void aDivergingLossStopsTrainingWithTheStepAndTheRate() {
        // lr 1e30, no warm-up, no clipping: the first update sends the weights to ±1e30, the next loss is not finite
        TrainConfig cfg = new TrainConfig(1, 8, 1e30f, 0f, 0f, LrSchedule.Decay.CONSTANT, 0f, 1, 0, 0, 7);
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> run(cfg, synthetic(40, 1), List.of()));
        assertTrue(e.getMessage().matches("the loss diverged to (NaN|-?Infinity) at step [2-5]; lower the learning rate "
                + "\\(now 1\\.0E30\\)"), e.getMessage());
    }

    @Test
    void theSameSeedGivesTheSameLossCurveBitForBit() {
        TrainConfig cfg = new TrainConfig(1, 8, 5e-3f, 0.01f, 0.1f, LrSchedule.Decay.COSINE, 1f, 2, 0, 0, 11);
        List<EncodedExample> train = synthetic(40, 3);
        TrainResult a = run(cfg, train, List.of());
        TrainResult b = run(cfg, train, List.of());
        assertEquals(3, a.steps());
        assertArrayEquals(a.losses(), b.losses(), 0f);
        TrainConfig other = new TrainConfig(1, 8, 5e-3f, 0.01f, 0.1f, LrSchedule.Decay.COSINE, 1f, 2, 0, 0, 12);
        assertTrue(!java.util.Arrays.equals(a.losses(), run(other, train, List.of()).losses()), "another seed, another curve");
    }

    @Test
    void memoryStaysFlatAcrossSteps() {
        long before = MemoryAccounting.liveBytes(Device.CPU);
        TrainConfig cfg = new TrainConfig(2, 8, 5e-3f, 0.01f, 0f, LrSchedule.Decay.LINEAR, 1f, 1, 0, 0, 5);
        run(cfg, synthetic(48, 4), synthetic(16, 5));
        assertEquals(before, MemoryAccounting.liveBytes(Device.CPU), "every tensor of the run is freed");
    }

    @Test
    void liveTensorMemoryDoesNotGrowOver1000Steps() {
        long[] at = new long[2];
        TrainListener probe = new TrainListener() {
            @Override
            public void onStep(long step, long total, float loss, float lr, float norm, double tps) {
                if (step == 10) {
                    at[0] = MemoryAccounting.liveBytes(Device.CPU);
                } else if (step == 1000) {
                    at[1] = MemoryAccounting.liveBytes(Device.CPU);
                }
            }
        };
        TrainConfig cfg = new TrainConfig(1, 2, 1e-3f, 0.01f, 0f, LrSchedule.Decay.LINEAR, 1f, 1, 250, 0, 5);
        try (Backend be = Backends.create("reference");
             SequenceClassifier model = new SequenceClassifier(BertModel.random(be, SMALL, 1), 2, 2)) {
            model.encoder().applyPlan(PeftPlan.lora(2, LoraSpec.defaults()), 3);
            // Equal lengths, so every step has the same shapes and any change in live bytes would be growth.
            TrainResult r = new ClassifierTrainer(cfg, new Batcher(0), probe).train(model, fixedLength(2000, 6), fixedLength(8, 7));
            assertEquals(1000, r.steps());
        }
        assertTrue(at[0] > 0);
        assertEquals(at[0], at[1], "live tensor bytes at step 10 and at step 1000 (evaluations included)");
    }

    @Test
    void scheduleWarmsUpThenDecays() {
        LrSchedule s = new LrSchedule(1f, 10, 110, LrSchedule.Decay.LINEAR);
        assertEquals(0.1f, s.at(1), 1e-6f);
        assertEquals(1f, s.at(10), 1e-6f);
        assertEquals(0.5f, s.at(60), 1e-6f);
        assertEquals(0f, s.at(110), 1e-6f);
        LrSchedule c = new LrSchedule(2f, 0, 100, LrSchedule.Decay.COSINE);
        assertEquals(1f, c.at(50), 1e-6f);
    }

    @Test
    void metricsCountAccuracyAndMacroF1() {
        Metrics m = Metrics.of(new int[] {0, 1, 1, 0}, new int[] {0, 1, 0, 0}, 2, 2.0);
        assertEquals(0.75, m.accuracy(), 1e-12);
        // class 0: tp 2, fn 1, fp 0 → F1 0.8; class 1: tp 1, fp 1 → F1 2/3.
        assertEquals((0.8 + 2.0 / 3) / 2, m.macroF1(), 1e-12);
        assertEquals(0.5, m.loss(), 1e-12);
    }
}
