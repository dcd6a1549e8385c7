package dev.peft4j.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FineTune on the real MiniLM, tiny sizes: events, the saved adapter, cancellation, the asynchronous form; for
 * classifiers and for embeddings (the contrastive objective).
 */
class FineTuneTest {
    static final List<String> LABELS = List.of("negative", "positive");

    static List<TextExample> reviews(int n, int offset) {
        String[] good = {"a wonderful film", "great acting and a moving story", "I loved it", "brilliant and funny"};
        String[] bad = {"a dull mess", "boring and far too long", "I hated it", "awful acting, no story"};
        List<TextExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = i + offset;
            out.add(k % 2 == 0 ? new TextExample(good[k / 2 % good.length] + " " + k, 1)
                    : new TextExample(bad[k / 2 % bad.length] + " " + k, 0));
        }
        return out;
    }

    @Test
    void reportsEveryEventInOrderAndSavesAnAdapterTheClassifierLoadsAlone(@TempDir Path dir) throws Exception {
        List<FineTuneEvent> events = Collections.synchronizedList(new ArrayList<>());
        Path adapter = dir.resolve("adapter");
        FineTuneResult r = FineTune.classifier(BaseModel.miniLm(), reviews(24, 0), LABELS)
                .validation(reviews(8, 100)).method("lora").epochs(2).batchSize(8).maxLength(16).seed(3)
                .checkpoint(dir.resolve("checkpoint.safetensors"), 2, false)
                .saveTo(adapter).listener(events::add).build().run();
        assertInstanceOf(FineTuneEvent.Started.class, events.get(0));
        FineTuneEvent.Started started = (FineTuneEvent.Started) events.get(0);
        assertEquals(6, started.totalSteps());
        assertEquals(r.trainableParameters(), started.trainableParameters());
        assertInstanceOf(FineTuneEvent.Finished.class, events.get(events.size() - 1));
        assertEquals(6, events.stream().filter(e -> e instanceof FineTuneEvent.Step).count());
        assertEquals(2, events.stream().filter(e -> e instanceof FineTuneEvent.Evaluated).count());
        assertEquals(3, events.stream().filter(e -> e instanceof FineTuneEvent.Checkpointed).count());
        assertEquals(6, r.training().steps());
        assertTrue(r.trainableFraction() > 0 && r.trainableFraction() < 0.01, "LoRA trains < 1 %: " + r.trainableFraction());
        try (TextClassifier c = TextClassifier.builder(adapter).build()) {
            assertEquals(LABELS, c.labels());
            assertEquals(16, c.maxLength());
            assertEquals(2, c.classify("a wonderful film").probabilities().length);
        }
    }

    @Test
    void aPlanTrainsAtTheRateOfItsMethodsUnlessOneIsGiven() throws Exception {
        dev.peft4j.peft.PeftPlan prefix = dev.peft4j.peft.Methods.plan("prefix", 6, 384, 4);
        for (Float given : new Float[] {null, 3e-4f}) {
            List<FineTuneEvent> events = new ArrayList<>();
            FineTune.Builder b = FineTune.classifier(BaseModel.miniLm(), reviews(8, 0), LABELS).plan(prefix).epochs(1)
                    .batchSize(8).maxLength(12).listener(events::add);
            if (given != null) {
                b.learningRate(given);
            }
            b.build().run();
            FineTuneEvent.Started started = (FineTuneEvent.Started) events.get(0);
            assertEquals(given != null ? given : 1e-2f, started.learningRate(), 0f,
                    "a prefix plan trains at the prefix rate, as --method prefix does");
        }
    }

    @Test
    void cancelStopsAfterTheStepInProgressAndStillSaves(@TempDir Path dir) throws Exception {
        List<FineTuneEvent> events = new ArrayList<>();
        FineTune[] job = new FineTune[1];
        job[0] = FineTune.classifier(BaseModel.miniLm(), reviews(32, 0), LABELS).epochs(3).batchSize(8).maxLength(12)
                .saveTo(dir.resolve("adapter")).listener(e -> {
                    events.add(e);
                    if (e instanceof FineTuneEvent.Step s && s.step() == 2) {
                        job[0].cancel();
                    }
                }).build();
        FineTuneResult r = job[0].run();
        assertEquals(2, r.training().steps());
        assertTrue(r.training().cancelled());
        assertTrue(events.contains(new FineTuneEvent.Stopped(2, FineTuneEvent.Stopped.Reason.CANCELLED)), events.toString());
        assertTrue(java.nio.file.Files.isRegularFile(dir.resolve("adapter/adapter_model.safetensors")));
        assertThrows(IllegalStateException.class, job[0]::run, "a run is used once");
    }

    @Test
    void startRunsOnAnExecutor() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            FineTuneResult r = FineTune.classifier(BaseModel.miniLm(), reviews(8, 0), LABELS).method("bitfit").epochs(1)
                    .batchSize(8).maxLength(8).build().start(pool).get(5, TimeUnit.MINUTES);
            assertEquals(1, r.training().steps());
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void badInputIsRefusedWhenTheRunIsBuilt() {
        assertThrows(IllegalArgumentException.class,
                () -> FineTune.classifier(BaseModel.miniLm(), List.of(new TextExample("x", 2)), LABELS));
        assertThrows(IllegalArgumentException.class,
                () -> FineTune.classifier(BaseModel.miniLm(), List.of(TextExample.unlabelled("x")), LABELS));
        assertThrows(IllegalArgumentException.class, () -> FineTune.classifier(BaseModel.miniLm(), List.of(), LABELS));
        assertThrows(IllegalArgumentException.class,
                () -> FineTune.classifier(BaseModel.miniLm(), reviews(2, 0), List.of("only")));
        assertThrows(IllegalArgumentException.class,
                () -> FineTune.classifier(BaseModel.miniLm(), reviews(2, 0), LABELS).method("lorax"));
    }

    static List<TextPair> pairs() {
        return List.of(new TextPair("a wonderful film", "I loved it"), new TextPair("a dull mess", "boring and far too long"),
                new TextPair("great acting", "brilliant performances"), new TextPair("I hated it", "awful, no story"),
                new TextPair("the soup was cold", "a chilly starter"), new TextPair("the train was late", "delays again"),
                new TextPair("a funny comedy", "I laughed a lot"), new TextPair("a slow drama", "it dragged on"));
    }

    @Test
    void embeddingRunReportsRetrievalBeforeAndAfterAndSavesAnAdapterTheEncoderLoads(@TempDir Path dir) throws Exception {
        List<FineTuneEvent> events = new ArrayList<>();
        Path adapter = dir.resolve("encoder");
        List<TextExample> heldOut = reviews(14, 200);
        FineTuneResult r = FineTune.embedding(BaseModel.miniLm(), pairs()).validation(heldOut).epochs(2).batchSize(4)
                .maxLength(16).seed(5).learningRate(1e-2f).saveTo(adapter).listener(events::add).build().run();
        assertEquals(4, r.training().steps());
        assertInstanceOf(FineTuneEvent.Started.class, events.get(0));
        assertEquals(4, ((FineTuneEvent.Started) events.get(0)).totalSteps());
        assertEquals(1e-2f, ((FineTuneEvent.Started) events.get(0)).learningRate());
        assertEquals(new FineTuneEvent.RetrievalEvaluated(0, r.retrievalBefore()), events.get(1));
        assertEquals(4, events.stream().filter(e -> e instanceof FineTuneEvent.Step).count());
        assertEquals(new FineTuneEvent.RetrievalEvaluated(4, r.retrievalAfter()), events.get(events.size() - 2));
        assertInstanceOf(FineTuneEvent.Finished.class, events.get(events.size() - 1));
        assertTrue(events.stream().noneMatch(e -> e instanceof FineTuneEvent.Evaluated
                || e instanceof FineTuneEvent.Checkpointed), events.toString());
        assertEquals(14, r.retrievalBefore().queries());
        assertEquals(FineTune.RETRIEVAL_K, r.retrievalAfter().k());
        assertEquals(null, r.bestValidation());
        assertTrue(r.trainableFraction() > 0 && r.trainableFraction() < 0.01, "LoRA trains < 1 %: " + r.trainableFraction());
        assertTrue(java.nio.file.Files.isRegularFile(adapter.resolve("adapter_model.safetensors")));

        List<String> texts = heldOut.stream().map(TextExample::text).toList();
        int[] labels = heldOut.stream().mapToInt(TextExample::label).toArray();
        try (TextEncoder plain = TextEncoder.builder(BaseModel.miniLm()).build();
             TextEncoder tuned = TextEncoder.builder(BaseModel.miniLm()).adapter(adapter).build()) {
            float[][] before = plain.embed(texts);
            float[][] after = tuned.embed(texts);
            assertTrue(maxAbsDifference(before, after) > 1e-3, "the tuned adapter moves the vectors");
            // the held-out texts fit in 16 tokens: TextEncoder's vectors rank as the run's own scoring did
            assertEquals(r.retrievalBefore(), RetrievalEvaluation.evaluate(before, labels, FineTune.RETRIEVAL_K));
            assertEquals(r.retrievalAfter(), RetrievalEvaluation.evaluate(after, labels, FineTune.RETRIEVAL_K));
        }
    }

    @Test
    void embeddingFromLabelledTextsDrawsItsPairsAndCancels(@TempDir Path dir) throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            List<FineTuneEvent> events = Collections.synchronizedList(new ArrayList<>());
            FineTune[] job = new FineTune[1];
            job[0] = FineTune.embedding(BaseModel.miniLm(), reviews(16, 0), 24).epochs(2).batchSize(4).maxLength(12)
                    .saveTo(dir.resolve("encoder")).listener(e -> {
                        events.add(e);
                        if (e instanceof FineTuneEvent.Step s && s.step() == 2) {
                            job[0].cancel();
                        }
                    }).build();
            FineTuneResult r = job[0].start(pool).get(5, TimeUnit.MINUTES);
            assertEquals(12, ((FineTuneEvent.Started) events.get(0)).totalSteps(), "24 pairs in batches of 4, 2 epochs");
            assertEquals(5e-4f, ((FineTuneEvent.Started) events.get(0)).learningRate(), "LoRA's embedding rate");
            assertEquals(2, r.training().steps());
            assertTrue(r.training().cancelled());
            assertTrue(events.contains(new FineTuneEvent.Stopped(2, FineTuneEvent.Stopped.Reason.CANCELLED)), events.toString());
            assertEquals(null, r.retrievalBefore(), "no held-out texts, no retrieval scores");
            assertTrue(java.nio.file.Files.isRegularFile(dir.resolve("encoder/adapter_model.safetensors")));
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void badEmbeddingRunsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> FineTune.embedding(BaseModel.miniLm(), List.<TextPair>of()));
        assertThrows(IllegalArgumentException.class,
                () -> FineTune.embedding(BaseModel.miniLm(), List.of(TextExample.unlabelled("x"), TextExample.unlabelled("y")), 4));
        assertThrows(IllegalArgumentException.class, () -> FineTune.embedding(BaseModel.miniLm(),
                List.of(new TextExample("x", 0), new TextExample("y", 1)), 4), "no label has two texts");
        assertThrows(IllegalArgumentException.class, () -> FineTune.embedding(BaseModel.miniLm(), reviews(4, 0), 0));
        assertThrows(IllegalStateException.class, () -> FineTune.embedding(BaseModel.miniLm(), pairs())
                .checkpoint(Path.of("c.safetensors"), 10, false));
        assertThrows(IllegalArgumentException.class, () -> FineTune.embedding(BaseModel.miniLm(), pairs())
                .validation(reviews(1, 0)));
        assertThrows(IllegalArgumentException.class, () -> FineTune.embedding(BaseModel.miniLm(), pairs())
                .temperature(0f));
        assertThrows(IllegalStateException.class, () -> FineTune.classifier(BaseModel.miniLm(), reviews(2, 0), LABELS)
                .temperature(0.1f));
        IllegalArgumentException head = assertThrows(IllegalArgumentException.class,
                () -> FineTune.embedding(BaseModel.miniLm(), pairs()).method("head").maxLength(8).build().run());
        assertTrue(head.getMessage().contains("no head"), head.getMessage());
    }

    private static double maxAbsDifference(float[][] a, float[][] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                max = Math.max(max, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return max;
    }
}
