/**
 * The design-space search: S4-style greedy progressive refinement and AutoPEFT-style multi-objective Bayesian
 * optimisation over PEFT plans, trials run through {@link dev.peft4j.search.TrialRunner} and recorded in an append-
 * only journal that a killed search resumes from.
 *
 * <p>On the module path this artifact is the automatic module {@code dev.peft4j.search} (hipparchus' jars carry no
 * module name); a module that uses it also {@code requires dev.peft4j.runtime}.
 */
package dev.peft4j.search;
