package dev.peft4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.peft.AdapterSpec;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.peft.PrefixSpec;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The prefix MLP reparameterisation: gradients through the MLP, and dropping it after training. */
class PrefixReparameterisationTest {
    /** L = 3, h = 5 on both layers, with a parallel adapter and LoRA beside it so the prefix gradients mix with others. */
    static PeftPlan reparameterised() {
        LayerPlan l0 = LayerPlan.NONE.withPrefix(new PrefixSpec(3, 5, false)).withLora(LoraSpec.defaults());
        LayerPlan l1 = LayerPlan.NONE.withPrefix(new PrefixSpec(3, 5, false))
                .withParallelAdapter(new AdapterSpec(2, Activation.TANH, 2f, false));
        return new PeftPlan(List.of(l0, l1));
    }

    @Test
    void bertClassifierThroughThePrefixMlpMatchesFiniteDifferences() {
        try (Backend be = Backends.create("reference");
             SequenceClassifier model = new SequenceClassifier(BertModel.random(be, ModelGradientTest.TINY, 7), 3, 11)) {
            model.encoder().applyPlan(reparameterised(), 5);
            Set<String> trainable = model.trainableParameters().stream().map(Parameter::name).collect(Collectors.toSet());
            assertTrue(trainable.containsAll(List.of("prefix_encoder.embedding", "prefix_encoder.dense.weight",
                    "prefix_encoder.dense.bias", "encoder.layer.1.attention.self.prefix_v_proj.weight")), trainable.toString());
            assertFalse(trainable.contains("encoder.layer.0.attention.self.prefix_k"), "the MLP's outputs are not trained");
            Batch b = ModelGradientTest.batch(Pooling.MEAN);
            int checked = FiniteDifferences.check(model.trainableParameters(), () -> model.loss(b, true, 42),
                    () -> model.backward(1f));
            assertTrue(checked > 60, "checked only " + checked);
        }
    }

    @Test
    void gpt2ThroughThePrefixMlpMatchesFiniteDifferences() {
        int[] ids = {1, 4, 7, 2, 9, 3, 5, 10, 0, 0};
        float[] mask = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0};
        try (Backend be = Backends.create("reference");
             Gpt2Model model = Gpt2Model.create(be, Gpt2GradientTest.TINY, RandomWeights.gpt2(Gpt2GradientTest.TINY, 3))) {
            model.applyPlan(reparameterised(), 5);
            int checked = FiniteDifferences.check(model.trainableParameters(),
                    () -> model.loss(ids, mask, new Pass(2, 5, be.fromHost(mask, 2, 5), true, 17)),
                    () -> model.backward(1f));
            assertTrue(checked > 60, "checked only " + checked);
        }
    }

    @Test
    void droppingTheMlpKeepsTheOutputsAndLeavesAPlainPrefixModel() {
        try (Backend be = Backends.create("reference");
             SequenceClassifier model = new SequenceClassifier(BertModel.random(be, ModelGradientTest.TINY, 7), 3, 11)) {
            BertModel enc = model.encoder();
            enc.applyPlan(reparameterised(), 5);
            Perturbation.perturb(model.trainableParameters());
            Batch b = ModelGradientTest.batch(Pooling.MEAN);
            float[] before = model.logits(b, false, 0).toArray();
            long mlpValues = model.trainableParameters().stream().filter(p -> p.name().contains("prefix_encoder")
                    || p.name().contains("_proj")).mapToLong(Parameter::numel).sum();
            assertEquals(3 * 8 + 5 * 8 + 5 + 2 * 2 * (8 * 5 + 8), mlpValues);

            enc.dropPrefixReparameterisation();
            float[] after = model.logits(b, false, 0).toArray();
            assertArrayEquals(before, after, 0f, "the baked prefixes are exactly what the MLP computed");
            assertFalse(enc.hasPrefixReparameterisation());
            assertNull(enc.plan().reparameterisedPrefix());
            assertEquals(new PrefixSpec(3), enc.plan().layer(1).prefix());
            assertNull(enc.parameter("prefix_encoder.embedding"));
            Parameter pk = enc.parameter("encoder.layer.0.attention.self.prefix_k");
            assertNotNull(pk);
            assertTrue(pk.trainable(), "the baked prefixes are ordinary trainable parameters now");
            // It now trains as a direct prefix model: its gradients still match finite differences.
            int checked = FiniteDifferences.check(model.trainableParameters(), () -> model.loss(b, true, 42),
                    () -> model.backward(1f));
            assertTrue(checked > 40, "checked only " + checked);
            assertThrows(IllegalStateException.class, enc::dropPrefixReparameterisation);
        }
    }

    @Test
    void prefixedLayersOfAReparameterisedPlanMustShareLengthAndMlpSize() {
        LayerPlan a = LayerPlan.NONE.withPrefix(new PrefixSpec(3, 5, false));
        IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
                () -> new PeftPlan(List.of(a, LayerPlan.NONE.withPrefix(new PrefixSpec(4, 5, false)))));
        assertTrue(length.getMessage().contains("same length") && length.getMessage().contains("layer 1"), length.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new PeftPlan(List.of(a, LayerPlan.NONE.withPrefix(new PrefixSpec(3)))));
        assertThrows(IllegalArgumentException.class, () -> new PrefixSpec(3, -1, false));
        // Different lengths stay fine without reparameterisation.
        new PeftPlan(List.of(LayerPlan.NONE.withPrefix(new PrefixSpec(3)), LayerPlan.NONE.withPrefix(new PrefixSpec(4))));
    }

    /** Moves trainable values off their initial values, as FiniteDifferences does, without a gradient check. */
    static final class Perturbation {
        static void perturb(List<Parameter> ps) {
            java.util.SplittableRandom rng = new java.util.SplittableRandom(4);
            for (Parameter p : ps) {
                float[] v = p.value().toArray();
                for (int i = 0; i < v.length; i++) {
                    v[i] += (float) (rng.nextDouble() * 0.4 - 0.2);
                }
                p.value().copyFrom(v);
            }
        }
    }
}
