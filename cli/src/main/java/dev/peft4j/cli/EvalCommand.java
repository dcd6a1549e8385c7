package dev.peft4j.cli;

import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.data.LabeledDataset;
import dev.peft4j.data.SplitSpec;
import dev.peft4j.train.Batcher;
import dev.peft4j.train.EncodedExample;
import dev.peft4j.train.Evaluator;
import dev.peft4j.train.Metrics;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Scores a fine-tuned classifier: on its run's own held-out split, or on another labelled dataset. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a fine-tuned classifier (a finetune --output folder) on held-out data.")
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, description = "the --output folder of a finetune run")
    Path run;
    @Option(names = "--dataset", description = "imdb, spam, csv:PATH or jsonl:PATH (default: the run's test split)")
    String dataset;
    @Option(names = "--text-column", description = "text column of a local dataset (default ${DEFAULT-VALUE})")
    String textColumn = "text";
    @Option(names = "--label-column", description = "label column of a local dataset (default ${DEFAULT-VALUE})")
    String labelColumn = "label";
    @Option(names = "--backend", description = "reference, cpu or cuda (default: the best available)")
    String backend;

    @Override
    public Integer call() throws Exception {
        try (Backend be = backend == null ? Backends.create() : Backends.create(backend)) {
            TrainedClassifier t = TrainedClassifier.load(run, be);
            try (t.classifier) {
                RunInfo info = t.info;
                LabeledDataset part;
                if (dataset == null) {
                    LabeledDataset data = DatasetChoice.load(info.dataset(), textColumn, labelColumn);
                    part = data.split(SplitSpec.counts(info.train(), info.validation(), info.test()), info.dataSplitSeed()).test();
                } else {
                    part = DatasetChoice.load(dataset, textColumn, labelColumn);
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
