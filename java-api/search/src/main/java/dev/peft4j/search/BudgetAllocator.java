package dev.peft4j.search;

import dev.peft4j.model.BertConfig;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.PeftPlan;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Chooses per-layer sizes (LoRA rank, adapter width, prefix length) so that a plan's exact trainable count
 * ({@link ParameterCounter}, without the task head) meets a budget B = round(fraction · base parameters).
 *
 * <p>The rule. Every (layer, sized strategy) pair is a unit u with cost c_u per size step; a layer's fixed costs
 * (BitFit, (IA)³, adapter output biases) F are paid first. The rest R = B − F is shared over units in proportion to
 * w_u = w_ℓ / (number of sized strategies in layer ℓ), w_ℓ from the {@link Allocation}: target p_u = R·w_u/Σw.
 * Sizes start at k_u = clamp(⌊p_u / c_u⌋, 1, cap_u) (trimmed if the floors with the minimum of 1 overshoot R),
 * then one step at a time the unit with the largest deficit p_u − k_u·c_u among those that still fit
 * (c_u ≤ R − Σ k·c, k_u &lt; cap_u) grows, until none fits. The cap is {@code maxSize} for ranks and widths and
 * {@code maxPrefix} for prefix lengths: a prefix longer than the sequences it is prepended to makes little sense, so
 * the defaults cap it at the maximum sequence length. The result is exact when the remainder is 0;
 * otherwise it is the closest point below B this rounding reaches (the remainder is then smaller than the
 * cheapest unit that can still grow), and its deviation is reported.
 *
 * <p>A configuration that gives no layer a strategy adds nothing (head only) and is rejected. So an accepted plan has B − maxShortfall·B ≤ actual ≤ B: it meets the budget exactly only when the rounding
 * reaches it, and otherwise lies below it by less than the cheapest unit that can still grow, never by more than the
 * tolerance ({@link #DEFAULT_MAX_SHORTFALL} by default). Rejections, each with its reason: F &gt; B; every size at 1
 * already costs more than B; or the closest point lies more than {@code maxShortfall}·B below B (sizes capped, or
 * only unsized strategies).
 */
public final class BudgetAllocator {
    private final BertConfig cfg;
    /** The default tolerance below the budget: an accepted plan has at least 90 % of the budgeted parameters. */
    public static final double DEFAULT_MAX_SHORTFALL = 0.10;

    private final int maxSize;
    private final int maxPrefix;
    private final double maxShortfall;

    /**
     * @param maxSize      the largest rank or width a unit may get
     * @param maxPrefix    the largest prefix length a unit may get
     * @param maxShortfall the largest accepted relative deviation below the budget, in [0, 1]
     */
    public BudgetAllocator(BertConfig cfg, int maxSize, int maxPrefix, double maxShortfall) {
        if (maxSize < 1 || maxPrefix < 1) {
            throw new IllegalArgumentException("maxSize and maxPrefix must be ≥ 1, got " + maxSize + ", " + maxPrefix);
        }
        if (!(maxShortfall >= 0 && maxShortfall <= 1)) {
            throw new IllegalArgumentException("maxShortfall must lie in [0, 1], got " + maxShortfall);
        }
        this.cfg = cfg;
        this.maxSize = maxSize;
        this.maxPrefix = maxPrefix;
        this.maxShortfall = maxShortfall;
    }

    /** The same cap for ranks, widths and prefix lengths. */
    public BudgetAllocator(BertConfig cfg, int maxSize, double maxShortfall) {
        this(cfg, maxSize, maxSize, maxShortfall);
    }

    /**
     * Ranks and widths up to the hidden width, prefix lengths up to {@code maxLength} (the sequence length the
     * inputs are cut to), at most {@link #DEFAULT_MAX_SHORTFALL} below the budget.
     */
    public static BudgetAllocator defaults(BertConfig cfg, int maxLength) {
        return new BudgetAllocator(cfg, cfg.hidden(), Math.min(cfg.hidden(), maxLength), DEFAULT_MAX_SHORTFALL);
    }

    /** {@link #defaults(BertConfig, int)} for inputs up to the model's longest sequence (its position table). */
    public static BudgetAllocator defaults(BertConfig cfg) {
        return defaults(cfg, cfg.maxPositions());
    }

    /** The accepted relative deviation below the budget. */
    public double maxShortfall() {
        return maxShortfall;
    }

    /** B = round(fraction · base parameters). */
    public long budgetFor(double fraction) {
        if (!(fraction > 0) || !Double.isFinite(fraction)) {
            throw new IllegalArgumentException("budget fraction must be finite and > 0, got " + fraction);
        }
        return Math.round(fraction * ParameterCounter.base(cfg));
    }

    /**
     * @param strategies   per layer, the strategies it gets (empty: not tuned)
     * @param layerWeights per layer, its share weight (≥ 0; used only by layers with sized strategies)
     */
    public BudgetOutcome allocate(long budget, List<Set<Strategy>> strategies, double[] layerWeights) {
        int layers = cfg.layers();
        if (strategies.size() != layers || layerWeights.length != layers) {
            throw new IllegalArgumentException("need one strategy set and one weight per layer (" + layers + "), got "
                    + strategies.size() + " and " + layerWeights.length);
        }
        if (strategies.stream().allMatch(Set::isEmpty)) {
            return BudgetOutcome.rejected(budget, "no layer gets a strategy: the configuration adds nothing to the"
                    + " encoder (it would train the classification head alone)");
        }
        long fixed = 0;
        List<int[]> units = new ArrayList<>(); // {layer, strategy ordinal}
        List<Double> shares = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            Set<Strategy> s = strategies.get(l);
            long sizedCount = s.stream().filter(Strategy::sized).count();
            for (Strategy st : s.isEmpty() ? EnumSet.noneOf(Strategy.class) : EnumSet.copyOf(s)) {
                fixed += st.fixed(cfg);
                if (st.sized()) {
                    if (!(layerWeights[l] > 0)) {
                        throw new IllegalArgumentException("layer " + l + " has sized strategies but weight " + layerWeights[l]);
                    }
                    units.add(new int[] {l, st.ordinal()});
                    shares.add(layerWeights[l] / sizedCount);
                }
            }
        }
        if (fixed > budget) {
            return BudgetOutcome.rejected(budget, "the fixed costs (BitFit, (IA)³, adapter biases) need " + fixed
                    + " parameters, over the budget of " + budget);
        }
        long rest = budget - fixed;
        int n = units.size();
        long[] cost = new long[n];
        int[] cap = new int[n];
        double[] target = new double[n];
        int[] k = new int[n];
        double shareSum = shares.stream().mapToDouble(Double::doubleValue).sum();
        long minimum = 0;
        for (int u = 0; u < n; u++) {
            Strategy st = Strategy.values()[units.get(u)[1]];
            cost[u] = st.perUnit(cfg);
            cap[u] = st == Strategy.PREFIX ? maxPrefix : maxSize;
            minimum += cost[u];
        }
        if (minimum > rest) {
            return BudgetOutcome.rejected(budget, "every size at 1 already needs " + (fixed + minimum)
                    + " parameters, over the budget of " + budget);
        }
        long spent = 0;
        for (int u = 0; u < n; u++) {
            target[u] = rest * shares.get(u) / shareSum;
            k[u] = (int) Math.max(1, Math.min(cap[u], Math.floor(target[u] / cost[u])));
            spent += k[u] * cost[u];
        }
        while (spent > rest) { // floors lifted to 1 can overshoot: shrink the unit furthest above its target
            int best = -1;
            for (int u = 0; u < n; u++) {
                if (k[u] > 1 && (best < 0 || k[u] * cost[u] - target[u] > k[best] * cost[best] - target[best])) {
                    best = u;
                }
            }
            k[best]--;
            spent -= cost[best];
        }
        while (true) {
            int best = -1;
            for (int u = 0; u < n; u++) {
                if (k[u] < cap[u] && cost[u] <= rest - spent
                        && (best < 0 || target[u] - k[u] * cost[u] > target[best] - k[best] * cost[best])) {
                    best = u;
                }
            }
            if (best < 0) {
                break;
            }
            k[best]++;
            spent += cost[best];
        }
        long actual = fixed + spent;
        if (budget - actual > maxShortfall * budget) {
            return BudgetOutcome.rejected(budget, "the closest feasible point has " + actual + " parameters, "
                    + String.format(java.util.Locale.ROOT, "%.1f%%", 100.0 * (budget - actual) / budget)
                    + " below the budget of " + budget + " (ranks and widths are capped at " + maxSize
                    + ", prefix lengths at " + maxPrefix + "; accepted shortfall " + maxShortfall + ")");
        }
        LayerPlan[] lp = new LayerPlan[layers];
        java.util.Arrays.fill(lp, LayerPlan.NONE);
        for (int l = 0; l < layers; l++) {
            for (Strategy st : strategies.get(l)) {
                if (!st.sized()) {
                    lp[l] = st.apply(lp[l], 0);
                }
            }
        }
        for (int u = 0; u < n; u++) {
            int l = units.get(u)[0];
            lp[l] = Strategy.values()[units.get(u)[1]].apply(lp[l], k[u]);
        }
        PeftPlan plan = new PeftPlan(List.of(lp));
        long check = ParameterCounter.count(cfg, plan);
        if (check != actual) {
            throw new IllegalStateException("allocation bookkeeping " + actual + " differs from the plan's count " + check);
        }
        return new BudgetOutcome(plan, budget, actual, null);
    }
}
