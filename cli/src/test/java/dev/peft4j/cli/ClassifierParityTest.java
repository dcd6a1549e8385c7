package dev.peft4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.data.LabeledDataset;
import dev.peft4j.data.SplitSpec;
import dev.peft4j.data.Splits;
import dev.peft4j.text.Prediction;
import dev.peft4j.text.TextClassifier;
import dev.peft4j.text.TextExample;
import dev.peft4j.text.TextExamples;
import dev.peft4j.train.Batcher;
import dev.peft4j.train.EncodedExample;
import dev.peft4j.train.Evaluator;
import dev.peft4j.train.Metrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The target "TextClassifier reproduces peft4j eval's accuracy on the main job's test split exactly": a
 * finetune run's test split is scored twice, example for example, by
 * <ul>
 *   <li>the trainer's own evaluation: {@link Evaluator} (what the trainer scores validation with: batches of the
 *       run's batch size padded to their longest text, the head's float32 softmax) over the run's adapter loaded into
 *       a {@code SequenceClassifier};</li>
 *   <li>{@link TextClassifier} on the run folder, as {@code peft4j eval} and {@code finetune}'s held-out report use
 *       it (texts batched by their own padded length, float64 softmax);</li>
 * </ul>
 * and both must predict the same class for every text, so the accuracies are equal exactly; {@code peft4j eval}
 * must print that accuracy. The reloaded adapter must also give the trainer's best validation accuracy of
 * metrics.jsonl exactly (the adapter is the model the trainer scored).
 *
 * <p>In CI a tiny run on a local CSV (a few seconds). The main job's own test split (1,000 IMDB reviews) is checked by
 * pointing the test at a finished {@code ./peft4j finetune} run folder:
 * {@code bin/mvn25 -o -P'!cuda' -pl cli test -Dtest=ClassifierParityTest -Dpeft4j.parity.run=$PWD/runs/finetune}
 * (optionally {@code -Dpeft4j.parity.batch=16}, the run's {@code --batch}).
 */
class ClassifierParityTest {
    static final String[] GOOD = {"wonderful", "moving", "brilliant", "funny", "superb", "delightful", "great"};
    static final String[] BAD = {"boring", "tedious", "awful", "dull", "dreadful", "terrible", "slow"};
    static final String[] FILLER = {"the", "film", "story", "actors", "and", "a", "plot", "was", "it", "with",
        "director", "scenes", "music", "of", "ending", "some", "very", "quite", "long", "cast"};

    /** Reviews of 2 to 40 words: filler with a few sentiment words; a quarter labelled at random (noise). */
    static List<String> reviews(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<String> lines = new ArrayList<>();
        lines.add("text,label");
        for (int i = 0; i < n; i++) {
            boolean positive = rng.nextBoolean();
            int words = 2 + rng.nextInt(39);
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < words; w++) {
                String[] pool = rng.nextInt(5) == 0 ? (positive ^ rng.nextInt(4) == 0 ? GOOD : BAD) : FILLER;
                text.append(w == 0 ? "" : " ").append(pool[rng.nextInt(pool.length)]);
            }
            boolean label = rng.nextInt(4) == 0 ? rng.nextBoolean() : positive;
            lines.add(text + "," + (label ? "pos" : "neg"));
        }
        return lines;
    }

    @Test
    void aTinyRunsTestSplitIsPredictedAlikeExampleForExample(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("reviews.csv");
        Files.write(csv, reviews(112, 11));
        Path run = dir.resolve("run");
        CliTest.Run ft = CliTest.run("finetune", "--dataset", "csv:" + csv, "--train", "48", "--validation", "16",
                "--test", "48", "--epochs", "2", "--batch", "8", "--max-length", "24", "--lr", "3e-3", "--backend", "cpu",
                "--output", run.toString());
        assertEquals(0, ft.exit(), ft.err());
        int[] predicted = assertParity(run, 8);
        assertTrue(java.util.Arrays.stream(predicted).distinct().count() == 2, "both classes predicted: "
                + java.util.Arrays.toString(predicted));
    }

    @Test
    @EnabledIfSystemProperty(named = "peft4j.parity.run", matches = ".+")
    void theMainJobsTestSplit() throws Exception {
        assertParity(Path.of(System.getProperty("peft4j.parity.run")), Integer.getInteger("peft4j.parity.batch", 16));
    }

    /**
     * The checks of the class comment on the run folder {@code run}, trained with batches of {@code batch}; returns
     * the predictions.
     */
    static int[] assertParity(Path run, int batch) throws Exception {
        RunInfo info = RunInfo.read(run);
        ColumnOptions columns = new ColumnOptions();
        LabeledDataset data = columns.load(info.dataset());
        Splits splits = data.split(SplitSpec.counts(info.train(), info.validation(), info.test()), info.dataSplitSeed());
        List<TextExample> test = splits.test().examples();
        try (Backend be = Backends.create("cpu")) {
            int[] trainer;
            Metrics trainerTest;
            TrainedClassifier t = TrainedClassifier.load(run, be);
            try (t.classifier) {
                Evaluator evaluator = new Evaluator(new Batcher(t.tokenizer.padId()), batch);
                List<EncodedExample> encoded = TextExamples.encode(t.tokenizer, test, info.maxLength());
                trainer = evaluator.predict(t.classifier, encoded);
                trainerTest = evaluator.evaluate(t.classifier, encoded);
                if (!splits.validation().examples().isEmpty()) {
                    Metrics validation = evaluator.evaluate(t.classifier,
                            TextExamples.encode(t.tokenizer, splits.validation().examples(), info.maxLength()));
                    assertEquals(bestValidationAccuracy(run), validation.accuracy(),
                            "the saved adapter scores the validation split as the trainer did");
                }
            }
            int[] classifier = new int[test.size()];
            Metrics classifierTest;
            try (TextClassifier c = RunClassifier.open(run, info, be)) {
                List<Prediction> p = c.classify(test.stream().map(TextExample::text).toList());
                List<String> differences = new ArrayList<>();
                for (int i = 0; i < test.size(); i++) {
                    classifier[i] = p.get(i).index();
                    if (classifier[i] != trainer[i]) {
                        differences.add("example " + i + ": trainer " + trainer[i] + ", TextClassifier " + p.get(i));
                    }
                }
                assertTrue(differences.isEmpty(), differences.size() + " of " + test.size() + " predictions differ: "
                        + differences);
                classifierTest = EvalCommand.evaluate(c, test);
            }
            assertEquals(trainerTest.accuracy(), classifierTest.accuracy(), "accuracy, exactly");
            assertEquals(trainerTest.macroF1(), classifierTest.macroF1(), "macro-F1, exactly");
            assertEquals(trainerTest.loss(), classifierTest.loss(), 1e-5, "mean loss, to float32 rounding");
            System.out.printf("parity on %d test texts of %s: accuracy %.4f from both the trainer's evaluation and "
                    + "TextClassifier, every prediction equal%n", test.size(), info.dataset(), trainerTest.accuracy());

            CliTest.Run eval = CliTest.run("eval", "--run", run.toString(), "--backend", "cpu");
            assertEquals(0, eval.exit(), eval.err());
            assertTrue(eval.out().contains(String.format("accuracy %.4f ", trainerTest.accuracy())),
                    "peft4j eval prints the trainer's accuracy " + trainerTest.accuracy() + ": " + eval.out());
            return trainer;
        }
    }

    /** The highest val_accuracy in the run's metrics.jsonl: the validation of the parameters the run saved. */
    private static double bestValidationAccuracy(Path run) throws Exception {
        return Files.readAllLines(run.resolve("metrics.jsonl")).stream()
                .map(l -> JsonParser.parseString(l).getAsJsonObject()).filter(o -> o.has("val_accuracy"))
                .mapToDouble(o -> o.get("val_accuracy").getAsDouble()).max().orElseThrow();
    }
}
