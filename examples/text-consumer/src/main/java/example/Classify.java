package example;

import dev.peft4j.text.Prediction;
import dev.peft4j.text.TextClassifier;
import java.nio.file.Path;

/** Classifies texts with the adapter folder of a fine-tuning run: java example.Classify runs/finetune/adapter TEXT... */
public final class Classify {
    public static void main(String[] args) throws Exception {
        try (TextClassifier classifier = TextClassifier.builder(Path.of(args[0])).build()) {
            for (int i = 1; i < args.length; i++) {
                Prediction p = classifier.classify(args[i]);
                System.out.printf("%s (%.3f)\t%s%n", p.label(), p.confidence(), args[i]);
            }
        }
    }
}
