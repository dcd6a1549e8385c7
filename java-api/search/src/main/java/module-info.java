/** The design-space search: S4 progressive refinement, AutoPEFT-style Bayesian optimisation, the trial journal. */
module dev.peft4j.search {
    requires transitive dev.peft4j.runtime;
    requires com.google.gson;
    requires hipparchus.core;
    requires hipparchus.optim;

    exports dev.peft4j.search;

    uses dev.peft4j.search.TrialExecutorProvider;
}
