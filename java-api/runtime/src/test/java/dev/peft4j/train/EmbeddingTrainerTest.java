package dev.peft4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.model.BertConfig;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.ContrastiveObjective;
import dev.peft4j.model.Pooling;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.tensor.Device;
import dev.peft4j.tensor.MemoryAccounting;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EmbeddingTrainerTest {
    /** Vocabulary: 0 pad, 1 [CLS], 2 [SEP], 4..7 filler, 30..63 topics; hidden dropout 0.1. */
    static final BertConfig SMALL = new BertConfig(64, 16, 2, 2, 32, 16, 2, 1e-5f, Activation.GELU, 0.1f, Pooling.MEAN);

    /** {@link #SMALL} without dropout: on a 16-wide random model its noise hides the little a few steps learn. */
    static final BertConfig SMALL_NO_DROPOUT = new BertConfig(64, 16, 2, 2, 32, 16, 2, 1e-5f, Activation.GELU, 0f,
            Pooling.MEAN);

    /**
     * Pairs that share one topic token (of 34) among filler: anchor and positive each hold 4..7 filler tokens (of 4,
     * so filler tells the pairs apart hardly at all) with the pair's topic token in a random place among them, between
     * [CLS] and [SEP]; lengths differ, so batches carry padding.
     */
    static List<EncodedPair> sharedTokenPairs(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<EncodedPair> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int topic = 30 + rng.nextInt(34);
            out.add(new EncodedPair(sequence(topic, rng), sequence(topic, rng)));
        }
        return out;
    }

    private static int[] sequence(int topic, SplittableRandom rng) {
        int len = 3 + rng.nextInt(4);
        int[] ids = new int[len + 3];
        ids[0] = 1;
        for (int j = 1; j <= len + 1; j++) {
            ids[j] = 4 + rng.nextInt(4);
        }
        ids[1 + rng.nextInt(len + 1)] = topic;
        ids[len + 2] = 2;
        return ids;
    }

    static TrainResult run(TrainConfig cfg, List<EncodedPair> pairs, TrainListener listener) {
        return run(SMALL, cfg, pairs, listener);
    }

    static TrainResult run(BertConfig model, TrainConfig cfg, List<EncodedPair> pairs, TrainListener listener) {
        try (Backend be = Backends.create("reference"); BertModel encoder = BertModel.random(be, model, 1);
             ContrastiveObjective objective = new ContrastiveObjective(encoder)) {
            encoder.applyPlan(PeftPlan.lora(2, LoraSpec.defaults()), 3);
            return new EmbeddingTrainer(cfg, 0, listener).train(objective, pairs);
        }
    }

    @Test
    void theSameSeedGivesTheSameLossCurveBitForBit() {
        TrainConfig cfg = new TrainConfig(2, 4, 5e-3f, 0.01f, 0.1f, LrSchedule.Decay.COSINE, 1f, 2, 0, 0, 11);
        List<EncodedPair> pairs = sharedTokenPairs(20, 3);
        TrainResult a = run(cfg, pairs, null);
        TrainResult b = run(cfg, pairs, null);
        assertEquals(2 * 3, a.steps()); // 5 micro-batches per epoch, 2 per step: 3 steps per epoch
        assertArrayEquals(a.losses(), b.losses(), 0f);
        TrainConfig other = new TrainConfig(2, 4, 5e-3f, 0.01f, 0.1f, LrSchedule.Decay.COSINE, 1f, 2, 0, 0, 12);
        assertTrue(!java.util.Arrays.equals(a.losses(), run(other, pairs, null).losses()), "another seed, another curve");
    }

    @Test
    void learnsToMatchPairsThatShareAToken() {
        TrainConfig cfg = new TrainConfig(6, 8, 3e-2f, 0.01f, 0.1f, LrSchedule.Decay.LINEAR, 1f, 1, 0, 0, 7);
        List<Float> norms = new ArrayList<>();
        List<Float> rates = new ArrayList<>();
        TrainListener listener = new TrainListener() {
            @Override
            public void onStep(long step, long total, float loss, float lr, float norm, double tps) {
                norms.add(norm);
                rates.add(lr);
                assertEquals(6 * 20, total);
            }
        };
        TrainResult r = run(SMALL_NO_DROPOUT, cfg, sharedTokenPairs(160, 1), listener);
        assertEquals(6 * 20, r.steps());
        assertEquals(r.steps(), norms.size());
        assertTrue(norms.stream().allMatch(n -> n > 0 && Float.isFinite(n)), "gradient norms " + norms);
        assertEquals(cfg.lr(), rates.stream().max(Float::compare).orElseThrow(), 0f);
        double first = mean(r.losses(), 0, 20);
        double last = mean(r.losses(), r.losses().length - 20, r.losses().length);
        // chance is log 8 = 2.08 for batches of 8 pairs
        System.out.printf("contrastive loss: first epoch %.4f, last epoch %.4f%n", first, last);
        assertTrue(first > 1.5, "first epoch's mean loss " + first);
        assertTrue(last < 0.5 * first, "first epoch " + first + ", last epoch " + last);
    }

    @Test
    void aStopRequestEndsTheRunAfterTheStepInProgress() {
        TrainConfig cfg = new TrainConfig(3, 4, 5e-3f, 0.01f, 0.1f, LrSchedule.Decay.LINEAR, 1f, 1, 0, 0, 5);
        long[] steps = new long[1];
        TrainListener stopAtThree = new TrainListener() {
            @Override
            public void onStep(long step, long total, float loss, float lr, float norm, double tps) {
                steps[0] = step;
            }

            @Override
            public boolean stopRequested() {
                return steps[0] >= 3;
            }
        };
        TrainResult r = run(cfg, sharedTokenPairs(20, 2), stopAtThree);
        assertEquals(3, r.steps());
        assertEquals(3, r.losses().length);
        assertTrue(r.cancelled());
        assertTrue(!run(cfg, sharedTokenPairs(20, 2), null).cancelled());
    }

    @Test
    void memoryStaysFlatAcrossARun() {
        long before = MemoryAccounting.liveBytes(Device.CPU);
        TrainConfig cfg = new TrainConfig(1, 4, 5e-3f, 0.01f, 0f, LrSchedule.Decay.LINEAR, 1f, 1, 0, 0, 5);
        run(cfg, sharedTokenPairs(12, 4), null);
        assertEquals(before, MemoryAccounting.liveBytes(Device.CPU), "every tensor of the run is freed");
    }

    private static double mean(float[] v, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += v[i];
        }
        return s / (to - from);
    }
}
