package dev.peft4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.backend.ProfilingBackend;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.PeftPlan;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The backward stops at the lowest layer with something to train, and stays exact above it. */
class BackwardPruningTest {
    static int attentionBackwards(PeftPlan plan) {
        return backwardCalls(plan, "attentionBackward");
    }

    static int backwardCalls(PeftPlan plan, String kernel) {
        try (Backend ref = Backends.create("reference")) {
            ProfilingBackend prof = new ProfilingBackend(ref);
            try (SequenceClassifier model = new SequenceClassifier(BertModel.random(prof.backend(), ModelGradientTest.TINY, 7), 3, 11)) {
                if (plan != null) {
                    model.encoder().applyPlan(plan, 5);
                }
                Batch b = ModelGradientTest.batch(Pooling.MEAN);
                model.loss(b, true, 1);
                prof.reset();
                model.backward(1f);
                return prof.report().stream().filter(l -> l.startsWith(kernel + " "))
                        .mapToInt(l -> Integer.parseInt(l.trim().split("\\s+")[1])).sum();
            }
        }
    }

    @Test
    void headOnlyTrainingRunsNoEncoderBackward() {
        assertEquals(0, attentionBackwards(null));
    }

    @Test
    void loraOnTheTopLayerOnlyRunsOneLayerBackward() {
        PeftPlan top = new PeftPlan(List.of(LayerPlan.NONE, LayerPlan.NONE.withLora(LoraSpec.defaults())));
        assertEquals(1, attentionBackwards(top));
        PeftPlan bottom = new PeftPlan(List.of(LayerPlan.NONE.withLora(LoraSpec.defaults()), LayerPlan.NONE));
        assertEquals(2, attentionBackwards(bottom));
    }

    @Test
    void theLowestLayerSkipsWhatOnlyFeedsItsInputGradient() {
        int head = backwardCalls(null, "linearBackward");
        PeftPlan bottom = new PeftPlan(List.of(LayerPlan.NONE.withLora(LoraSpec.defaults()), LayerPlan.NONE));
        // layer 1 carries dx through q, k, v, o and both FFN linears; layer 0 (LoRA on q, v) needs dx through o and
        // the FFN, while its frozen key projection only fed the input gradient: skipped
        assertEquals(head + 6 + 3, backwardCalls(bottom, "linearBackward"));
        assertEquals(2, backwardCalls(bottom, "loraBackward"));
    }

    @Test
    void topLayerGradientsStillMatchFiniteDifferences() {
        try (Backend be = Backends.create("reference");
             SequenceClassifier model = new SequenceClassifier(BertModel.random(be, ModelGradientTest.TINY, 7), 3, 11)) {
            model.encoder().applyPlan(new PeftPlan(List.of(LayerPlan.NONE,
                    ModelGradientTest.everything().layer(1))), 5);
            Batch b = ModelGradientTest.batch(Pooling.MEAN);
            int checked = FiniteDifferences.check(model.trainableParameters(), () -> model.loss(b, true, 42),
                    () -> model.backward(1f));
            assertTrue(checked > 20, "checked " + checked);
        }
    }
}
