package dev.peft4j.model;

import dev.peft4j.io.TensorData;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The causal LM's backward with every PEFT module against finite differences, and its causal masking. */
class Gpt2GradientTest {
    static final Gpt2Config TINY = new Gpt2Config(13, 8, 2, 2, 12, 7, 1e-5f, Activation.GELU_TANH, 0.1f);

    @Test
    void causalLmMatchesFiniteDifferences() {
        int[] ids = {1, 4, 7, 2, 9, 3, 5, 10, 0, 0};
        float[] mask = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0};
        try (Backend be = Backends.create("reference"); Gpt2Model model = Gpt2Model.create(be, TINY, RandomWeights.gpt2(TINY, 3))) {
            model.applyPlan(ModelGradientTest.everything(), 5);
            int checked = FiniteDifferences.check(model.trainableParameters(),
                    () -> model.loss(ids, mask, new Pass(2, 5, be.fromHost(mask, 2, 5), true, 17)),
                    () -> model.backward(1f));
            assertTrue(checked > 100, "checked only " + checked);
        }
    }

    @Test
    void aTokenDoesNotSeeTheFuture() {
        try (Backend be = Backends.create("reference"); Gpt2Model model = Gpt2Model.create(be, TINY, RandomWeights.gpt2(TINY, 4))) {
            int[] a = {1, 2, 3, 4, 5};
            int[] b = {1, 2, 3, 11, 12};
            float[] la = model.logits(a, new Pass(1, 5, null, false, 0)).toArray();
            float[] lb = model.logits(b, new Pass(1, 5, null, false, 0)).toArray();
            int v = TINY.vocabSize();
            // Positions 0..2 have identical prefixes, so identical logits; position 3 differs.
            for (int i = 0; i < 3 * v; i++) {
                assertEquals(la[i], lb[i], 0f, "logit " + i);
            }
            assertTrue(Math.abs(la[3 * v] - lb[3 * v]) > 1e-6 || Math.abs(la[3 * v + 1] - lb[3 * v + 1]) > 1e-6);
        }
    }

    @Test
    void conv1dWeightsAreTransposedAndSplit() {
        Map<String, TensorData> w = RandomWeights.gpt2(TINY, 5);
        float[] cAttn = w.get("h.0.attn.c_attn.weight").data();
        int d = TINY.hidden();
        try (Backend be = Backends.create("reference"); Gpt2Model model = Gpt2Model.create(be, TINY, w)) {
            Tensor key = model.parameters().stream().filter(p -> p.name().equals("h.0.attn.key.weight")).findFirst()
                    .orElseThrow().value();
            float[] k = key.toArray();
            float[] expected = new float[d * d];
            for (int out = 0; out < d; out++) {
                for (int in = 0; in < d; in++) {
                    expected[out * d + in] = cAttn[in * 3 * d + d + out];
                }
            }
            assertArrayEquals(expected, k, 0f);
        }
    }
}
