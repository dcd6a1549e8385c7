package dev.peft4j.search;

import dev.peft4j.model.BertConfig;
import dev.peft4j.peft.Methods;

/**
 * Sizes a hand-made method ({@link Methods#plan}) to a parameter budget, so baselines compare with searched plans at
 * the same budget: the largest LoRA rank, adapter width or prefix length (MAM: parallel-adapter width beside its
 * fixed 30-token prefix) whose exact count ({@link ParameterCounter}, without the head) is at most the budget.
 */
public final class BudgetMatchedBaselines {
    private BudgetMatchedBaselines() {}

    /**
     * The size for {@code method} within {@code budget} parameters: ≥ 1 for a sized method, 0 for one without a size
     * (BitFit, (IA)³) that fits as it is, −1 when even the smallest form is over the budget.
     */
    public static int sizeFor(String method, BertConfig cfg, long budget) {
        if (!sized(method)) {
            return count(method, cfg, 0) <= budget ? 0 : -1;
        }
        int best = -1;
        for (int k = 1; k <= 4 * cfg.hidden(); k++) {
            long n = count(method, cfg, k);
            if (n > budget) {
                break; // counts grow with the size
            }
            best = k;
        }
        return best;
    }

    /** Whether the method has a size (rank, width, length). */
    public static boolean sized(String method) {
        return switch (method) {
            case "bitfit", "ia3", "head" -> false;
            default -> true;
        };
    }

    /** The exact encoder count of the method at size k (0: its default or no size). */
    public static long count(String method, BertConfig cfg, int k) {
        return ParameterCounter.count(cfg, Methods.plan(method, cfg.layers(), cfg.hidden(), k));
    }
}
