package dev.peft4j.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.PeftPlan;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Choosing the plan to save from a Pareto front: the best metric, overall or within a parameter budget. */
class AutoPeftResultTest {
    private static ParetoPoint point(String label, double metric, double fraction) {
        return new ParetoPoint(label, null, PeftPlan.uniform(1, LayerPlan.NONE), metric, fraction);
    }

    private static AutoPeftResult result(ParetoPoint... front) {
        return new AutoPeftResult(List.of(front), List.of(front), 0, 0.5, 0.1, 0);
    }

    @Test
    void theBestWithinABudgetIgnoresLargerPoints() {
        AutoPeftResult r = result(point("a", 0.70, 0.001), point("b", 0.80, 0.004), point("c", 0.90, 0.02));
        assertEquals("c", r.bestMetric().label());
        assertEquals("b", r.bestWithin(0.005).label());
        assertEquals("b", r.bestWithin(0.004).label(), "the budget itself is allowed");
        assertEquals("a", r.bestWithin(0.0039).label());
        assertNull(r.bestWithin(0.0005), "nothing within the budget");
    }

    @Test
    void tiesGoToTheSmallerFraction() {
        AutoPeftResult r = result(point("big", 0.8, 0.004), point("small", 0.8, 0.002));
        assertEquals("small", r.bestWithin(1).label());
    }
}
