package dev.peft4j.adapter;

import static dev.peft4j.adapter.Fixtures.BERT;
import static dev.peft4j.adapter.Fixtures.GPT2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Gpt2Model;
import dev.peft4j.model.LoraMerge;
import dev.peft4j.model.Parameter;
import dev.peft4j.model.RandomWeights;
import dev.peft4j.model.SequenceClassifier;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.LoraTarget;
import dev.peft4j.peft.PeftPlan;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoraMergeTest {
    private static float[][] frozenWeights(List<Parameter> ps) {
        return ps.stream().filter(p -> !p.trainable() && p.name().endsWith(".weight")).map(p -> p.value().toArray())
                .toArray(float[][]::new);
    }

    /**
     * W + Δ − Δ in float32 is W up to the two roundings: each element may differ by at most half an ulp of the
     * merged value plus half an ulp of the result; an unmerge that forgot Δ (or used another scale) is far off.
     */
    private static void assertRestored(float[][] before, float[][] merged, float[][] after) {
        for (int i = 0; i < before.length; i++) {
            for (int j = 0; j < before[i].length; j++) {
                float bound = 0.5f * Math.ulp(merged[i][j]) + 0.5f * Math.ulp(after[i][j]);
                assertTrue(Math.abs(before[i][j] - after[i][j]) <= bound, "W[" + i + "][" + j + "] restored to "
                        + after[i][j] + ", was " + before[i][j] + " (bound " + bound + ")");
            }
        }
    }

    @Test
    void mergedBertForwardEqualsLoraForwardAndUnmergeRestoresW() {
        try (Backend be = Backends.create("reference"); SequenceClassifier c = new SequenceClassifier(BertModel.random(be, BERT, 1), 2, 2)) {
            c.encoder().applyPlan(new PeftPlan(List.of(
                    LayerPlan.NONE.withLora(new LoraSpec(4, 8f, false, 0.1f, EnumSet.allOf(LoraTarget.class))),
                    LayerPlan.NONE.withLora(new LoraSpec(2, 3f, true, 0f, EnumSet.of(LoraTarget.QUERY, LoraTarget.FFN_OUT))))), 3);
            Fixtures.randomiseTrainable(c.parameters(), 4);
            float[][] w0 = frozenWeights(c.parameters());
            float[] lora = Fixtures.logits(c);
            assertEquals(8, LoraMerge.merge(c.encoder()));
            assertTrue(LoraMerge.isMerged(c.encoder()));
            float[][] wMerged = frozenWeights(c.parameters());
            assertFalse(java.util.Arrays.deepEquals(w0, wMerged), "merge changes W");
            float[] merged = Fixtures.logits(c);
            double err = Fixtures.relativeError(merged, lora);
            assertTrue(err <= 1e-5, "merged vs LoRA forward: " + err);
            assertThrows(IllegalStateException.class, () -> LoraMerge.merge(c.encoder()), "merging twice is refused");
            LoraMerge.unmerge(c.encoder());
            assertRestored(w0, wMerged, frozenWeights(c.parameters()));
            assertTrue(Fixtures.relativeError(Fixtures.logits(c), lora) <= 1e-6);
        }
    }

    @Test
    void mergedGpt2ForwardEqualsLoraForward() {
        try (Backend be = Backends.create("reference"); Gpt2Model m = Gpt2Model.create(be, GPT2, RandomWeights.gpt2(GPT2, 1))) {
            m.applyPlan(PeftPlan.lora(2, new LoraSpec(3, 6f, false, 0f, EnumSet.allOf(LoraTarget.class))), 3);
            Fixtures.randomiseTrainable(m.parameters(), 4);
            float[][] w0 = frozenWeights(m.parameters());
            float[] lora = Fixtures.logits(m);
            LoraMerge.merge(m);
            float[][] wMerged = frozenWeights(m.parameters());
            double err = Fixtures.relativeError(Fixtures.logits(m), lora);
            assertTrue(err <= 1e-5, "merged vs LoRA forward: " + err);
            LoraMerge.unmerge(m);
            assertRestored(w0, wMerged, frozenWeights(m.parameters()));
        }
    }
}
