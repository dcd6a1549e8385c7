package dev.peft4j.cli;

/** The option values of {@code search}, checked before the model and the data load. */
final class SearchChecks {
    private SearchChecks() {}

    /** --executor and the options that go with it. */
    static void executor(SearchCommand c) {
        if (c.trialThreads != null) {
            OptionChecks.atLeast("--trial-threads", c.trialThreads, 1);
        }
        switch (c.executor) {
            case "local" -> {
                if (c.master != null || !c.sparkConf.isEmpty()) {
                    throw new UsageException("--master and --spark-conf need --executor spark");
                }
            }
            case "spark" -> {
                if (c.parallel != 1) {
                    throw new UsageException("--parallel is for --executor local; on Spark the cluster's task slots "
                            + "bound the trials in flight (spark.executor.cores / spark.task.cpus)");
                }
            }
            default -> throw new UsageException("unknown --executor '" + c.executor + "'; use local or spark");
        }
    }

    static void check(SearchCommand c) {
        OptionChecks.atLeast("--proxy-train", c.proxyTrain, 1);
        OptionChecks.atLeast("--proxy-validation", c.proxyValidation, 1);
        OptionChecks.atLeast("--proxy-epochs", c.proxyEpochs, 1);
        OptionChecks.atLeast("--parallel", c.parallel, 1);
        executor(c);
        OptionChecks.atLeast("--samples", c.samples, 1);
        OptionChecks.atLeast("--extra-rounds", c.extraRounds, 0);
        OptionChecks.atLeast("--long-proxy-train", c.longProxyTrain, 0);
        if (c.longProxyEpochs != null) {
            OptionChecks.atLeast("--long-proxy-epochs", c.longProxyEpochs, 1);
        }
        OptionChecks.atLeast("--initial", c.initial, 1);
        OptionChecks.atLeast("--iterations", c.iterations, 0);
        OptionChecks.atLeast("--batch-size", c.boBatch, 1);
        OptionChecks.atLeast("--batch", c.batch, 1);
        OptionChecks.atLeast("--max-length", c.maxLength.tokens(), 3);
        if (c.lr != null) {
            OptionChecks.positive("--lr", c.lr);
        }
        if (!c.algorithm.equals("s4") && !c.algorithm.equals("bo") && !c.algorithm.equals("baselines")) {
            throw new UsageException("--algorithm must be s4, bo or baselines, got '" + c.algorithm + "'");
        }
        if (c.algorithm.equals("baselines") && !c.baselines) {
            throw new UsageException("--algorithm baselines trains only the baselines; it cannot take --no-baselines");
        }
        if (!c.boSpace.equals("autopeft") && !c.boSpace.equals("powers")) {
            throw new UsageException("--bo-space must be autopeft or powers, got '" + c.boSpace + "'");
        }
        if (!(c.budget > 0 && c.budget < 1)) {
            throw new UsageException("--budget must lie in (0, 1), got " + c.budget);
        }
        OptionChecks.sum("--proxy-train + --proxy-validation", c.proxyTrain, c.proxyValidation);
        FinetuneChecks.steps("--proxy-epochs", "--proxy-train", c.proxyTrain, c.batch, c.proxyEpochs,
                Runtime.getRuntime().maxMemory());
    }
}
