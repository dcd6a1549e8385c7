package dev.peft4j.cli;

import dev.peft4j.backend.Backend;
import dev.peft4j.model.Batch;
import dev.peft4j.tokenizer.Encoding;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Classifies texts with a fine-tuned classifier: the label and every class probability per text. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Classify texts with a fine-tuned classifier (a finetune --output folder).")
final class PredictCommand implements Callable<Integer> {
    @Mixin
    RunOption run = new RunOption();
    @Mixin
    BackendOption backend = new BackendOption();
    @Parameters(arity = "1..*", paramLabel = "TEXT", description = "texts to classify")
    List<String> texts;

    @Override
    public Integer call() throws Exception {
        try (Backend be = backend.create()) {
            TrainedClassifier t = TrainedClassifier.load(run.run, be);
            try (t.classifier) {
                List<String> labels = t.info.labels();
                for (String text : texts) {
                    Encoding enc = t.tokenizer.encode(text, null, t.info.maxLength());
                    float[] mask = new float[enc.ids().length];
                    java.util.Arrays.fill(mask, 1f);
                    Batch b = new Batch(1, enc.ids().length, enc.ids(), enc.typeIds(), mask, new int[] {0});
                    t.classifier.loss(b, false, 0);
                    float[] p = t.classifier.lastProbabilities();
                    int best = 0;
                    for (int k = 1; k < p.length; k++) {
                        best = p[k] > p[best] ? k : best;
                    }
                    StringBuilder probs = new StringBuilder();
                    for (int k = 0; k < p.length; k++) {
                        probs.append(String.format("%s%s=%.4f", k == 0 ? "" : "  ", labels.get(k), p[k]));
                    }
                    System.out.printf("%s\t%s\t%s%n", labels.get(best), probs, text);
                }
            }
        }
        return 0;
    }
}
