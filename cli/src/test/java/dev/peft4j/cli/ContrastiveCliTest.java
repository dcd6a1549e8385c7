package dev.peft4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.peft4j.data.LabelOrder;
import dev.peft4j.data.LabeledDataset;
import dev.peft4j.data.LocalTextDataset;
import dev.peft4j.data.SplitSpec;
import dev.peft4j.text.BaseModel;
import dev.peft4j.text.RetrievalEvaluation;
import dev.peft4j.text.RetrievalMetrics;
import dev.peft4j.text.TextEncoder;
import dev.peft4j.text.TextExample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code peft4j finetune --objective contrastive}, offline: pairs drawn from a tiny labelled CSV, or read from a file. */
class ContrastiveCliTest {
    @TempDir
    static Path dir;
    static Path csv;

    @BeforeAll
    static void writeDataset() throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add("text,label");
        String[] good = {"a wonderful, moving film", "great acting and a great story", "I loved every minute",
            "brilliant and funny", "a delightful surprise", "superb direction"};
        String[] bad = {"a boring, tedious mess", "terrible acting and a dull story", "I hated every minute",
            "awful and slow", "a complete waste of time", "dreadful direction"};
        for (int i = 0; i < 4; i++) {
            for (int k = 0; k < good.length; k++) {
                lines.add("\"" + good[k] + " " + i + "\",pos");
                lines.add("\"" + bad[k] + " " + i + "\",neg");
            }
        }
        csv = dir.resolve("reviews.csv");
        Files.write(csv, lines);
    }

    static JsonObject summary(Path run) throws Exception {
        return JsonParser.parseString(Files.readString(run.resolve("summary.json"))).getAsJsonObject();
    }

    @Test
    void drawsPairsFromTheTrainingSplitAndScoresRetrievalBeforeAndAfter() throws Exception {
        Path out = dir.resolve("contrastive");
        CliTest.Run ft = CliTest.run("finetune", "--objective", "contrastive", "--dataset", "csv:" + csv, "--train", "24",
                "--validation", "4", "--test", "16", "--epochs", "1", "--batch", "8", "--max-length", "16",
                "--backend", "cpu", "--output", out.toString());
        assertEquals(0, ft.exit(), ft.err());
        assertTrue(ft.out().contains("24 pairs of same-label texts drawn from 24 training texts"), ft.out());
        assertTrue(ft.out().contains("retrieval before training: k-NN (k = 10) label accuracy"), ft.out());
        assertTrue(ft.out().contains("retrieval after step 3: k-NN (k = 10) label accuracy"), ft.out());
        assertTrue(ft.out().contains("learning rate 5.0e-04 (peak"), "LoRA's embedding rate: " + ft.out());
        for (String f : new String[] {"metrics.jsonl", "summary.json", "loss.png", "adapter/adapter_config.json",
            "adapter/adapter_model.safetensors"}) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f + " written");
        }
        assertFalse(Files.exists(out.resolve("run.json")), "no run.json: eval and predict take classifier runs");
        JsonObject s = summary(out);
        assertEquals("contrastive", s.get("objective").getAsString());
        assertEquals(24, s.get("pairs").getAsInt());
        assertEquals(16, s.get("held_out").getAsInt());
        assertEquals(3, s.get("steps").getAsInt());
        long retrievalLines = Files.readAllLines(out.resolve("metrics.jsonl")).stream()
                .filter(l -> l.contains("knn_accuracy")).count();
        assertEquals(2, retrievalLines);

        // the held-out split, rebuilt as the run cut it, embedded by TextEncoder with the run's adapter
        LabeledDataset data = LocalTextDataset.readCsv(csv, "text", "label", LabelOrder.SORTED);
        List<TextExample> heldOut = data.split(SplitSpec.counts(24, 4, 16), 42).test().examples();
        int[] labels = heldOut.stream().mapToInt(TextExample::label).toArray();
        try (TextEncoder tuned = TextEncoder.builder(BaseModel.miniLm()).adapter(out.resolve("adapter")).build()) {
            RetrievalMetrics m = RetrievalEvaluation.evaluate(tuned.embed(heldOut.stream().map(TextExample::text).toList()),
                    labels, 10);
            assertEquals(s.get("knn_accuracy_after").getAsDouble(), m.knnAccuracy(), 1e-12);
            assertEquals(s.get("mrr_after").getAsDouble(), m.meanReciprocalRank(), 1e-12);
        }
    }

    @Test
    void readsPairsFromCsvOrJsonlWithNamedColumns() throws Exception {
        Path pairsCsv = dir.resolve("pairs.csv");
        Files.writeString(pairsCsv, "id,q,doc\n1,cheap hotel,\"a budget room, clean\"\n2,late train,delays on the line\n"
                + "3,good film,\"a moving, funny story\"\n4,cold soup,the starter was chilly\n");
        Path out = dir.resolve("pairs-run");
        CliTest.Run ft = CliTest.run("finetune", "--objective", "contrastive", "--pairs", pairsCsv.toString(),
                "--anchor-column", "q", "--positive-column", "doc", "--epochs", "2", "--batch", "2", "--max-length", "12",
                "--backend", "cpu", "--output", out.toString());
        assertEquals(0, ft.exit(), ft.err());
        assertTrue(ft.out().contains("4 pairs from " + pairsCsv + " (columns q, doc)"), ft.out());
        assertTrue(ft.out().contains("no held-out texts to score (give --dataset"), ft.out());
        assertFalse(ft.out().contains("loading dataset"), "no dataset is loaded for --pairs alone");
        JsonObject s = summary(out);
        assertEquals(4, s.get("steps").getAsInt());
        assertFalse(s.has("knn_accuracy_after"));
        assertTrue(Files.isRegularFile(out.resolve("adapter/adapter_model.safetensors")));

        Path pairsJsonl = dir.resolve("pairs.jsonl");
        Files.writeString(pairsJsonl, "{\"anchor\":\"cheap hotel\",\"positive\":\"a budget room\"}\n"
                + "{\"anchor\":\"late train\",\"positive\":\"delays on the line\"}\n");
        Path scored = dir.resolve("pairs-scored");
        CliTest.Run withHeldOut = CliTest.run("finetune", "--objective", "contrastive", "--pairs", pairsJsonl.toString(),
                "--dataset", "csv:" + csv, "--train", "0", "--validation", "0", "--test", "12", "--epochs", "1",
                "--batch", "2", "--max-length", "12", "--backend", "cpu", "--output", scored.toString());
        assertEquals(0, withHeldOut.exit(), withHeldOut.err());
        assertTrue(withHeldOut.out().contains("12 held-out texts of csv:"), withHeldOut.out());
        assertEquals(12, summary(scored).get("held_out").getAsInt());
        assertTrue(summary(scored).has("knn_accuracy_before"));
    }

    @Test
    void badPairsFilesAndMisplacedOptionsAreOneLineFailures() throws Exception {
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "anchor,positive\nfine,also fine\n\"two\nlines\",\n");
        CliTest.Run r = CliTest.run("finetune", "--objective", "contrastive", "--pairs", bad.toString(),
                "--output", dir.resolve("bad-run").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains(bad + ": line 3, column \"positive\": empty text"), r.err());

        Path noColumn = dir.resolve("nocol.jsonl");
        Files.writeString(noColumn, "{\"anchor\":\"a\",\"pos\":\"b\"}\n");
        CliTest.Run missing = CliTest.run("finetune", "--objective", "contrastive", "--pairs", noColumn.toString(),
                "--output", dir.resolve("nocol-run").toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains(noColumn + ": line 1: missing field \"positive\""), missing.err());

        CliTest.Run classify = CliTest.run("finetune", "--pairs", bad.toString(), "--output", dir.resolve("c").toString());
        assertEquals(2, classify.exit()); // a usage error
        assertTrue(classify.err().contains("--pairs applies to --objective contrastive only"), classify.err());

        CliTest.Run unknown = CliTest.run("finetune", "--objective", "regress", "--output", dir.resolve("u").toString());
        assertEquals(2, unknown.exit()); // a usage error
        assertTrue(unknown.err().contains("unknown --objective 'regress'; use classify or contrastive"), unknown.err());

        CliTest.Run resume = CliTest.run("finetune", "--objective", "contrastive", "--resume", "--output",
                dir.resolve("r").toString());
        assertEquals(2, resume.exit()); // a usage error
        assertTrue(resume.err().contains("--resume"), resume.err());
    }
}
