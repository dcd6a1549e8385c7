package dev.peft4j.search;

import dev.peft4j.model.BertConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The S4 design space: candidate groupings, allocations, tuned-group masks and per-group strategy sets, and the
 * parameter budget as a fraction of the base model. {@link #toPlan} turns a point into a runtime plan whose exact
 * trainable count meets the budget (see {@link BudgetAllocator}) or is rejected with the reason.
 */
public record S4Space(List<Grouping> groupings, List<Allocation> allocations, List<Integer> tunedMasks,
                      List<StrategySet> strategySets, double budgetFraction) {
    public S4Space {
        nonEmpty("groupings", groupings);
        nonEmpty("allocations", allocations);
        nonEmpty("tunedMasks", tunedMasks);
        nonEmpty("strategySets", strategySets);
        groupings = List.copyOf(groupings);
        allocations = List.copyOf(allocations);
        tunedMasks = List.copyOf(tunedMasks);
        strategySets = List.copyOf(strategySets);
        if (!(budgetFraction > 0) || !Double.isFinite(budgetFraction)) {
            throw new IllegalArgumentException("budgetFraction must be finite and > 0, got " + budgetFraction);
        }
    }

    /** The paper's space: 5 grouping patterns, 3 allocations, all 15 tuned-group masks, all 15 subsets of {A,P,B,L}. */
    public static S4Space paper(double budgetFraction) {
        return new S4Space(Grouping.patterns(), List.of(Allocation.values()),
                IntStream.rangeClosed(1, 15).boxed().toList(), StrategySet.allSubsets(Strategy.S4_BASIC), budgetFraction);
    }

    /** A copy with other strategy sets for every group (e.g. subsets including (IA)³ and parallel adapters). */
    public S4Space withStrategySets(List<StrategySet> sets) {
        return new S4Space(groupings, allocations, tunedMasks, sets, budgetFraction);
    }

    public List<?> choices(S4Stage stage) {
        return switch (stage) {
            case GROUPING -> groupings;
            case ALLOCATION -> allocations;
            case TUNED_GROUPS -> tunedMasks;
            default -> strategySets;
        };
    }

    /** A configuration with every component not in {@code fixed} drawn uniformly (one draw per stage, in order). */
    public S4Config sample(java.util.Map<S4Stage, Object> fixed, SplittableRandom rng) {
        S4Config c = new S4Config(groupings.get(0), allocations.get(0), tunedMasks.get(0),
                List.of(strategySets.get(0), strategySets.get(0), strategySets.get(0), strategySets.get(0)));
        for (S4Stage s : S4Stage.values()) {
            List<?> options = choices(s);
            Object drawn = options.get(rng.nextInt(options.size()));
            c = s.set(c, fixed.getOrDefault(s, drawn));
        }
        return c;
    }

    /** The runtime plan of a configuration, meeting the budget exactly where possible. */
    public BudgetOutcome toPlan(S4Config c, BertConfig cfg, BudgetAllocator allocator) {
        int layers = cfg.layers();
        int[] group;
        try {
            group = c.grouping().groupOfLayer(layers);
        } catch (IllegalArgumentException e) {
            return BudgetOutcome.rejected(allocator.budgetFor(budgetFraction), e.getMessage());
        }
        List<Set<Strategy>> strategies = new ArrayList<>();
        double[] weights = new double[layers];
        for (int l = 0; l < layers; l++) {
            int g = group[l];
            strategies.add(c.tuned(g) ? c.strategies().get(g).members() : Set.of());
            weights[l] = c.allocation().weight(l, layers);
        }
        return allocator.allocate(allocator.budgetFor(budgetFraction), strategies, weights);
    }

    private static void nonEmpty(String name, List<?> l) {
        if (l == null || l.isEmpty()) {
            throw new IllegalArgumentException("the space needs at least one of " + name);
        }
        if (new HashSet<>(l.stream().map(Object::toString).toList()).size() != l.size()) {
            throw new IllegalArgumentException(name + " has duplicate choices: " + l);
        }
    }
}
