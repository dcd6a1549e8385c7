package dev.peft4j.cli;

import dev.peft4j.backend.Backend;
import dev.peft4j.text.Prediction;
import dev.peft4j.text.TextClassifier;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Classifies texts with a fine-tuned classifier: the label and every class probability per text. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Classify texts with a fine-tuned classifier (a finetune --output folder): the texts given as "
                + "arguments, or one per line from --input FILE ('-' for standard input).")
final class PredictCommand implements Callable<Integer> {
    /** Texts classified per call of the classifier when reading a file. */
    static final int CHUNK = 256;

    @Mixin
    RunOption run = new RunOption();
    @Mixin
    BackendOption backend = new BackendOption();
    @Option(names = "--input", paramLabel = "FILE", description = "UTF-8 text, one text per line; '-' reads standard input")
    String input;
    @Option(names = "--format", description = "tsv (LABEL<TAB>probabilities<TAB>TEXT, the text escaped: \\t, \\n, "
            + "\\\\, \\u001b...) or jsonl (one JSON object per text) (default ${DEFAULT-VALUE})")
    PredictionFormat format = PredictionFormat.TSV;
    @Parameters(arity = "0..*", paramLabel = "TEXT", description = "texts to classify")
    List<String> texts;

    @Override
    public Integer call() throws Exception {
        if ((texts == null || texts.isEmpty()) == (input == null)) {
            throw new UsageException("give texts as arguments or --input FILE, not both and not neither");
        }
        RunInfo info = RunInfo.read(run.run);
        PrintStream out = System.out;
        try (Backend be = backend.create(); TextClassifier classifier = RunClassifier.open(run.run, info, be)) {
            if (texts != null && !texts.isEmpty()) {
                print(out, classifier.classify(texts), texts);
                return 0;
            }
            try (TextLines lines = TextLines.open(input)) {
                List<String> chunk = new ArrayList<>(CHUNK);
                String text;
                while ((text = lines.next()) != null) {
                    chunk.add(text);
                    if (chunk.size() == CHUNK) {
                        print(out, classifier.classify(chunk), chunk);
                        chunk.clear();
                    }
                }
                if (!chunk.isEmpty()) {
                    print(out, classifier.classify(chunk), chunk);
                }
            }
        }
        return 0;
    }

    private void print(PrintStream out, List<Prediction> predictions, List<String> texts) {
        for (int i = 0; i < predictions.size(); i++) {
            out.println(format.line(predictions.get(i), texts.get(i)));
        }
    }
}
