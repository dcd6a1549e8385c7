package dev.peft4j.search;

import java.util.List;

/** The outcome of an S4 search: each stage's report, the final configuration and its plan. */
public record S4Result(List<StageReport> stages, S4Config config, BudgetOutcome plan) {}
