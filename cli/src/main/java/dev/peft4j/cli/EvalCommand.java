package dev.peft4j.cli;

import dev.peft4j.backend.Backend;
import dev.peft4j.data.LabeledDataset;
import dev.peft4j.data.SplitSpec;
import dev.peft4j.text.TextExample;
import dev.peft4j.text.Prediction;
import dev.peft4j.text.TextClassifier;
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
        RunInfo info = RunInfo.read(run.run);
        try (Backend be = backend.create(); TextClassifier classifier = RunClassifier.open(run.run, info, be)) {
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
            System.out.println("evaluating " + part.size() + " examples of " + part.name() + " ...");
            Metrics m = evaluate(classifier, part.examples());
            System.out.printf("accuracy %.4f  macro-F1 %.4f  loss %.4f  (%d examples, backend %s)%n", m.accuracy(),
                    m.macroF1(), m.loss(), m.count(), be.name());
        }
        return 0;
    }

    /** Accuracy, macro-F1 and mean cross-entropy (−log of the label's probability) of the classifier's predictions. */
    static Metrics evaluate(TextClassifier classifier, List<TextExample> examples) {
        return evaluate(classifier, examples, null);
    }

    /**
     * {@link #evaluate(TextClassifier, List)}, and with {@code predictionsFile} given, each example's prediction
     * written there as a line {@code index<TAB>label<TAB>predicted} (index: the example's position in
     * {@code examples}; label ids), after a header line: what paired tests over two runs on the same examples read.
     */
    static Metrics evaluate(TextClassifier classifier, List<TextExample> examples, java.nio.file.Path predictionsFile) {
        int n = examples.size();
        int[] predicted = new int[n];
        int[] labels = new int[n];
        double lossSum = 0;
        for (int from = 0; from < n; from += PredictCommand.CHUNK) {
            List<TextExample> chunk = examples.subList(from, Math.min(n, from + PredictCommand.CHUNK));
            List<Prediction> p = classifier.classify(chunk.stream().map(TextExample::text).toList());
            for (int i = 0; i < chunk.size(); i++) {
                int label = chunk.get(i).label();
                predicted[from + i] = p.get(i).index();
                labels[from + i] = label;
                lossSum -= Math.log(Math.max(p.get(i).probabilities()[label], Float.MIN_VALUE));
            }
        }
        if (predictionsFile != null) {
            StringBuilder sb = new StringBuilder("index\tlabel\tpredicted\n");
            for (int i = 0; i < n; i++) {
                sb.append(i).append('\t').append(labels[i]).append('\t').append(predicted[i]).append('\n');
            }
            try {
                java.nio.file.Files.writeString(predictionsFile, sb);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot write " + predictionsFile, e);
            }
        }
        return Metrics.of(predicted, labels, classifier.labels().size(), lossSum);
    }
}
