/**
 * The design-space search: S4-style greedy progressive refinement and AutoPEFT-style multi-objective Bayesian
 * optimisation over PEFT plans, trials run through {@link dev.peft4j.search.TrialRunner} and recorded in an append-
 * only journal that a killed search resumes from.
 */
package dev.peft4j.search;
