package dev.peft4j.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.peft4j.adapter.AdapterFormatException;
import dev.peft4j.adapter.HfCheckpoint;
import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.io.onnx.OnnxWeights;
import dev.peft4j.model.BertConfig;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Pooling;
import dev.peft4j.search.ParameterCounter;
import dev.peft4j.text.BaseModel;
import dev.peft4j.text.Prediction;
import dev.peft4j.text.TextClassifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line end to end, offline: a tiny local CSV dataset, MiniLM from its jar, then eval, predict, merge and
 * export of the run; and the error paths (usage errors exit 2, failures exit 1 with one line naming the problem).
 */
class CliTest {
    @TempDir
    static Path dir;
    static Path csv;

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Peft4j.commandLine().execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @BeforeAll
    static void writeDataset() throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add("text,label");
        String[] good = {"a wonderful, moving film", "great acting and a great story", "I loved every minute",
            "brilliant and funny", "a delightful surprise", "superb direction"};
        String[] bad = {"a boring, tedious mess", "terrible acting and a dull story", "I hated every minute",
            "awful and slow", "a complete waste of time", "dreadful direction"};
        for (int i = 0; i < 5; i++) {
            for (int k = 0; k < good.length; k++) {
                lines.add("\"" + good[k] + " " + i + "\",pos");
                lines.add("\"" + bad[k] + " " + i + "\",neg");
            }
        }
        csv = dir.resolve("reviews.csv");
        Files.write(csv, lines);
    }

    @Test
    void finetuneThenEvalPredictMergeExport() throws Exception {
        Path out = dir.resolve("run");
        Run ft = run("finetune", "--dataset", "csv:" + csv, "--train", "32", "--validation", "8", "--test", "16",
                "--epochs", "1", "--batch", "8", "--max-length", "16", "--backend", "cpu", "--output", out.toString());
        assertEquals(0, ft.exit(), ft.err());
        assertTrue(ft.out().contains("held-out accuracy"), ft.out());
        assertTrue(ft.out().contains("learning rate 1.0e-03 (peak"), "LoRA's own rate: " + ft.out());
        for (String f : new String[] {"run.json", "metrics.jsonl", "summary.json", "loss.png", "validation.png",
            "adapter/adapter_config.json", "adapter/adapter_model.safetensors"}) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f + " written");
        }
        List<String> predictions = Files.readAllLines(out.resolve("test-predictions.tsv"));
        assertEquals("index\tlabel\tpredicted", predictions.get(0));
        assertEquals(17, predictions.size(), "one line per test example");
        long correct = predictions.stream().skip(1).map(l -> l.split("\t")).filter(c -> c[1].equals(c[2])).count();
        JsonObject ran = JsonParser.parseString(Files.readString(out.resolve("summary.json"))).getAsJsonObject();
        assertEquals(ran.get("test_accuracy").getAsDouble(), correct / 16.0, 1e-9, "the predictions give the accuracy");
        assertTrue(ran.has("validation_accuracy") && ran.has("validation_macro_f1"), "the selecting validation is kept");
        Run eval = run("eval", "--run", out.toString(), "--backend", "cpu");
        assertEquals(0, eval.exit(), eval.err());
        assertTrue(eval.out().contains("accuracy") && eval.out().contains("(16 examples"), eval.out());

        Run predict = run("predict", "--run", out.toString(), "--backend", "cpu", "what a wonderful film");
        assertEquals(0, predict.exit(), predict.err());
        assertTrue(predict.out().matches("(?s)(pos|neg)\\tneg=0\\.\\d{4}  pos=0\\.\\d{4}\\twhat a wonderful film\\s*"), predict.out());

        Path inputFile = dir.resolve("texts.txt");
        Files.writeString(inputFile, "what a wonderful film\nterrible\n");
        Run fromFile = run("predict", "--run", out.toString(), "--backend", "cpu", "--input", inputFile.toString());
        assertEquals(0, fromFile.exit(), fromFile.err());
        assertEquals(predict.out().strip(), fromFile.out().strip().split("\n")[0], "a file's line answers as an argument");
        assertEquals(2, fromFile.out().strip().split("\n").length);
        assertTrue(Files.readString(out.resolve("adapter/adapter_config.json")).contains("\"max_length\": 16"),
                "the adapter carries its tokenisation length");
        try (TextClassifier alone = TextClassifier.builder(out.resolve("adapter")).build()) {
            assertEquals(List.of("neg", "pos"), alone.labels(), "the adapter carries its label names");
            Prediction p = alone.classify("what a wonderful film");
            assertTrue(predict.out().startsWith(p.label() + "\t" + String.format("neg=%.4f  pos=%.4f",
                    p.probabilities()[0], p.probabilities()[1])), p + " vs " + predict.out());
        }

        Path requests = dir.resolve("requests.tsv");
        Files.writeString(requests, "b\tsomething else entirely\na\twhat a wonderful film\n\nb\twhat a wonderful film\n");
        Run mixed = run("predict-mixed", "--adapter", "a=" + out, "--adapter", "b=" + out, "--input", requests.toString(),
                "--batch", "2", "--backend", "cpu");
        assertEquals(0, mixed.exit(), mixed.err());
        String[] lines = mixed.out().strip().split("\n");
        assertEquals(3, lines.length, mixed.out());
        String single = predict.out().strip();
        assertEquals("a\t" + single, lines[1], "the same run, served mixed, answers as predict does");
        assertEquals("b\t" + single, lines[2]);
        assertTrue(lines[0].startsWith("b\t") && lines[0].endsWith("\tsomething else entirely"), lines[0]);
        Files.writeString(requests, "a\tfine\nc\tunknown adapter\n");
        Run unknown = run("predict-mixed", "--adapter", "a=" + out, "--input", requests.toString(), "--backend", "cpu");
        assertEquals(1, unknown.exit());
        assertTrue(unknown.err().contains("line 2: unknown adapter 'c'"), unknown.err());

        Path merged = dir.resolve("merged");
        Run merge = run("merge", "--run", out.toString(), "--output", merged.toString());
        assertEquals(0, merge.exit(), merge.err());
        assertTrue(Files.isRegularFile(merged.resolve("config.json")) && Files.isRegularFile(merged.resolve("model.safetensors")));

        Path exported = dir.resolve("exported");
        Run export = run("export", "--run", out.toString(), "--output", exported.toString(), "--base-model-name", "me/minilm");
        assertEquals(0, export.exit(), export.err());
        assertTrue(Files.readString(exported.resolve("adapter_config.json")).contains("\"me/minilm\""));
    }

    /**
     * --model takes a Hugging Face BERT folder (here a tiny random one with MiniLM's tokenizer): methods counts its
     * own sizes, finetune trains on it, and predict finds it again through the run's absolute path.
     */
    @Test
    void aHuggingFaceFolderIsAModel() throws Exception {
        Path folder = dir.resolve("tiny-bert");
        BertConfig cfg = new BertConfig(30522, 16, 1, 2, 32, 64, 2, 1e-12f, Activation.GELU, 0.1f, Pooling.MEAN);
        BertConfig withPooler = new BertConfig(30522, 16, 1, 2, 32, 64, 2, 1e-12f, Activation.GELU, 0.1f,
                Pooling.POOLER);
        try (Backend be = Backends.create("reference"); BertModel m = BertModel.random(be, withPooler, 1)) {
            HfCheckpoint.save(folder, m); // a checkpoint with its pooler, as transformers saves one
        }
        try (InputStream in = OnnxWeights.openResource(OnnxWeights.MINILM_L6_V2_TOKENIZER, CliTest.class.getClassLoader())) {
            Files.copy(in, folder.resolve(HfCheckpoint.TOKENIZER));
        }
        Run methods = run("methods", "--model", folder.toString());
        assertEquals(0, methods.exit(), methods.err());
        assertTrue(methods.out().startsWith("tiny-bert: " + String.format("%,d", ParameterCounter.base(cfg))
                + " base parameters"), methods.out());
        Run methodsPooled = run("methods", "--model", folder.toString(), "--pooling", "pooler");
        assertEquals(0, methodsPooled.exit(), methodsPooled.err());
        assertTrue(methodsPooled.out().startsWith("tiny-bert: " + String.format("%,d", ParameterCounter.base(withPooler))
                + " base parameters"), "the pooler counts in the base: " + methodsPooled.out());

        // search --pooling: the trial setup, which every trial's fingerprint hashes, differs between poolings
        List<String> setups = new java.util.ArrayList<>();
        for (String pooling : new String[] {"cls", "pooler"}) {
            Run search = run("search", "--model", folder.toString(), "--pooling", pooling, "--dataset", "csv:" + csv,
                    "--algorithm", "baselines", "--proxy-train", "24", "--proxy-validation", "8", "--max-length", "16",
                    "--batch", "8", "--output", dir.resolve("search-" + pooling).toString());
            assertEquals(0, search.exit(), search.out() + search.err());
            setups.add(search.out().lines().filter(l -> l.startsWith("trial setup")).findFirst().orElseThrow());
        }
        assertNotEquals(setups.get(0), setups.get(1), "a CLS and a POOLER search share a fingerprint");

        Path out = dir.resolve("run-on-folder");
        String relative = Path.of("").toAbsolutePath().relativize(folder).toString(); // recorded as absolute
        Run ft = run("finetune", "--model", relative,
                "--dataset", "csv:" + csv, "--train", "32", "--validation", "8", "--test", "16", "--epochs", "1",
                "--batch", "8", "--max-length", "16", "--backend", "cpu", "--output", out.toString());
        assertEquals(0, ft.exit(), ft.err());
        assertTrue(Files.readString(out.resolve("run.json")).contains(folder.toAbsolutePath().toString()),
                "the run records the folder's absolute path");
        Run predict = run("predict", "--run", out.toString(), "--backend", "cpu", "what a wonderful film");
        assertEquals(0, predict.exit(), predict.err());

        Path pooled = dir.resolve("run-with-pooler");
        Run viaPooler = run("finetune", "--model", folder.toString(), "--pooling", "pooler", "--dataset", "csv:" + csv,
                "--train", "32", "--validation", "8", "--test", "16", "--epochs", "1", "--batch", "8", "--max-length",
                "16", "--backend", "cpu", "--output", pooled.toString());
        assertEquals(0, viaPooler.exit(), viaPooler.err());
        assertTrue(Files.readString(pooled.resolve("run.json")).contains("\"pooling\": \"POOLER\""));
        assertTrue(Files.readString(pooled.resolve("adapter/adapter_config.json")).contains("\"pooling\": \"POOLER\""),
                "the head says what it was trained on");
        Run predictPooled = run("predict", "--run", pooled.toString(), "--backend", "cpu", "what a wonderful film");
        assertEquals(0, predictPooled.exit(), predictPooled.err());
        // the library pools the base as the adapter says, whatever the folder's own pooling
        try (TextClassifier alone = TextClassifier.builder(pooled.resolve("adapter"))
                .baseModel(BaseModel.huggingFace(folder)).build()) {
            Prediction p = alone.classify("what a wonderful film");
            assertTrue(predictPooled.out().startsWith(p.label() + "\t" + String.format("neg=%.4f  pos=%.4f",
                    p.probabilities()[0], p.probabilities()[1])), p + " vs " + predictPooled.out());
        }
        AdapterFormatException noPooler = org.junit.jupiter.api.Assertions.assertThrows(AdapterFormatException.class,
                () -> TextClassifier.builder(pooled.resolve("adapter")).baseModel(BaseModel.miniLm()).build());
        assertTrue(noPooler.getMessage().contains(pooled.resolve("adapter").toString())
                && noPooler.getMessage().contains("POOLER"), noPooler.getMessage());
        Run onnxPooler = run("finetune", "--pooling", "pooler", "--dataset", "csv:" + csv, "--train", "32",
                "--validation", "8", "--test", "16", "--epochs", "1", "--max-length", "16", "--output",
                dir.resolve("no-pooler").toString());
        assertEquals(1, onnxPooler.exit());
        assertTrue(onnxPooler.err().contains("pooler"), onnxPooler.err());

        // --tokens-after-prefix: the saved prefix adapter numbers the tokens after its 4 positions, as transformers
        Path afterPrefix = dir.resolve("run-after-prefix");
        Run prefixRun = run("finetune", "--model", folder.toString(), "--method", "prefix", "--size", "4",
                "--tokens-after-prefix", "--dataset", "csv:" + csv, "--train", "32", "--validation", "8", "--test", "16",
                "--epochs", "1", "--batch", "8", "--max-length", "16", "--backend", "cpu", "--output",
                afterPrefix.toString());
        assertEquals(0, prefixRun.exit(), prefixRun.err());
        assertTrue(Files.readString(afterPrefix.resolve("adapter/adapter_config.json")).contains("\"position_offset\": 4"));
        Run predictAfter = run("predict", "--run", afterPrefix.toString(), "--backend", "cpu", "what a wonderful film");
        assertEquals(0, predictAfter.exit(), predictAfter.err());
        Run exportAfter = run("export", "--run", afterPrefix.toString(), "--output", dir.resolve("exported-after").toString());
        assertEquals(0, exportAfter.exit(), exportAfter.err());
        assertTrue(exportAfter.out().contains("PREFIX_TUNING") && !exportAfter.out().contains("note:"), exportAfter.out());
        Path fromZero = dir.resolve("run-prefix-from-zero");
        Run prefixFromZero = run("finetune", "--model", folder.toString(), "--method", "prefix", "--size", "4",
                "--dataset", "csv:" + csv, "--train", "32", "--validation", "8", "--test", "16", "--epochs", "1",
                "--batch", "8", "--max-length", "16", "--backend", "cpu", "--output", fromZero.toString());
        assertEquals(0, prefixFromZero.exit(), prefixFromZero.err());
        Run exportFromZero = run("export", "--run", fromZero.toString(), "--output", dir.resolve("exported-zero").toString());
        assertEquals(0, exportFromZero.exit(), exportFromZero.err());
        assertTrue(exportFromZero.out().contains("--tokens-after-prefix"), "the export says how to match: "
                + exportFromZero.out());
        Run loraAfter = run("finetune", "--model", folder.toString(), "--tokens-after-prefix", "--dataset", "csv:" + csv,
                "--train", "32", "--validation", "8", "--test", "16", "--epochs", "1", "--max-length", "16",
                "--output", dir.resolve("lora-after-prefix").toString());
        assertEquals(1, loraAfter.exit());
        assertTrue(loraAfter.err().contains("prefix of one length on every layer"), loraAfter.err());

        Run unknown = run("methods", "--model", dir.resolve("no-such-model").toString());
        assertEquals(1, unknown.exit());
        assertTrue(unknown.err().contains("no-such-model") && unknown.err().contains("minilm"), unknown.err());
    }

    @Test
    void evalRebuildsTheHeldOutSetOfTheSplitSeedNotTheTrainingSeed() throws Exception {
        Path out = dir.resolve("split-seed");
        Run ft = run("finetune", "--dataset", "csv:" + csv, "--train", "24", "--validation", "8", "--test", "16",
                "--epochs", "1", "--batch", "8", "--max-length", "16", "--backend", "cpu", "--seed", "3",
                "--split-seed", "9", "--lr", "0.003", "--output", out.toString());
        assertEquals(0, ft.exit(), ft.err());
        assertTrue(ft.out().contains("learning rate 3.0e-03 (peak"), "an explicit --lr wins: " + ft.out());
        JsonObject summary = JsonParser.parseString(Files.readString(out.resolve("summary.json"))).getAsJsonObject();
        assertEquals(9, summary.get("split_seed").getAsLong());
        double testLoss = Files.readAllLines(out.resolve("metrics.jsonl")).stream()
                .map(l -> JsonParser.parseString(l).getAsJsonObject()).filter(o -> o.has("test_loss"))
                .findFirst().orElseThrow().get("test_loss").getAsDouble();
        Run eval = run("eval", "--run", out.toString(), "--backend", "cpu");
        assertEquals(0, eval.exit(), eval.err());
        assertTrue(eval.out().contains(String.format("loss %.4f", testLoss)), testLoss + " vs " + eval.out());
        double testAccuracy = Files.readAllLines(out.resolve("metrics.jsonl")).stream()
                .map(l -> JsonParser.parseString(l).getAsJsonObject()).filter(o -> o.has("test_accuracy"))
                .findFirst().orElseThrow().get("test_accuracy").getAsDouble();
        assertTrue(eval.out().contains(String.format("accuracy %.4f", testAccuracy)),
                "TextClassifier (eval) reproduces the trainer's held-out accuracy: " + testAccuracy + " vs " + eval.out());
    }

    @Test
    void usageErrorsExitWith2() {
        Run r = run("finetune", "--epochs");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--epochs"), r.err());
        assertEquals(2, run("no-such-command").exit());
    }

    @Test
    void aMissingDatasetFailsWithOneClearLine() {
        Run r = run("finetune", "--dataset", "csv:" + dir.resolve("missing.csv"), "--output", dir.resolve("x").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("peft4j: ") && r.err().contains("missing.csv"), r.err());
        assertTrue(r.err().contains("hint:"), r.err());
    }

    @Test
    void badValuesAndUnknownNamesAreFailures() {
        assertEquals(1, run("finetune", "--method", "nope", "--dataset", "csv:" + csv, "--train", "8", "--validation", "0",
                "--test", "4", "--output", dir.resolve("y").toString()).exit());
        Run r = run("finetune", "--train", "0");
        assertEquals(2, r.exit(), "a value out of range is a usage error");
        assertTrue(r.err().contains("--train"), r.err());
        Run b = run("eval", "--run", dir.resolve("nothing-here").toString());
        assertEquals(1, b.exit());
        assertTrue(b.err().contains("run.json"), b.err());
    }

    @Test
    void aCorruptCheckpointIsRefusedOnResume() throws Exception {
        Path out = dir.resolve("corrupt");
        Files.createDirectories(out);
        Files.write(out.resolve("checkpoint.safetensors"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        Run r = run("finetune", "--dataset", "csv:" + csv, "--train", "16", "--validation", "4", "--test", "8",
                "--epochs", "1", "--batch", "8", "--max-length", "16", "--backend", "cpu", "--resume",
                "--output", out.toString());
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.err().contains("checkpoint.safetensors"), r.err());
    }
}
