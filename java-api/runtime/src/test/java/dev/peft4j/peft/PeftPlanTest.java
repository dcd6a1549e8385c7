package dev.peft4j.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** What a plan says about its prefixes as a whole. */
class PeftPlanTest {
    @Test
    void uniformPrefixLengthIsTheOneLengthOnEveryLayer() {
        LayerPlan four = LayerPlan.NONE.withPrefix(new PrefixSpec(4));
        assertEquals(OptionalInt.of(4), PeftPlan.uniform(3, four).uniformPrefixLength());
        // other methods beside the prefix do not change its length; a gate or reparameterisation neither
        assertEquals(OptionalInt.of(4), new PeftPlan(List.of(four.withLora(LoraSpec.defaults()),
                LayerPlan.NONE.withPrefix(new PrefixSpec(4, 0, true)))).uniformPrefixLength());
    }

    @Test
    void noUniformPrefixLengthWhenALayerLacksOneOrTheLengthsDiffer() {
        LayerPlan four = LayerPlan.NONE.withPrefix(new PrefixSpec(4));
        assertTrue(PeftPlan.lora(2, LoraSpec.defaults()).uniformPrefixLength().isEmpty());
        assertTrue(new PeftPlan(List.of(four, LayerPlan.NONE)).uniformPrefixLength().isEmpty());
        assertTrue(new PeftPlan(List.of(LayerPlan.NONE, four)).uniformPrefixLength().isEmpty());
        assertTrue(new PeftPlan(List.of(four, LayerPlan.NONE.withPrefix(new PrefixSpec(5)))).uniformPrefixLength()
                .isEmpty());
    }
}
