package dev.peft4j.search;

import dev.peft4j.peft.PeftPlan;

/**
 * The result of meeting a parameter budget: the plan and its exact trainable count ({@code actual} ≤
 * {@code budget}), or a rejection with its reason (plan null).
 */
public record BudgetOutcome(PeftPlan plan, long budget, long actual, String rejection) {
    public static BudgetOutcome rejected(long budget, String reason) {
        return new BudgetOutcome(null, budget, -1, reason);
    }

    public boolean accepted() {
        return rejection == null;
    }

    public boolean exact() {
        return accepted() && actual == budget;
    }

    /** budget − actual (≥ 0 when accepted). */
    public long deviation() {
        return budget - actual;
    }

    /** (budget − actual) / budget. */
    public double relativeDeviation() {
        return budget == 0 ? 0 : (double) deviation() / budget;
    }

    @Override
    public String toString() {
        return accepted() ? actual + " of " + budget + " parameters" + (exact() ? " (exact)" : " (" + deviation() + " below)")
                : "rejected: " + rejection;
    }
}
