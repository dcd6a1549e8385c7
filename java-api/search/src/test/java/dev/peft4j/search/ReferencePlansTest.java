package dev.peft4j.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.Activation;
import dev.peft4j.model.BertConfig;
import dev.peft4j.model.Pooling;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.PeftPlan;
import org.junit.jupiter.api.Test;

/** The design-spaces paper's pattern as a plan, and AutoPEFT's size grid. */
class ReferencePlansTest {
    /** 12 layers, hidden 48: spindle 1-5-5-1 groups layers 0 | 1-5 | 6-10 | 11. */
    static final BertConfig TWELVE = new BertConfig(40, 48, 12, 2, 96, 64, 2, 1e-5f, Activation.GELU, 0.0f, Pooling.MEAN);

    @Test
    void thePapersPatternPutsEachGroupsStrategiesIntoItsLayersWithinTheBudget() {
        S4Config c = S4Config.paperPattern();
        assertEquals(Grouping.SPINDLE, c.grouping());
        assertEquals(15, c.tunedMask());
        BudgetOutcome out = S4Space.paper(0.05).toPlan(c, TWELVE, BudgetAllocator.defaults(TWELVE, 32));
        assertTrue(out.accepted(), out.toString());
        PeftPlan plan = out.plan();
        assertEquals(ParameterCounter.count(TWELVE, plan), out.actual());
        assertTrue(out.actual() <= out.budget());
        LayerPlan g1 = plan.layer(0), g2 = plan.layer(3), g3 = plan.layer(8), g4 = plan.layer(11);
        // G1 {Adapter, LoRA}
        assertNotNull(g1.lora());
        assertNotNull(g1.ffnAdapter());
        assertNull(g1.prefix());
        assertTrue(!g1.bitfit());
        // G2 {Adapter, Prefix}
        assertNotNull(g2.ffnAdapter());
        assertNotNull(g2.prefix());
        assertNull(g2.lora());
        assertTrue(!g2.bitfit());
        // G3 {Adapter, Prefix, BitFit}
        assertNotNull(g3.ffnAdapter());
        assertNotNull(g3.prefix());
        assertTrue(g3.bitfit());
        assertNull(g3.lora());
        // G4 {Prefix, BitFit, LoRA}
        assertNotNull(g4.prefix());
        assertTrue(g4.bitfit());
        assertNotNull(g4.lora());
        assertNull(g4.ffnAdapter());
    }

    @Test
    void autoPeftsGridIsCutAtTheHiddenWidthAndTheMaximumPrefix() {
        AutoPeftSpace s = AutoPeftSpace.autoPeftGrid(TWELVE, 20);
        assertArrayEquals(new int[] {1, 3, 6, 12, 24, 48}, s.serialSizes());
        assertArrayEquals(new int[] {1, 3, 6, 12, 24, 48}, s.parallelSizes());
        assertArrayEquals(new int[] {1, 3, 6, 12}, s.prefixLengths());
        assertEquals(3 + 12, s.dimensions());
        assertThrows(IllegalArgumentException.class, () -> AutoPeftSpace.autoPeftGrid(TWELVE, 0));
    }
}
