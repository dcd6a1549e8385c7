package dev.peft4j.golden;

import dev.peft4j.backend.Activation;
import dev.peft4j.peft.AdapterSpec;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.LoraTarget;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.peft.PrefixSpec;
import java.util.EnumSet;
import java.util.List;

/**
 * Every PEFT method in two layers: the plan of java-api's ModelGradientTest.everything() (package-private there),
 * and the PLAN of tools/golden/gen_model_gradients.py. Change all three together.
 */
final class EverythingPlan {
    private EverythingPlan() {}

    static PeftPlan create() {
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
