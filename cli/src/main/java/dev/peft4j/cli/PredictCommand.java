package dev.peft4j.cli;

import dev.peft4j.backend.Backend;
import dev.peft4j.text.Prediction;
import dev.peft4j.text.TextClassifier;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
    @Parameters(arity = "0..*", paramLabel = "TEXT", description = "texts to classify")
    List<String> texts;

    @Override
    public Integer call() throws Exception {
        if ((texts == null || texts.isEmpty()) == (input == null)) {
            throw new IllegalArgumentException("give texts as arguments or --input FILE, not both and not neither");
        }
        RunInfo info = RunInfo.read(run.run);
        PrintStream out = System.out;
        try (Backend be = backend.create(); TextClassifier classifier = RunClassifier.open(run.run, info, be)) {
            if (texts != null && !texts.isEmpty()) {
                print(out, classifier.classify(texts), texts);
                return 0;
            }
            try (BufferedReader reader = open(input)) {
                List<String> chunk = new ArrayList<>(CHUNK);
                long line = 0;
                String text;
                while ((text = readLine(reader, line + 1)) != null) {
                    line++;
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

    private BufferedReader open(String file) throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        if (file.equals("-")) {
            return new BufferedReader(new InputStreamReader(System.in, decoder));
        }
        try {
            return new BufferedReader(new InputStreamReader(Files.newInputStream(Path.of(file)), decoder));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--input " + file + ": no such file");
        }
    }

    private String readLine(BufferedReader reader, long number) throws IOException {
        try {
            return reader.readLine();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("--input " + input + ": line " + number + " is not valid UTF-8");
        }
    }

    private static void print(PrintStream out, List<Prediction> predictions, List<String> texts) {
        for (int i = 0; i < predictions.size(); i++) {
            Prediction p = predictions.get(i);
            StringBuilder probs = new StringBuilder();
            for (int k = 0; k < p.labels().size(); k++) {
                probs.append(String.format("%s%s=%.4f", k == 0 ? "" : "  ", p.labels().get(k), p.probabilities()[k]));
            }
            out.printf("%s\t%s\t%s%n", p.label(), probs, texts.get(i));
        }
    }
}
