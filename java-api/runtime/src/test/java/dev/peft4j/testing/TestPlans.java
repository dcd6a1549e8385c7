package dev.peft4j.testing;

import dev.peft4j.backend.Activation;
import dev.peft4j.peft.AdapterSpec;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.LoraTarget;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.peft.PrefixSpec;
import java.util.EnumSet;
import java.util.List;

/** Plans shared by the model tests here and the golden tests in tests/ (through the test-jar). */
public final class TestPlans {
    private TestPlans() {}

    /**
     * Every PEFT method somewhere in two layers; also the PLAN of tools/golden/gen_model_gradients.py (change both
     * together). Activations are smooth here: a ReLU pre-activation within h of 0 makes a central difference
     * straddle the kink (seen: 17% off on GPT-2), so ReLU is checked kernel by kernel.
     */
    public static PeftPlan everything() {
        LayerPlan l0 = LayerPlan.NONE
                .withLora(new LoraSpec(2, 4f, false, 0.2f, EnumSet.allOf(LoraTarget.class)))
                .withAttnAdapter(new AdapterSpec(3, Activation.SWISH, 1f, false))
                .withPrefix(new PrefixSpec(2))
                .withIa3(true);
        LayerPlan l1 = LayerPlan.NONE
                .withLora(new LoraSpec(3, 6f, true, 0f, EnumSet.of(LoraTarget.QUERY, LoraTarget.VALUE)))
                .withFfnAdapter(new AdapterSpec(2, Activation.TANH, 1f, false))
                .withParallelAdapter(new AdapterSpec(4, Activation.GELU, 2f, true))
                .withBitfit(true);
        return new PeftPlan(List.of(l0, l1));
    }
}
