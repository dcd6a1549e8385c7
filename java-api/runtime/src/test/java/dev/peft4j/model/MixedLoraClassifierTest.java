package dev.peft4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.LoraTarget;
import dev.peft4j.peft.PeftPlan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** One base encoder serving several LoRA classifiers in one batch gives each sequence its own classifier's answer. */
class MixedLoraClassifierTest {
    private static final BertConfig CFG =
            new BertConfig(30, 16, 2, 2, 24, 12, 2, 1e-12f, Activation.GELU, 0f, Pooling.MEAN);
    private static final long BASE_SEED = 1;

    /** A LoRA classifier with every trainable value random (B included, so the LoRA term is not zero). */
    private static SequenceClassifier trained(Backend be, PeftPlan plan, int labels, long seed) {
        SequenceClassifier c = new SequenceClassifier(BertModel.random(be, CFG, BASE_SEED), labels, seed);
        c.encoder().applyPlan(plan, seed);
        SplittableRandom rng = new SplittableRandom(seed);
        for (Parameter p : c.trainableParameters()) {
            float[] v = new float[(int) p.numel()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (rng.nextGaussian() * 0.3);
            }
            p.value().copyFrom(v);
        }
        return c;
    }

    private static PeftPlan everyLayer(LoraSpec spec) {
        return PeftPlan.lora(CFG.layers(), spec);
    }

    /** Three adapters: different ranks, targets, scales (one rsLoRA), label counts; one adapts only layer 1. */
    private static List<SequenceClassifier> threeAdapters(Backend be) {
        List<SequenceClassifier> list = new ArrayList<>();
        list.add(trained(be, everyLayer(new LoraSpec(4, 8, false, 0.1f,
                EnumSet.of(LoraTarget.QUERY, LoraTarget.VALUE))), 2, 11));
        list.add(trained(be, everyLayer(new LoraSpec(8, 4, false, 0f, EnumSet.allOf(LoraTarget.class))), 3, 12));
        list.add(trained(be, new PeftPlan(List.of(LayerPlan.NONE, LayerPlan.NONE.withLora(new LoraSpec(2, 4, true, 0f,
                EnumSet.of(LoraTarget.FFN_IN, LoraTarget.FFN_OUT, LoraTarget.KEY))))), 2, 13));
        return list;
    }

    /** 5 sequences of 6 tokens, right-padded to random lengths. */
    private static Batch batch() {
        SplittableRandom rng = new SplittableRandom(7);
        int b = 5;
        int t = 6;
        int[] ids = new int[b * t];
        float[] mask = new float[b * t];
        for (int i = 0; i < b; i++) {
            int len = 2 + rng.nextInt(t - 1);
            for (int j = 0; j < t; j++) {
                ids[i * t + j] = j < len ? 1 + rng.nextInt(CFG.vocabSize() - 1) : 0;
                mask[i * t + j] = j < len ? 1 : 0;
            }
        }
        return new Batch(b, t, ids, new int[b * t], mask, null);
    }

    /** Sequence i of the batch alone (same length and padding). */
    private static Batch single(Batch batch, int i) {
        int t = batch.seqLen();
        return new Batch(1, t, Arrays.copyOfRange(batch.ids(), i * t, (i + 1) * t),
                Arrays.copyOfRange(batch.types(), i * t, (i + 1) * t), Arrays.copyOfRange(batch.mask(), i * t, (i + 1) * t),
                null);
    }

    private static float[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] e = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            e[i] = Math.exp(logits[i] - max);
            sum += e[i];
        }
        float[] p = new float[logits.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (e[i] / sum);
        }
        return p;
    }

    @Test
    void eachSequenceGetsItsOwnAdaptersProbabilities() {
        try (Backend be = Backends.create("reference")) {
            List<SequenceClassifier> trained = threeAdapters(be);
            Batch batch = batch();
            int[] adapterOf = {2, 0, 1, 0, 2};
            float[][] expected = new float[batch.batch()][];
            for (int i = 0; i < batch.batch(); i++) {
                expected[i] = softmax(trained.get(adapterOf[i]).logits(single(batch, i), false, 0).toArray());
            }
            try (MixedLoraClassifier mixed = MixedLoraClassifier.of(BertModel.random(be, CFG, BASE_SEED),
                    List.of("sst", "topics", "spam"), trained)) {
                trained.forEach(SequenceClassifier::close); // the mixed classifier holds copies
                assertEquals(3, mixed.numLabels(1));
                float[][] got = mixed.probabilities(batch, adapterOf);
                for (int i = 0; i < batch.batch(); i++) {
                    assertEquals(expected[i].length, got[i].length, "labels of sequence " + i);
                    for (int k = 0; k < got[i].length; k++) {
                        assertEquals(expected[i][k], got[i][k], 1e-5, "sequence " + i + " label " + k);
                    }
                }
                // the same sequences under other adapters give other answers: the rows really are separated
                float[][] swapped = mixed.probabilities(batch, new int[] {0, 2, 1, 2, 0});
                assertTrue(Math.abs(swapped[0][0] - got[0][0]) > 1e-4, "sequence 0 under adapter 0 vs 2");
                assertEquals(got[2][0], swapped[2][0], 1e-6, "sequence 2 kept adapter 1");
            }
        }
    }

    @Test
    void refusesWhatItCannotServe() {
        try (Backend be = Backends.create("reference")) {
            List<SequenceClassifier> good = threeAdapters(be);
            SequenceClassifier bitfit = trained(be, PeftPlan.uniform(CFG.layers(), LayerPlan.NONE.withBitfit(true)), 2, 5);
            SequenceClassifier otherBase = new SequenceClassifier(BertModel.random(be, CFG, BASE_SEED + 1), 2, 5);
            otherBase.encoder().applyPlan(everyLayer(LoraSpec.defaults()), 5);
            SequenceClassifier merged = trained(be, everyLayer(LoraSpec.defaults()), 2, 6);
            LoraMerge.merge(merged.encoder());
            String m = assertThrows(IllegalArgumentException.class, () -> MixedLoraClassifier.of(
                    BertModel.random(be, CFG, BASE_SEED), List.of("a", "b"), List.of(good.get(0), bitfit))).getMessage();
            assertTrue(m.contains("adapter 'b' trains") && m.contains("bias") && m.contains("not LoRA"), m);
            m = assertThrows(IllegalArgumentException.class, () -> MixedLoraClassifier.of(
                    BertModel.random(be, CFG, BASE_SEED), List.of("x"), List.of(otherBase))).getMessage();
            assertTrue(m.contains("adapter 'x' was trained on another base model"), m);
            m = assertThrows(IllegalArgumentException.class, () -> MixedLoraClassifier.of(
                    BertModel.random(be, CFG, BASE_SEED), List.of("m"), List.of(merged))).getMessage();
            assertTrue(m.contains("adapter 'm'") && m.contains("merged"), m);
            m = assertThrows(IllegalArgumentException.class, () -> MixedLoraClassifier.of(
                    BertModel.random(be, CFG, BASE_SEED), List.of("a", "a"), good.subList(0, 2))).getMessage();
            assertTrue(m.contains("distinct"), m);
            m = assertThrows(IllegalArgumentException.class,
                    () -> MixedLoraClassifier.builder(BertModel.random(be, CFG, BASE_SEED)).build()).getMessage();
            assertTrue(m.contains("no adapter"), m);
            BertModel planned = BertModel.random(be, CFG, BASE_SEED);
            planned.applyPlan(everyLayer(LoraSpec.defaults()), 1);
            m = assertThrows(IllegalArgumentException.class,
                    () -> MixedLoraClassifier.of(planned, List.of("a"), good.subList(0, 1))).getMessage();
            assertTrue(m.contains("bare encoder"), m);
            try (MixedLoraClassifier mixed = MixedLoraClassifier.of(BertModel.random(be, CFG, BASE_SEED),
                    List.of("a", "b", "c"), good)) {
                m = assertThrows(IllegalArgumentException.class,
                        () -> mixed.probabilities(batch(), new int[] {0, 1, 3, 0, 0})).getMessage();
                assertTrue(m.contains("adapterOfSequence[2] = 3") && m.contains("[0, 3)"), m);
            }
            planned.close();
            good.forEach(SequenceClassifier::close);
            bitfit.close();
            otherBase.close();
            merged.close();
        }
    }
}
