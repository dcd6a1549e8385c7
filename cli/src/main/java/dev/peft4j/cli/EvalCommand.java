package dev.peft4j.cli;

import dev.peft4j.backend.Backend;
import dev.peft4j.data.LabeledDataset;
import dev.peft4j.data.SplitSpec;
import dev.peft4j.train.Batcher;
import dev.peft4j.train.EncodedExample;
import dev.peft4j.train.Evaluator;
import dev.peft4j.train.Metrics;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Scores a fine-tuned classifier: on its run's own held-out split, or on another labelled dataset. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a fine-tuned classifier (a finetune --output folder) on held-out data.")
final class EvalCommand implements Callable<Integer> {
    @Mixin
    RunOption run = new RunOption();
    @Option(names = "--dataset", description = "imdb, spam, csv:PATH or jsonl:PATH (default: the run's test split)")
    String dataset;
    @Mixin
    ColumnOptions columns = new ColumnOptions();
    @Mixin
    BackendOption backend = new BackendOption();

    @Override
    public Integer call() throws Exception {
        try (Backend be = backend.create()) {
            TrainedClassifier t = TrainedClassifier.load(run.run, be);
            try (t.classifier) {
                RunInfo info = t.info;
                LabeledDataset part;
                if (dataset == null) {
                    LabeledDataset data = columns.load(info.dataset());
                    part = data.split(SplitSpec.counts(info.train(), info.validation(), info.test()), info.dataSplitSeed()).test();
                } else {
                    part = columns.load(dataset);
                }
                if (!part.labelNames().equals(info.labels())) {
                    throw new IllegalArgumentException("the dataset's labels " + part.labelNames()
                            + " differ from the run's " + info.labels());
                }
                List<EncodedExample> examples = Examples.encode(t.tokenizer, part, info.maxLength());
                System.out.println("evaluating " + examples.size() + " examples of " + part.name() + " ...");
                Metrics m = new Evaluator(new Batcher(t.tokenizer.padId()), 32).evaluate(t.classifier, examples);
                System.out.printf("accuracy %.4f  macro-F1 %.4f  loss %.4f  (%d examples, backend %s)%n", m.accuracy(),
                        m.macroF1(), m.loss(), m.count(), be.name());
            }
        }
        return 0;
    }
}
