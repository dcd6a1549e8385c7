package dev.peft4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.peft.BitFitBias;
import dev.peft4j.peft.BitFitSpec;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.LoraTarget;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.tensor.Tensor;
import dev.peft4j.testing.TestPlans;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The whole classifier's backward (every PEFT module together) against central finite differences of its
 * loss, on the reference backend and a tiny random BERT.
 */
class ModelGradientTest {
    static final BertConfig TINY = new BertConfig(11, 8, 2, 2, 12, 6, 2, 1e-5f, Activation.GELU, 0.1f, Pooling.MEAN);

    /** Every PEFT method somewhere in two layers (shared with the golden tests). */
    static PeftPlan everything() {
        return TestPlans.everything();
    }

    static Batch batch(Pooling pooling) {
        int[] ids = {1, 4, 7, 2, 9, 3, 5, 10, 0, 0};
        float[] mask = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0};
        int[] types = {0, 0, 1, 1, 1, 0, 0, 0, 0, 0};
        return new Batch(2, 5, ids, types, mask, new int[] {1, 0});
    }

    @Test
    void meanPoolingClassifierMatchesFiniteDifferences() {
        check(TINY);
    }

    @Test
    void clsPoolingClassifierMatchesFiniteDifferences() {
        check(new BertConfig(11, 8, 2, 2, 12, 6, 2, 1e-5f, Activation.GELU, 0f, Pooling.CLS));
    }

    /** The pooler's W_p scaled up from N(0, 0.02) so that tanh is far from linear (|z| up to about 2). */
    @Test
    void poolerClassifierMatchesFiniteDifferences() {
        check(new BertConfig(11, 8, 2, 2, 12, 6, 2, 1e-5f, Activation.GELU, 0f, Pooling.POOLER));
    }

    /** The same with dropout: in training the pooled vector is dropped before the head, and the backward follows. */
    @Test
    void poolerClassifierWithDropoutMatchesFiniteDifferences() {
        check(new BertConfig(11, 8, 2, 2, 12, 6, 2, 1e-5f, Activation.GELU, 0.3f, Pooling.POOLER));
    }

    private static void check(BertConfig cfg) {
        try (Backend be = Backends.create("reference");
             SequenceClassifier model = new SequenceClassifier(BertModel.random(be, cfg, 7), 3, 11)) {
            Parameter pooler = model.encoder().parameter(BertModel.POOLER + ".weight");
            if (pooler != null) {
                float[] w = pooler.value().toArray();
                for (int i = 0; i < w.length; i++) {
                    w[i] *= 40f;
                }
                pooler.value().copyFrom(w);
            }
            model.encoder().applyPlan(everything(), 5);
            Batch b = batch(cfg.pooling());
            int checked = FiniteDifferences.check(model.trainableParameters(), () -> model.loss(b, true, 42),
                    () -> model.backward(1f));
            assertTrue(checked > 100, "checked only " + checked + " gradient entries");
        }
    }

    @Test
    void tokenClassifierMatchesFiniteDifferences() {
        try (Backend be = Backends.create("reference");
             TokenClassifier model = new TokenClassifier(BertModel.random(be, TINY, 7), 4, 11)) {
            model.encoder().applyPlan(everything(), 5);
            Batch b = batch(Pooling.MEAN);
            int[] labels = {0, 3, 1, -100, 2, 1, 1, 0, -100, -100};
            int checked = FiniteDifferences.check(model.trainableParameters(), () -> model.loss(b, labels, true, 42),
                    () -> model.backward(1f));
            assertTrue(checked > 100, "checked only " + checked + " gradient entries");
        }
    }

    /** everything() with BitFit on partial, complementary bias selections in both layers. */
    static PeftPlan partialBitfit() {
        PeftPlan e = everything();
        return new PeftPlan(List.of(
                e.layer(0).withBitfit(BitFitSpec.of(BitFitBias.QUERY, BitFitBias.FFN_IN, BitFitBias.LAYER_NORM)),
                e.layer(1).withBitfit(BitFitSpec.of(BitFitBias.KEY, BitFitBias.VALUE, BitFitBias.ATTENTION_OUTPUT,
                        BitFitBias.FFN_OUT))));
    }

    @Test
    void partialBitfitMatchesFiniteDifferencesAndTrainsExactlyTheSelectedBiases() {
        try (Backend be = Backends.create("reference");
             SequenceClassifier model = new SequenceClassifier(BertModel.random(be, TINY, 7), 3, 11)) {
            model.encoder().applyPlan(partialBitfit(), 5);
            java.util.Set<String> biases = new java.util.TreeSet<>();
            for (Parameter p : model.trainableParameters()) {
                if (p.name().startsWith("encoder.") && p.name().endsWith(".bias") && !p.name().contains("adapter")) {
                    biases.add(p.name());
                }
            }
            String l0 = "encoder.layer.0.";
            String l1 = "encoder.layer.1.";
            assertEquals(new java.util.TreeSet<>(List.of(l0 + "attention.self.query.bias", l0 + "intermediate.dense.bias",
                    l0 + "attention.output.LayerNorm.bias", l0 + "output.LayerNorm.bias", l1 + "attention.self.key.bias",
                    l1 + "attention.self.value.bias", l1 + "attention.output.dense.bias", l1 + "output.dense.bias")), biases);
            Batch b = batch(Pooling.MEAN);
            int checked = FiniteDifferences.check(model.trainableParameters(), () -> model.loss(b, true, 42),
                    () -> model.backward(1f));
            assertTrue(checked > 100, "checked only " + checked + " gradient entries");
        }
    }

    @Test
    void trainableCountsFollowThePlan() {
        try (Backend be = Backends.create("reference"); BertModel m = BertModel.random(be, TINY, 1)) {
            long base = m.baseParameterCount();
            assertEquals(0, m.trainableParameters().size());
            m.applyPlan(PeftPlan.lora(2, new LoraSpec(2, 2f, false, 0f, EnumSet.of(LoraTarget.QUERY, LoraTarget.VALUE))), 1);
            long trainable = m.trainableParameters().stream().mapToLong(Parameter::numel).sum();
            // Per layer and target: A [2,8] + B [8,2] = 32; 2 targets × 2 layers.
            assertEquals(4 * 32, trainable);
            assertEquals(base, m.parameters().stream().filter(p -> !p.trainable()).mapToLong(Parameter::numel).sum());
        }
    }

    @Test
    void zeroInitialisedLoraLeavesTheForwardUnchanged() {
        try (Backend be = Backends.create("reference"); BertModel plain = BertModel.random(be, TINY, 9);
             BertModel lora = BertModel.random(be, TINY, 9)) {
            lora.applyPlan(PeftPlan.lora(2, LoraSpec.defaults()), 3);
            Batch b = batch(Pooling.MEAN);
            Tensor mask = be.fromHost(b.mask(), 2, 5);
            float[] expected = plain.forward(b.ids(), b.types(), new Pass(2, 5, mask, false, 0)).toArray();
            float[] actual = lora.forward(b.ids(), b.types(), new Pass(2, 5, mask, false, 0)).toArray();
            assertEquals(expected.length, actual.length);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-6f, "hidden[" + i + "]");
            }
            mask.close();
        }
    }
}
