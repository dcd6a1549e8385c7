package dev.peft4j.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.peft4j.backend.Activation;
import org.junit.jupiter.api.Test;

/** A plan's learning rate follows the methods it is built from. */
class MethodsLearningRateTest {
    static final int LAYERS = 12;
    static final int D = 384;
    static final int F = 1536;

    @Test
    void everyNamedMethodsPlanGetsThatMethodsRate() {
        for (String m : Methods.NAMES) {
            assertEquals(Methods.learningRate(m), Methods.learningRate(Methods.plan(m, LAYERS, D, 0), D, F), 0f, m);
        }
    }

    @Test
    void aPrefixHeavyPlanTrainsAtThePrefixRate() {
        // The S4 plan of the search issue: the whole budget as a long prefix in one layer, a small LoRA elsewhere.
        PeftPlan plan = Methods.plan("lora", LAYERS, D, 1);
        LayerPlan[] layers = plan.layers().toArray(new LayerPlan[0]);
        layers[0] = LayerPlan.NONE.withPrefix(new PrefixSpec(216));
        PeftPlan prefixHeavy = new PeftPlan(java.util.List.of(layers));
        assertEquals(1e-2f, Methods.learningRate(prefixHeavy, D, F), 0f);
        layers[0] = LayerPlan.NONE.withPrefix(new PrefixSpec(2));
        assertEquals(1e-3f, Methods.learningRate(new PeftPlan(java.util.List.of(layers)), D, F), 0f,
                "a short prefix beside LoRA everywhere: LoRA's rate");
    }

    @Test
    void aScaledParallelAdapterAloneKeepsTheDefaultRateButBesideAPrefixTakesMams() {
        AdapterSpec wide = new AdapterSpec(512, Activation.RELU, 4f, false);
        assertEquals(1e-3f, Methods.learningRate(PeftPlan.uniform(LAYERS, LayerPlan.NONE.withParallelAdapter(wide)), D, F), 0f);
        assertEquals(2e-4f, Methods.learningRate(PeftPlan.uniform(LAYERS,
                LayerPlan.NONE.withParallelAdapter(wide).withPrefix(new PrefixSpec(8))), D, F), 0f);
        assertEquals(1e-3f, Methods.learningRate(PeftPlan.uniform(LAYERS, LayerPlan.NONE), D, F), 0f, "head only");
    }
}
