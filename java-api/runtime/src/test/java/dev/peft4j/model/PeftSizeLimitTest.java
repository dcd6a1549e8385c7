package dev.peft4j.model;

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
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** A LoRA rank or adapter size whose matrices cannot be one tensor is refused by name, before any allocation. */
class PeftSizeLimitTest {
    @Test
    void aHugeLoraRankIsRefusedWithTheWeightsName() {
        try (Backend be = Backends.create("reference");
             BertModel model = BertModel.random(be, ModelGradientTest.TINY, 7)) {
            LoraSpec huge = new LoraSpec(1 << 30, 8f, false, 0f, EnumSet.of(LoraTarget.QUERY));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.applyPlan(PeftPlan.uniform(ModelGradientTest.TINY.layers(), LayerPlan.NONE.withLora(huge)), 1));
            assertTrue(e.getMessage().contains("LoRA rank 1073741824") && e.getMessage().contains("query"), e.getMessage());
        }
    }

    @Test
    void aHugeAdapterIsRefusedWithItsName() {
        try (Backend be = Backends.create("reference");
             BertModel model = BertModel.random(be, ModelGradientTest.TINY, 7)) {
            AdapterSpec huge = new AdapterSpec(1 << 30, Activation.RELU, 1f, false, false);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.applyPlan(PeftPlan.uniform(ModelGradientTest.TINY.layers(), LayerPlan.NONE.withFfnAdapter(huge)), 1));
            assertTrue(e.getMessage().contains("adapter size 1073741824"), e.getMessage());
        }
    }
}
