package dev.peft4j.search;

import java.util.List;

/**
 * The outcome of an S4 search: each stage's report, the final configuration, its plan, and the relative shortfall
 * below the budget the allocator accepted.
 */
public record S4Result(List<StageReport> stages, S4Config config, BudgetOutcome plan, double maxShortfall) {}
