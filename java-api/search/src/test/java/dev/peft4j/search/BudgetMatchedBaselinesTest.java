package dev.peft4j.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The protocol's budget-matched baselines on bge-small at 0.5 % (docs/search/PROTOCOL.md). */
class BudgetMatchedBaselinesTest {
    @Test
    void eachMethodGetsTheLargestSizeWithinTheBudget() {
        var cfg = BudgetToleranceTest.BGE;
        long budget = BudgetAllocator.defaults(cfg).budgetFor(0.005);
        assertEquals(166_061, budget);
        assertEquals(9, BudgetMatchedBaselines.sizeFor("lora", cfg, budget));
        assertEquals(8, BudgetMatchedBaselines.sizeFor("houlsby", cfg, budget));
        assertEquals(17, BudgetMatchedBaselines.sizeFor("pfeiffer", cfg, budget));
        assertEquals(17, BudgetMatchedBaselines.sizeFor("parallel", cfg, budget));
        assertEquals(18, BudgetMatchedBaselines.sizeFor("prefix", cfg, budget));
        assertEquals(0, BudgetMatchedBaselines.sizeFor("bitfit", cfg, budget));
        assertEquals(0, BudgetMatchedBaselines.sizeFor("ia3", cfg, budget));
        assertEquals(-1, BudgetMatchedBaselines.sizeFor("mam", cfg, budget), "MAM's 30-token prefix alone is over");
        assertEquals(165_888, BudgetMatchedBaselines.count("lora", cfg, 9));
        assertTrue(BudgetMatchedBaselines.count("lora", cfg, 10) > budget);
        assertEquals(156_864, BudgetMatchedBaselines.count("houlsby", cfg, 8));
        assertEquals(-1, BudgetMatchedBaselines.sizeFor("bitfit", cfg, 1000));
    }
}
