package dev.peft4j.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.model.BertConfig;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.PeftPlan;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BudgetAllocatorTest {
    static final BertConfig CFG = Fixtures.EIGHT; // d = 16, f = 32

    static double[] ones(int n) {
        double[] w = new double[n];
        java.util.Arrays.fill(w, 1);
        return w;
    }

    @Test
    void groupingPatternsGiveThePapersSplitsOnTwelveLayersAndCoverOtherDepths() {
        assertArrayEquals(new int[] {1, 2, 3, 6}, Grouping.INCREASING.sizes(12));
        assertArrayEquals(new int[] {3, 3, 3, 3}, Grouping.UNIFORM.sizes(12));
        assertArrayEquals(new int[] {6, 3, 2, 1}, Grouping.DECREASING.sizes(12));
        assertArrayEquals(new int[] {1, 5, 5, 1}, Grouping.SPINDLE.sizes(12));
        assertArrayEquals(new int[] {5, 1, 1, 5}, Grouping.BOTTLENECK.sizes(12));
        for (int layers = 4; layers <= 24; layers++) {
            for (Grouping g : Grouping.patterns()) {
                int[] s = g.sizes(layers);
                assertEquals(layers, java.util.Arrays.stream(s).sum(), g + " on " + layers);
                assertTrue(java.util.Arrays.stream(s).allMatch(x -> x >= 1), g + " on " + layers);
            }
        }
        assertArrayEquals(new int[] {1, 2, 2, 1}, Grouping.SPINDLE.sizes(6));
        assertArrayEquals(new int[] {2, 4, 1, 1}, Grouping.split(2, 4, 1, 1).sizes(8));
        assertThrows(IllegalArgumentException.class, () -> Grouping.split(2, 4, 1, 1).sizes(12));
        assertThrows(IllegalArgumentException.class, () -> Grouping.UNIFORM.sizes(3));
    }

    @Test
    void loraOnlyBudgetThatIsAMultipleOfTheUnitIsMetExactly() {
        // LoRA on q,v costs 4d = 64 per rank step; 8 layers at rank 3 = 1536.
        BudgetAllocator a = new BudgetAllocator(CFG, 16, 0.1);
        BudgetOutcome o = a.allocate(1536, Collections.nCopies(8, Set.of(Strategy.LORA)), ones(8));
        assertTrue(o.exact(), o.toString());
        for (LayerPlan lp : o.plan().layers()) {
            assertEquals(3, lp.lora().rank());
        }
        // 1536 + 64·3: three layers get rank 4, the rest stay at 3, still exact.
        BudgetOutcome p = a.allocate(1536 + 192, Collections.nCopies(8, Set.of(Strategy.LORA)), ones(8));
        assertTrue(p.exact(), p.toString());
        assertEquals(3, p.plan().layers().stream().filter(lp -> lp.lora().rank() == 4).count());
    }

    @Test
    void outcomesNeverExceedTheBudgetAndMatchTheCounter() {
        BudgetAllocator a = new BudgetAllocator(CFG, 16, 1.0);
        SplittableRandom rng = new SplittableRandom(5);
        List<Strategy> all = List.of(Strategy.values());
        for (int i = 0; i < 300; i++) {
            List<Set<Strategy>> s = new java.util.ArrayList<>();
            for (int l = 0; l < 8; l++) {
                EnumSet<Strategy> set = EnumSet.noneOf(Strategy.class);
                for (Strategy x : all) {
                    if (rng.nextInt(3) == 0) {
                        set.add(x);
                    }
                }
                s.add(set);
            }
            double[] w = new double[8];
            for (int l = 0; l < 8; l++) {
                w[l] = 1 + rng.nextInt(8);
            }
            long budget = 200 + rng.nextInt(6000);
            BudgetOutcome o = a.allocate(budget, s, w);
            if (o.accepted()) {
                assertTrue(o.actual() <= budget, o.toString());
                assertEquals(o.actual(), ParameterCounter.count(CFG, o.plan()));
                boolean capped = o.plan().layers().stream().anyMatch(lp -> lp.lora() != null && lp.lora().rank() == 16
                        || lp.prefix() != null && lp.prefix().length() == 16
                        || lp.ffnAdapter() != null && lp.ffnAdapter().size() == 16
                        || lp.parallelAdapter() != null && lp.parallelAdapter().size() == 16);
                boolean sized = s.stream().anyMatch(x -> x.stream().anyMatch(Strategy::sized));
                if (sized && !capped) {
                    assertTrue(o.deviation() < 4 * CFG.hidden(), "the remainder is below the dearest unit: " + o);
                }
            } else {
                assertFalse(o.rejection().isBlank());
            }
        }
    }

    @Test
    void allocationShapesTheSizes() {
        BudgetAllocator a = new BudgetAllocator(CFG, 64, 0.1);
        double[] inc = new double[8];
        double[] dec = new double[8];
        for (int l = 0; l < 8; l++) {
            inc[l] = Allocation.INCREASING.weight(l, 8);
            dec[l] = Allocation.DECREASING.weight(l, 8);
        }
        List<Set<Strategy>> prefixOnly = Collections.nCopies(8, Set.of(Strategy.PREFIX));
        PeftPlan up = a.allocate(8000, prefixOnly, inc).plan();
        PeftPlan down = a.allocate(8000, prefixOnly, dec).plan();
        for (int l = 1; l < 8; l++) {
            assertTrue(up.layer(l).prefix().length() >= up.layer(l - 1).prefix().length(), "increasing at " + l);
            assertTrue(down.layer(l).prefix().length() <= down.layer(l - 1).prefix().length(), "decreasing at " + l);
        }
        assertTrue(up.layer(7).prefix().length() > 4 * up.layer(0).prefix().length());
    }

    @Test
    void rejectionsSayWhy() {
        BudgetAllocator a = new BudgetAllocator(CFG, 4, 0.05);
        // BitFit on 8 layers costs 8·(7d + f) = 1152.
        BudgetOutcome fixed = a.allocate(1000, Collections.nCopies(8, Set.of(Strategy.BITFIT)), ones(8));
        assertTrue(fixed.rejection().contains("fixed costs"), fixed.rejection());
        BudgetOutcome min = a.allocate(500, Collections.nCopies(8, Set.of(Strategy.LORA)), ones(8));
        assertTrue(min.rejection().contains("every size at 1"), min.rejection());
        BudgetOutcome capped = a.allocate(100_000, Collections.nCopies(8, Set.of(Strategy.LORA)), ones(8));
        assertTrue(capped.rejection().contains("capped at 4"), capped.rejection());
        BudgetOutcome bitfitOnly = new BudgetAllocator(CFG, 4, 0.5).allocate(2000,
                Collections.nCopies(8, Set.of(Strategy.BITFIT)), ones(8));
        assertEquals(1152, bitfitOnly.actual());
        assertEquals(848, bitfitOnly.deviation());
    }

    @Test
    void s4SpacePointsBecomePlansWithinTheBudget() {
        S4Space space = S4Space.paper(0.2);
        BudgetAllocator a = BudgetAllocator.defaults(CFG);
        long budget = a.budgetFor(0.2);
        SplittableRandom rng = new SplittableRandom(3);
        int accepted = 0;
        for (int i = 0; i < 200; i++) {
            S4Config c = space.sample(java.util.Map.of(), rng);
            BudgetOutcome o = space.toPlan(c, CFG, a);
            if (o.accepted()) {
                accepted++;
                assertEquals(o.actual(), ParameterCounter.count(CFG, o.plan()));
                assertTrue(o.actual() <= budget && o.relativeDeviation() <= 0.10, o.toString());
                int[] group = c.grouping().groupOfLayer(8);
                for (int l = 0; l < 8; l++) {
                    LayerPlan lp = o.plan().layer(l);
                    boolean tuned = c.tuned(group[l]);
                    StrategySet s = c.strategies().get(group[l]);
                    assertEquals(tuned && s.contains(Strategy.LORA), lp.lora() != null);
                    assertEquals(tuned && s.contains(Strategy.PREFIX), lp.prefix() != null);
                    assertEquals(tuned && s.contains(Strategy.BITFIT), lp.bitfit());
                    assertEquals(tuned && s.contains(Strategy.ADAPTER), lp.ffnAdapter() != null);
                }
            }
        }
        assertTrue(accepted > 100, "most points fit a 20% budget: " + accepted);
    }
}
