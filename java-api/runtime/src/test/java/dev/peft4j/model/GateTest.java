package dev.peft4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.peft.AdapterSpec;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.LoraTarget;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.peft.PrefixSpec;
import dev.peft4j.tensor.Tensor;
import java.util.EnumSet;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** UniPELT gates on adapters, LoRA and prefixes: gradients, their g = 0.5 start, and what exactly they scale. */
class GateTest {
    /** {@link ModelGradientTest#everything()} with every module gated. */
    static PeftPlan everythingGated() {
        return ModelGradientTest.everything().map(l -> new LayerPlan(
                l.lora() == null ? null : l.lora().withGate(true),
                gate(l.attnAdapter()), gate(l.ffnAdapter()), gate(l.parallelAdapter()),
                l.prefix() == null ? null : new PrefixSpec(l.prefix().length(), 0, true), l.ia3(), l.bitfit()));
    }

    private static AdapterSpec gate(AdapterSpec a) {
        return a == null ? null : a.withGate(true);
    }

    @Test
    void bertClassifierWithEveryGateMatchesFiniteDifferences() {
        PeftPlan plan = everythingGated();
        assertTrue(plan.layers().stream().allMatch(LayerPlan::gated));
        try (Backend be = Backends.create("reference");
             SequenceClassifier model = new SequenceClassifier(BertModel.random(be, ModelGradientTest.TINY, 7), 3, 11)) {
            model.encoder().applyPlan(plan, 5);
            long gates = model.trainableParameters().stream().filter(p -> p.name().endsWith("gate.weight")).count();
            // layer 0: 6 LoRA targets + attention adapter + prefix; layer 1: 2 LoRA targets + FFN and parallel adapters.
            assertEquals(12, gates);
            Batch b = ModelGradientTest.batch(Pooling.MEAN);
            int checked = FiniteDifferences.check(model.trainableParameters(), () -> model.loss(b, true, 42),
                    () -> model.backward(1f));
            assertTrue(checked > 150, "checked only " + checked);
        }
    }

    @Test
    void gpt2WithEveryGateMatchesFiniteDifferences() {
        int[] ids = {1, 4, 7, 2, 9, 3, 5, 10, 0, 0};
        float[] mask = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0};
        try (Backend be = Backends.create("reference");
             Gpt2Model model = Gpt2Model.create(be, Gpt2GradientTest.TINY, RandomWeights.gpt2(Gpt2GradientTest.TINY, 3))) {
            model.applyPlan(everythingGated(), 5);
            int checked = FiniteDifferences.check(model.trainableParameters(),
                    () -> model.loss(ids, mask, new Pass(2, 5, be.fromHost(mask, 2, 5), true, 17)),
                    () -> model.backward(1f));
            assertTrue(checked > 150, "checked only " + checked);
        }
    }

    @Test
    void gatedReparameterisedPrefixMatchesFiniteDifferences() {
        LayerPlan l = LayerPlan.NONE.withPrefix(new PrefixSpec(2, 4, true));
        try (Backend be = Backends.create("reference");
             SequenceClassifier model = new SequenceClassifier(BertModel.random(be, ModelGradientTest.TINY, 7), 3, 11)) {
            model.encoder().applyPlan(new PeftPlan(List.of(l, l)), 5);
            Batch b = ModelGradientTest.batch(Pooling.CLS);
            int checked = FiniteDifferences.check(model.trainableParameters(), () -> model.loss(b, true, 42),
                    () -> model.backward(1f));
            assertTrue(checked > 60, "checked only " + checked);
        }
    }

    /** Last hidden states of a fresh TINY encoder with {@code plan}, after {@code edit}, in an eval pass. */
    private static float[] hidden(PeftPlan plan, java.util.function.Consumer<BertModel> edit) {
        try (Backend be = Backends.create("reference"); BertModel m = BertModel.random(be, ModelGradientTest.TINY, 9)) {
            m.applyPlan(plan, 3);
            edit.accept(m);
            Batch b = ModelGradientTest.batch(Pooling.MEAN);
            Tensor mask = be.fromHost(b.mask(), 2, 5);
            float[] h = m.forward(b.ids(), b.types(), new Pass(2, 5, mask, false, 0)).toArray();
            mask.close();
            return h;
        }
    }

    private static PeftPlan uniform(UnaryOperator<LayerPlan> f) {
        return PeftPlan.uniform(2, f.apply(LayerPlan.NONE));
    }

    /** Overwrites the parameters whose names end with {@code suffix} with fixed values of order 1. */
    private static void fill(BertModel m, String suffix) {
        for (Parameter p : m.parameters()) {
            if (p.name().endsWith(suffix)) {
                float[] v = new float[(int) p.numel()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) Math.sin(1.7 * i + p.name().length());
                }
                p.value().copyFrom(v);
            }
        }
    }

    @Test
    void gatesStartAtZeroSoAGatedAdapterStartsAtHalfItsOutput() {
        java.util.function.Consumer<BertModel> big = m -> {
            fill(m, "down.weight");
            fill(m, "up.weight");
        };
        float[] gated = hidden(uniform(l -> l.withAttnAdapter(new AdapterSpec(3, Activation.SWISH, 1f, false, true))
                .withFfnAdapter(new AdapterSpec(3, Activation.SWISH, 1f, false, true))), m -> {
            assertArrayEquals(new float[8], m.parameter("encoder.layer.0.output.adapter.gate.weight").value().toArray(), 0f);
            assertArrayEquals(new float[1], m.parameter("encoder.layer.0.output.adapter.gate.bias").value().toArray(), 0f);
            big.accept(m);
        });
        float[] halved = hidden(uniform(l -> l.withAttnAdapter(new AdapterSpec(3, Activation.SWISH, 0.5f, false))
                .withFfnAdapter(new AdapterSpec(3, Activation.SWISH, 0.5f, false))), big);
        float[] plain = hidden(uniform(l -> l.withAttnAdapter(new AdapterSpec(3, Activation.SWISH, 1f, false))
                .withFfnAdapter(new AdapterSpec(3, Activation.SWISH, 1f, false))), big);
        assertArrayEquals(halved, gated, 1e-5f);
        assertTrue(maxDiff(plain, gated) > 1e-2, "the gate changes the output");
    }

    @Test
    void aGatedLoraTermIsScaledByTheGate() {
        EnumSet<LoraTarget> t = EnumSet.of(LoraTarget.QUERY, LoraTarget.FFN_OUT);
        java.util.function.Consumer<BertModel> setB = m -> fill(m, "lora_B.weight");
        float[] gated = hidden(uniform(l -> l.withLora(new LoraSpec(2, 4f, false, 0f, t, true))), setB);
        float[] halved = hidden(uniform(l -> l.withLora(new LoraSpec(2, 2f, false, 0f, t))), setB);
        assertArrayEquals(halved, gated, 1e-5f);
        // A large gate bias opens the gate fully: the gated layer then computes plain LoRA.
        float[] open = hidden(uniform(l -> l.withLora(new LoraSpec(2, 4f, false, 0f, t, true))), m -> {
            setB.accept(m);
            m.parameters().stream().filter(p -> p.name().endsWith("lora_gate.bias"))
                    .forEach(p -> p.value().copyFrom(new float[] {40f}));
        });
        float[] plain = hidden(uniform(l -> l.withLora(new LoraSpec(2, 4f, false, 0f, t))), setB);
        assertArrayEquals(plain, open, 1e-5f);
    }

    @Test
    void aGatedPrefixScalesItsValuesPerQuery() {
        String pv = "encoder.layer.1.attention.self.prefix_v";
        float[] gated = hidden(uniform(l -> l.withPrefix(new PrefixSpec(3, 0, true))), m -> {});
        // g = 0.5 for every query: the same as prefix values halved (keys, and so the attention weights, unchanged).
        float[] halved = hidden(uniform(l -> l.withPrefix(new PrefixSpec(3))), m -> {
            for (Parameter p : m.parameters()) {
                if (p.name().endsWith("prefix_v")) {
                    float[] v = p.value().toArray();
                    for (int i = 0; i < v.length; i++) {
                        v[i] *= 0.5f;
                    }
                    p.value().copyFrom(v);
                }
            }
        });
        float[] plain = hidden(uniform(l -> l.withPrefix(new PrefixSpec(3))), m -> assertTrue(m.parameter(pv).trainable()));
        assertArrayEquals(halved, gated, 1e-5f);
        assertTrue(maxDiff(plain, gated) > 1e-4, "the gate changes the output");
    }

    @Test
    void aGatedLoraCannotBeMerged() {
        try (Backend be = Backends.create("reference"); BertModel m = BertModel.random(be, ModelGradientTest.TINY, 1)) {
            m.applyPlan(PeftPlan.lora(2, LoraSpec.defaults().withGate(true)), 1);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> LoraMerge.merge(m));
            assertTrue(e.getMessage().contains("gated"), e.getMessage());
        }
    }

    @Test
    void bitfitDoesNotTakeOverGateBiases() {
        try (Backend be = Backends.create("reference"); BertModel m = BertModel.random(be, ModelGradientTest.TINY, 1)) {
            m.applyPlan(PeftPlan.uniform(2, LayerPlan.NONE.withBitfit(true).withLora(LoraSpec.defaults().withGate(true))), 1);
            long gateValues = m.trainableParameters().stream().filter(p -> p.name().contains("gate"))
                    .mapToLong(Parameter::numel).sum();
            assertEquals(2 * 2 * (8 + 1), gateValues);
        }
    }

    private static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
