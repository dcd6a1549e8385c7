package dev.peft4j.cli;

import dev.peft4j.backend.BackendOptions;
import dev.peft4j.text.BaseModel;
import dev.peft4j.text.TextExamples;
import dev.peft4j.data.LabeledDataset;
import dev.peft4j.data.SplitSpec;
import dev.peft4j.data.Splits;
import dev.peft4j.model.BertConfig;
import dev.peft4j.peft.Methods;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.search.AutoPeftResult;
import dev.peft4j.search.AutoPeftSearcher;
import dev.peft4j.search.AutoPeftSpace;
import dev.peft4j.search.BudgetAllocator;
import dev.peft4j.search.BudgetMatchedBaselines;
import dev.peft4j.search.BudgetOutcome;
import dev.peft4j.search.ClassBalance;
import dev.peft4j.search.ClassifierRunnerSpec;
import dev.peft4j.search.ClassifierTrialRunner;
import dev.peft4j.search.LocalTrialExecutor;
import dev.peft4j.search.ParetoPoint;
import dev.peft4j.peft.PlanCodec;
import dev.peft4j.search.ProxySettings;
import dev.peft4j.search.S4Config;
import dev.peft4j.search.S4Result;
import dev.peft4j.search.S4Searcher;
import dev.peft4j.search.S4Space;
import dev.peft4j.search.SearchJournal;
import dev.peft4j.search.SearchReport;
import dev.peft4j.search.Trial;
import dev.peft4j.search.TrialResult;
import dev.peft4j.search.TrialExecutor;
import dev.peft4j.search.TrialExecutorProvider;
import dev.peft4j.search.TrialRunner;
import dev.peft4j.search.TrialScheduler;
import dev.peft4j.tokenizer.WordPieceTokenizer;
import dev.peft4j.train.Batcher;
import dev.peft4j.train.EncodedExample;
import dev.peft4j.train.TrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Searches the PEFT design space on a pretrained encoder with low-fidelity proxy trainings: the S4 progressive
 * refinement at a parameter budget, or the AutoPEFT-style multi-objective Bayesian optimisation. Every trial is
 * journaled as it ends, so running the same command again resumes where a killed search stopped.
 */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Search the PEFT design space (S4 progressive refinement or multi-objective BO).")
final class SearchCommand implements Callable<Integer> {
    /** The hand-made methods trained beside a search for comparison, each sized to the budget. */
    static final List<String> BASELINES = List.of("lora", "houlsby", "pfeiffer", "parallel", "prefix", "bitfit", "ia3",
            "mam");

    @Option(names = "--algorithm", description = "s4, bo, or baselines (no search: only the hand-made baselines "
            + "with the proxy, as the proxy's rank check trains them) (default ${DEFAULT-VALUE})")
    String algorithm = "s4";
    @Mixin
    ModelOption model = ModelOption.defaultingTo("bge-small");
    @Mixin
    DatasetOptions dataset = new DatasetOptions();
    @Option(names = "--budget", description = "trainable fraction of the base model: S4's plans come as close to it as "
            + "the sizes' rounding allows, never above it and at most 10 %% below it (each plan's deviation is reported); "
            + "BO saves its front's best point within it (default ${DEFAULT-VALUE})")
    double budget = 0.005;
    @Option(names = "--within-budget", description = "BO: propose only configurations within --budget (the front is then "
            + "the best trade-off inside it) instead of the whole space")
    boolean withinBudget;
    @Option(names = "--samples", description = "S4: configurations sampled per choice and round, K ≥ 2 to average "
            + "(default ${DEFAULT-VALUE})")
    int samples = 2;
    @Option(names = "--extra-rounds", description = "S4: rounds of K more samples for choices within noise of the best "
            + "(default ${DEFAULT-VALUE})")
    int extraRounds = 2;
    @Option(names = "--long-proxy-train", description = "S4 successive halving: every choice is screened with the "
            + "--proxy-* settings and the best third promoted to proxies of this many training examples (0: off; "
            + "default ${DEFAULT-VALUE})")
    int longProxyTrain = 0;
    @Option(names = "--long-proxy-epochs", description = "S4 successive halving: epochs of the promoted proxies "
            + "(default: --proxy-epochs)")
    Integer longProxyEpochs;
    @Option(names = "--metric", description = "search metric: accuracy or macro-f1 (default: macro-f1 when the proxy "
            + "training data are unbalanced, the largest class over 1.2/C of them, as SpamAssassin; else accuracy)")
    String metric;
    @Option(names = "--bo-space", description = "BO: the size grid, autopeft (AutoPEFT's: off, 1, 3, 6, ..., 384 for "
            + "adapters and prefixes, prefixes up to --max-length) or powers (hidden/2..hidden/16, prefixes 4..32) "
            + "(default ${DEFAULT-VALUE})")
    String boSpace = "autopeft";

    @Option(names = "--initial", description = "BO: initial Sobol points (default ${DEFAULT-VALUE})")
    int initial = 8;
    @Option(names = "--iterations", description = "BO: proposal rounds (default ${DEFAULT-VALUE})")
    int iterations = 6;
    @Option(names = "--batch-size", description = "BO: candidates per round (default ${DEFAULT-VALUE})")
    int boBatch = 2;
    @Option(names = "--proxy-epochs", description = "epochs of each proxy training (default ${DEFAULT-VALUE})")
    int proxyEpochs = 1;
    @Option(names = "--proxy-train", description = "training examples per proxy (default ${DEFAULT-VALUE})")
    int proxyTrain = 500;
    @Option(names = "--proxy-validation", description = "validation examples per proxy (default ${DEFAULT-VALUE})")
    int proxyValidation = 200;
    @Mixin
    MaxLengthOption maxLength = new MaxLengthOption();
    @Option(names = "--batch", description = "examples per training step (default ${DEFAULT-VALUE})")
    int batch = TrainConfig.defaults().batchSize();
    @Option(names = "--lr", description = "peak learning rate of every proxy (default: each plan's methods' rate, "
            + "1e-3; prefix-heavy plans 1e-2, MAM-like 2e-4)")
    Float lr;
    @Option(names = "--parallel", description = "trials run at once (default ${DEFAULT-VALUE})")
    int parallel = 1;
    @Option(names = "--backend", description = "backend for the trials (default ${DEFAULT-VALUE})")
    String backend = "cpu";
    @Option(names = "--executor", description = "where trials run: local (this process, --parallel at once) or spark "
            + "(one Spark task per trial; see docs/search-on-spark.md) (default ${DEFAULT-VALUE})")
    String executor = "local";
    @Option(names = "--master", description = "--executor spark: the Spark master, local[N], spark://host:7077, yarn or "
            + "k8s://https://host:port (default: spark.master as spark-submit sets it)")
    String master;
    @Option(names = "--spark-conf", description = "--executor spark: a Spark setting KEY=VALUE (repeatable), e.g. "
            + "spark.executor.memory=2g")
    java.util.Map<String, String> sparkConf = new java.util.LinkedHashMap<>();
    @Option(names = "--trial-threads", description = "backend threads per trial, the same wherever a trial runs "
            + "(default: --executor spark 1, to match spark.task.cpus; local: one per processor)")
    Integer trialThreads;
    @Option(names = "--seed", description = "seed of the search and its proxies (default ${DEFAULT-VALUE})")
    long seed = 1;
    // picocli: a negatable option that is true by default takes its negative name, else --no-baselines is ignored
    @Option(names = "--no-baselines", negatable = true, description = "also train the hand-made methods, each sized to "
            + "--budget (baselines.tsv), with the same proxy "
            + "and plot them beside the search's points (default ${DEFAULT-VALUE})")
    boolean baselines = true;
    @Option(names = "--output", description = "folder for journal.jsonl, best-plan.json and report.md (default ${DEFAULT-VALUE})")
    Path output = Path.of("runs", "search");

    @Override
    public Integer call() throws IOException {
        SearchChecks.check(this);
        BaseModel base = model.base().preloaded();
        LabeledDataset data = dataset.load();
        int trainExamples = Math.max(proxyTrain, longProxyTrain);
        if (trainExamples + proxyValidation > data.size()) {
            throw new IllegalArgumentException("dataset " + dataset.name() + " has " + data.size() + " examples, fewer than "
                    + "--proxy-train (or --long-proxy-train) + --proxy-validation");
        }
        Splits splits = data.split(SplitSpec.counts(trainExamples, proxyValidation, 0), seed);
        WordPieceTokenizer tokenizer = base.tokenizer();
        List<EncodedExample> train = TextExamples.encode(tokenizer, splits.train().examples(), maxLength.tokens());
        List<EncodedExample> validation =
                TextExamples.encode(tokenizer, splits.validation().examples(), maxLength.tokens());
        Files.createDirectories(output);
        ClassBalance balance = ClassBalance.of(train, data.numLabels());
        ClassifierTrialRunner.Score score = score(balance);
        double majority = ClassBalance.of(validation, data.numLabels()).majorityScore(score);
        System.out.printf(java.util.Locale.ROOT, "search metric: %s (largest class %.1f %% of the proxy training data); "
                + "always answering the majority class scores %.4f on the proxy validation%n",
                score == ClassifierTrialRunner.Score.ACCURACY ? "accuracy" : "macro-F1", 100 * balance.majorityShare(),
                majority);
        TrainConfig proxyTraining = TrainConfig.defaults().withEpochs(proxyEpochs).withBatchSize(batch)
                .withLr(lr != null ? lr : TrainConfig.defaults().lr()).withSeed(seed);
        String dataName = dataset.name() + ", split seed " + seed + ", " + trainExamples + " train / " + proxyValidation
                + " validation";
        boolean onSpark = executor.equals("spark");
        int threads = trialThreads != null ? trialThreads : onSpark ? 1 : 0;
        TrialExecutor trials;
        if (onSpark) {
            ClassifierRunnerSpec spec = ClassifierRunnerSpec.of(backend, threads,
                    new ClassifierRunnerSpec.Named(model.name(), 0.1f, model.pooling()), dataName, data.numLabels(), train, validation,
                    maxLength.tokens(), proxyTraining, lr == null, tokenizer.padId(), score);
            trials = TrialExecutorProvider.named("spark").open(master, sparkConf, spec);
        } else {
            BackendOptions options = BackendOptions.defaults().withBackend(backend);
            TrialRunner trainer = new ClassifierTrialRunner(threads > 0 ? options.withThreads(threads) : options,
                    base.name(), be -> {
                        try {
                            return base.load(be, 0.1f);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }, dataName, data.numLabels(), train, validation, maxLength.tokens(), proxyTraining, lr == null,
                    new Batcher(tokenizer.padId()), score);
            trials = new LocalTrialExecutor(trainer, parallel);
        }
        try (TrialExecutor reporting = new ReportingTrialExecutor(trials)) {
            System.out.println("trial setup (every trial's fingerprint covers it): " + reporting.setup());
            search(reporting, base, majority);
        }
        return 0;
    }

    /** Runs the search and the baselines on {@code executor}, journaled in the output folder, and writes the results. */
    private void search(TrialExecutor executor, BaseModel base, double majority) throws IOException {
        Path journalFile = output.resolve("journal.jsonl");
        try (SearchJournal journal = SearchJournal.open(journalFile)) {
            if (journal.size() > 0) {
                System.out.println("resuming: " + journal.size() + " trials already in " + journalFile);
            }
            TrialScheduler scheduler = new TrialScheduler(executor, journal, 0);
            BertConfig cfg = base.config(0.1f);
            ProxySettings proxy = new ProxySettings(proxyEpochs, proxyTrain, proxyValidation, seed);
            PeftPlan best = null;
            String report = "";
            List<double[]> points = new ArrayList<>();
            List<String> pointLabels = new ArrayList<>();
            if (algorithm.equals("s4")) {
                S4Result r = new S4Searcher(S4Space.paper(budget), cfg, BudgetAllocator.defaults(cfg, maxLength.tokens()),
                        new S4Searcher.Settings(samples, proxy, seed, 0.0, 1.0 / proxyValidation, extraRounds,
                                longProxyTrain > 0 ? new ProxySettings(longProxyEpochs != null ? longProxyEpochs : proxyEpochs,
                                        longProxyTrain, proxyValidation, seed) : null))
                        .search(scheduler);
                if (!r.plan().accepted()) {
                    throw new IllegalStateException("S4's final configuration " + r.config() + " misses the budget: "
                            + r.plan().rejection());
                }
                best = r.plan().plan();
                report = SearchReport.s4(r);
                System.out.println("S4 stage decisions (noise: one of " + proxyValidation
                        + " validation examples, or the sampled spread):");
                System.out.print(SearchReport.s4Decisions(r));
                System.out.println("S4 plan: " + SearchReport.budgetLine(r.plan(), r.maxShortfall()));
                TrialResult chosen = scheduler.run(List.of(new Trial("s4/best", best, proxy, "S4's plan"))).get(0);
                if (chosen.ok()) {
                    points.add(new double[] {100 * chosen.parameterFraction(), chosen.metric()});
                    pointLabels.add("S4");
                }
            } else if (algorithm.equals("bo")) {
                AutoPeftSpace space = boSpace.equals("autopeft")
                        ? AutoPeftSpace.autoPeftGrid(cfg, Math.min(cfg.hidden(), maxLength.tokens()))
                        : AutoPeftSpace.powersOfTwo(cfg, 4, 32);
                AutoPeftResult r = new AutoPeftSearcher(space,
                        new AutoPeftSearcher.Settings(initial, iterations, boBatch, 256, proxy, seed, majority, false,
                                withinBudget ? budget : 1.0))
                        .search(scheduler);
                if (r.front().isEmpty()) {
                    throw new IllegalStateException("every trial failed; see " + journalFile);
                }
                ParetoPoint top = r.bestWithin(budget);
                if (top == null) {
                    top = r.front().get(0);
                    System.out.printf("no point of the front is within the budget %.4f%%; saving the smallest, %s (%.4f%%)%n",
                            100 * budget, top.label(), 100 * top.fraction());
                } else {
                    System.out.printf("best point within the budget %.4f%%: %s, metric %.4f at %.4f%%%n", 100 * budget,
                            top.label(), top.metric(), 100 * top.fraction());
                }
                best = top.plan();
                report = SearchReport.autoPeft(r);
                for (ParetoPoint p : r.front()) {
                    points.add(new double[] {100 * p.fraction(), p.metric()});
                    pointLabels.add(null);
                }
            } else if (!algorithm.equals("baselines")) {
                throw new IllegalArgumentException("unknown --algorithm '" + algorithm + "'; use s4, bo or baselines");
            }
            List<TrialResult> handMade = new ArrayList<>();
            if (baselines || algorithm.equals("baselines")) {
                List<Trial> trials = new ArrayList<>();
                long budgetParams = BudgetAllocator.defaults(cfg).budgetFor(budget);
                StringBuilder sizes = new StringBuilder("method\tsize\tparameters\n");
                for (String m : BASELINES) {
                    int size = BudgetMatchedBaselines.sizeFor(m, cfg, budgetParams);
                    if (size < 0) {
                        System.out.printf("baseline %s: even its smallest form (%,d parameters) is over the budget of "
                                + "%,d; not trained%n", m, BudgetMatchedBaselines.count(m, cfg,
                                BudgetMatchedBaselines.sized(m) ? 1 : 0), budgetParams);
                        continue;
                    }
                    long n = BudgetMatchedBaselines.count(m, cfg, size);
                    sizes.append(m).append('\t').append(size).append('\t').append(n).append('\n');
                    trials.add(new Trial("baseline/" + m, Methods.plan(m, cfg.layers(), cfg.hidden(), size), proxy,
                            m + (size > 0 ? " size " + size : "")));
                }
                // the design-spaces paper's pattern, sized to the budget like S4's own plans
                BudgetOutcome paper = S4Space.paper(budget).toPlan(S4Config.paperPattern(), cfg,
                        BudgetAllocator.defaults(cfg, maxLength.tokens()));
                if (paper.accepted()) {
                    sizes.append("s4-paper\t-\t").append(paper.actual()).append('\n');
                    PlanCodec.write(paper.plan(), output.resolve("s4-paper-plan.json"));
                    trials.add(new Trial("baseline/s4-paper", paper.plan(), proxy, "the S4 paper's pattern: "
                            + S4Config.paperPattern()));
                } else {
                    System.out.println("baseline s4-paper (" + S4Config.paperPattern() + "): " + paper.rejection()
                            + "; not trained");
                }
                Files.writeString(output.resolve("baselines.tsv"), sizes);
                handMade = scheduler.run(trials);
                report += baselineTable(handMade);
            }
            ParetoPlot.write(output.resolve("pareto.png"), switch (algorithm) {
                case "s4" -> "S4 plan";
                case "bo" -> "BO Pareto front";
                default -> "Hand-made baselines";
            }, points, pointLabels, handMade);
            Files.writeString(output.resolve("report.md"), report);
            System.out.println(report);
            if (best != null) {
                PlanCodec.write(best, output.resolve("best-plan.json"));
                System.out.println("best plan: " + output.resolve("best-plan.json") + " (use: peft4j finetune --plan "
                        + output.resolve("best-plan.json") + " --model " + model.name()
                        + (model.pooling() == null ? "" : " --pooling " + model.pooling().name().toLowerCase(java.util.Locale.ROOT))
                        + ")");
            }
        }
    }

    /** --metric, or macro-F1 for unbalanced data and accuracy otherwise. */
    private ClassifierTrialRunner.Score score(ClassBalance balance) {
        if (metric == null) {
            return balance.unbalanced() ? ClassifierTrialRunner.Score.MACRO_F1 : ClassifierTrialRunner.Score.ACCURACY;
        }
        return switch (metric.toLowerCase(java.util.Locale.ROOT)) {
            case "accuracy" -> ClassifierTrialRunner.Score.ACCURACY;
            case "macro-f1", "macro_f1", "f1" -> ClassifierTrialRunner.Score.MACRO_F1;
            default -> throw new IllegalArgumentException("unknown --metric '" + metric + "'; use accuracy or macro-f1");
        };
    }

    private static String baselineTable(List<TrialResult> results) {
        StringBuilder sb = new StringBuilder("\n## Hand-made baselines (same proxy training, each sized to the budget: baselines.tsv)\n\n"
                + "| method | metric | parameter fraction |\n|---|---|---|\n");
        for (TrialResult r : results) {
            sb.append(String.format("| %s | %s | %.4f%% |%n", r.trialId().substring("baseline/".length()),
                    r.ok() ? String.format("%.4f", r.metric()) : "failed: " + r.reason(), 100 * r.parameterFraction()));
        }
        return sb.toString();
    }
}
