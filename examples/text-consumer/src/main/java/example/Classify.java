package example;

import dev.peft4j.text.Prediction;
import dev.peft4j.text.TextClassifier;
import java.nio.file.Path;

/** README.md's classify example: the adapter folder that FineTuneClassifier saved, alone, classifies a text. */
public final class Classify {
    public static void main(String[] args) throws Exception {
        // README begin
        try (TextClassifier classifier = TextClassifier.builder(Path.of("my-classifier")).build()) {
            Prediction p = classifier.classify("What a wonderful, moving film!");
            System.out.printf("%s (%.3f)%n", p.label(), p.confidence());   // p.probabilities(): one per label
        }
        // README end
    }
}
