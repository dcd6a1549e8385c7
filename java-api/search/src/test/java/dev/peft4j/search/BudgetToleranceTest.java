package dev.peft4j.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.Activation;
import dev.peft4j.model.BertConfig;
import dev.peft4j.model.Pooling;
import dev.peft4j.peft.LayerPlan;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * What the allocator does against what the search states: accepted plans are never above the budget and at most
 * {@link BudgetAllocator#DEFAULT_MAX_SHORTFALL} below it (not "exactly"); prefixes are capped by the sequence length;
 * configurations that add nothing are rejected.
 */
class BudgetToleranceTest {
    /** bge-small's shape: 12 layers, hidden 384, FFN 1536. */
    static final BertConfig BGE = new BertConfig(30522, 384, 12, 12, 1536, 512, 2, 1e-12f, Activation.GELU, 0f, Pooling.CLS);

    @Test
    void everyAcceptedS4PlanLiesWithinTheStatedToleranceBelowTheBudget() {
        S4Space space = S4Space.paper(0.005);
        BudgetAllocator allocator = BudgetAllocator.defaults(BGE, 64);
        long budget = allocator.budgetFor(0.005);
        SplittableRandom rng = new SplittableRandom(7);
        int accepted = 0;
        int exact = 0;
        for (int i = 0; i < 400; i++) {
            S4Config c = space.sample(new EnumMap<>(S4Stage.class), rng);
            BudgetOutcome o = space.toPlan(c, BGE, allocator);
            if (!o.accepted()) {
                continue;
            }
            accepted++;
            exact += o.exact() ? 1 : 0;
            assertEquals(ParameterCounter.count(BGE, o.plan()), o.actual(), c.toString());
            assertTrue(o.actual() <= budget, c + ": " + o);
            assertTrue(o.deviation() <= BudgetAllocator.DEFAULT_MAX_SHORTFALL * budget, c + ": " + o);
            String line = SearchReport.budgetLine(o, allocator.maxShortfall());
            assertTrue(line.contains("accepts up to 10 % below"), line);
            assertTrue(line.contains(o.exact() ? "exact" : o.deviation() + " below"), line);
        }
        assertTrue(accepted > 100, "most sampled points are accepted: " + accepted);
        assertTrue(exact < accepted, "some accepted plans are below the budget, so 'exactly' would be wrong: "
                + exact + " of " + accepted);
        assertEquals(0.10, allocator.maxShortfall(), 0.0);
    }

    @Test
    void prefixLengthsAreCappedByTheSequenceLengthNotTheHiddenWidth() {
        // The spam case of the issue: spindle G1 is one layer, prefix only; the whole budget would be a 216-long prefix.
        S4Config prefixG1 = new S4Config(Grouping.SPINDLE, Allocation.UNIFORM, 1,
                List.of(StrategySet.of(Strategy.PREFIX), StrategySet.of(Strategy.PREFIX), StrategySet.of(Strategy.PREFIX),
                        StrategySet.of(Strategy.PREFIX)));
        S4Space space = S4Space.paper(0.005);
        BudgetOutcome old = space.toPlan(prefixG1, BGE, new BudgetAllocator(BGE, BGE.hidden(), 0.10));
        assertTrue(old.accepted() && old.plan().layer(0).prefix().length() > 200, old.toString());
        BudgetOutcome capped = space.toPlan(prefixG1, BGE, BudgetAllocator.defaults(BGE, 64));
        assertFalse(capped.accepted(), capped.toString());
        assertTrue(capped.rejection().contains("prefix lengths at 64"), capped.rejection());

        // Prefix in every layer: 12 layers share the budget, well under 64 each; accepted with every length ≤ 64.
        S4Config prefixAll = new S4Config(Grouping.UNIFORM, Allocation.UNIFORM, 15, prefixG1.strategies());
        BudgetOutcome all = space.toPlan(prefixAll, BGE, BudgetAllocator.defaults(BGE, 64));
        assertTrue(all.accepted(), all.toString());
        for (LayerPlan lp : all.plan().layers()) {
            assertTrue(lp.prefix().length() <= 64, lp.toString());
        }
        BudgetOutcome shortInputs = space.toPlan(prefixAll, BGE, BudgetAllocator.defaults(BGE, 8));
        assertFalse(shortInputs.accepted(), "8-token inputs cannot carry the budget as prefixes: " + shortInputs);
    }

    @Test
    void configurationsThatAddNothingAreRejected() {
        BudgetAllocator a = BudgetAllocator.defaults(Fixtures.EIGHT);
        List<Set<Strategy>> none = new ArrayList<>();
        for (int l = 0; l < 8; l++) {
            none.add(Set.of());
        }
        double[] w = new double[8];
        java.util.Arrays.fill(w, 1);
        BudgetOutcome o = a.allocate(1000, none, w);
        assertFalse(o.accepted());
        assertTrue(o.rejection().contains("adds nothing"), o.rejection());

        AutoPeftSpace space = AutoPeftSpace.powersOfTwo(Fixtures.EIGHT, 2, 4);
        assertTrue(space.addsNothing(new AutoPeftConfig(0, 0, 0, 0xFF)), "every module off: the head alone");
        assertTrue(space.addsNothing(new AutoPeftConfig(1, 1, 1, 0)), "no layer in the mask: the head alone");
        assertFalse(space.addsNothing(new AutoPeftConfig(0, 0, 1, 0x01)));
        Fixtures.FakeRunner runner = new Fixtures.FakeRunner(Fixtures.EIGHT);
        AutoPeftResult r = new AutoPeftSearcher(space, new AutoPeftSearcher.Settings(24, 3, 4, 64,
                new ProxySettings(1, 8, 8, 1), 5, 0.0, false)).search(new TrialScheduler(runner, SearchJournal.inMemory(), 2));
        for (ParetoPoint p : r.evaluated()) {
            assertTrue(ParameterCounter.count(Fixtures.EIGHT, p.plan()) > 0, p.label() + " adds nothing");
        }
    }

    @Test
    void theMajorityClassScoreIsTheReferenceAndUnbalancedDataAreFlagged() {
        ClassBalance spam = new ClassBalance(new long[] {70, 30});
        assertTrue(spam.unbalanced());
        assertEquals(0.70, spam.majorityScore(ClassifierTrialRunner.Score.ACCURACY), 1e-12);
        // Always "ham": F1 of ham = 2·70/(2·70 + 30), of spam 0; the mean over two classes.
        assertEquals(140.0 / 170 / 2, spam.majorityScore(ClassifierTrialRunner.Score.MACRO_F1), 1e-12);
        ClassBalance imdb = new ClassBalance(new long[] {52, 48});
        assertFalse(imdb.unbalanced());
        assertEquals(0.52, imdb.majorityScore(ClassifierTrialRunner.Score.ACCURACY), 1e-12);
        assertEquals(new ClassBalance(new long[] {2, 1}), ClassBalance.of(List.of(ex(0), ex(0), ex(1)), 2));
    }

    static dev.peft4j.train.EncodedExample ex(int label) {
        return new dev.peft4j.train.EncodedExample(new int[] {1, 2}, null, label);
    }
}
