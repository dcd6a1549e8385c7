package dev.peft4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.adapter.AdapterIo;
import dev.peft4j.adapter.AdapterModel;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Parameter;
import dev.peft4j.model.Pass;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.tensor.Tensor;
import dev.peft4j.tokenizer.WordPieceTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TextEncoder on the real all-MiniLM-L6-v2 (its Maven artifact on the test class path) and the cpu backend. */
class TextEncoderTest {
    static final List<String> TEXTS = List.of("A gripping thriller with a twist I did not see coming.",
            "Dull, slow and far too long.", "Café au lait and crème brûlée.", "<br />Great <b>fun</b> for the family!",
            "The committee postponed its decision.", "short", "", "Numbers 3.14 and 2,718 and words like state-of-the-art.");

    static Backend backend;
    static TextEncoder encoder;

    @BeforeAll
    static void load() throws Exception {
        backend = Backends.create("cpu");
        encoder = TextEncoder.builder(BaseModel.miniLm()).backend(backend).build();
    }

    @AfterAll
    static void close() {
        encoder.close();
        backend.close();
    }

    @Test
    void sixteenThreadsGetTheVectorsOneThreadGets() throws Exception {
        float[][] alone = new float[TEXTS.size()][];
        for (int i = 0; i < TEXTS.size(); i++) {
            alone[i] = encoder.embed(TEXTS.get(i));
        }
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            long seed = t;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    List<Integer> order = new ArrayList<>();
                    for (int i = 0; i < TEXTS.size(); i++) {
                        order.add(i);
                    }
                    Collections.shuffle(order, new java.util.Random(seed));
                    for (int round = 0; round < 3; round++) {
                        List<String> texts = order.stream().map(TEXTS::get).toList();
                        float[][] got = encoder.embed(texts);
                        for (int k = 0; k < order.size(); k++) {
                            assertArrayEquals(alone[order.get(k)], got[k], "text " + order.get(k));
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void vectorsAreUnitLengthAndTheEmptyTextIsEmbeddedAsClsSep() {
        float[][] v = encoder.embed(TEXTS);
        assertEquals(TEXTS.size(), v.length);
        for (float[] e : v) {
            assertEquals(384, e.length);
            double sq = 0;
            for (float x : e) {
                assertTrue(Float.isFinite(x));
                sq += x * x;
            }
            assertEquals(1.0, sq, 1e-5);
        }
        assertEquals(0, encoder.countTokens(""));
    }

    /** Σ_k n_k·pool(part_k) / Σ n_k, normalised, computed here part by part without the encoder's batching. */
    static float[] byHand(BertModel model, WordPieceTokenizer tok, List<List<String>> parts) {
        float[] sum = new float[384];
        int total = 0;
        for (List<String> part : parts) {
            int[] ids = tok.encodePieces(part).ids();
            try (Tensor mask = backend.fromHost(ones(ids.length), 1, ids.length); Tensor pooled = backend.allocate(1, 384)) {
                Tensor h = model.forward(ids, null, new Pass(1, ids.length, mask, false, 0));
                backend.meanPoolForward(h.view(1, ids.length, 384), mask, pooled);
                float[] p = pooled.toArray();
                for (int j = 0; j < 384; j++) {
                    sum[j] += p[j] * part.size();
                }
            }
            total += part.size();
        }
        double sq = 0;
        for (int j = 0; j < 384; j++) {
            sum[j] /= total;
            sq += sum[j] * (double) sum[j];
        }
        for (int j = 0; j < 384; j++) {
            sum[j] /= (float) Math.sqrt(sq);
        }
        return sum;
    }

    static float[] ones(int n) {
        float[] f = new float[n];
        java.util.Arrays.fill(f, 1f);
        return f;
    }

    @Test
    void longTextsAreTruncatedAsTheTokenizerSaysOrSplitOrTruncatedOrRefused() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; sb.length() < 6_000; i++) {
            sb.append("Sentence number ").append(i).append(" of an unbelievably long, meandering review. ");
        }
        String longText = sb.toString();
        WordPieceTokenizer tok = BaseModel.miniLm().tokenizer();
        List<String> pieces = tok.tokenize(longText);
        assertTrue(pieces.size() > 1_100, "pieces: " + pieces.size());
        assertEquals(126, encoder.countTokens(longText), "MiniLM's tokenizer.json declares truncation at 128 tokens");

        try (BertModel model = BaseModel.miniLm().load(backend, 0f);
             TextEncoder split = TextEncoder.builder(BaseModel.miniLm()).backend(backend).longText(LongTextPolicy.SPLIT).build();
             TextEncoder truncate = TextEncoder.builder(BaseModel.miniLm()).backend(backend)
                     .longText(LongTextPolicy.TRUNCATE).build();
             TextEncoder fail = TextEncoder.builder(BaseModel.miniLm()).backend(backend).longText(LongTextPolicy.FAIL).build()) {
            assertArrayEquals(byHand(model, tok, List.of(pieces.subList(0, 126))), encoder.embed(longText), 1e-6f);
            List<List<String>> parts = WordPieceParts.split(pieces, 510);
            assertTrue(parts.size() >= 3);
            EncodedTexts s = split.embedWithCounts(List.of(longText, "short one"));
            assertEquals(pieces.size(), s.tokenCounts()[0]);
            assertArrayEquals(byHand(model, tok, parts), s.vectors()[0], 1e-6f);
            assertArrayEquals(byHand(model, tok, List.of(pieces.subList(0, 510))), truncate.embed(longText), 1e-6f);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fail.embed(longText));
            assertTrue(e.getMessage().contains(pieces.size() + " word pieces"), e.getMessage());
        }
    }

    @Test
    void aRequestLargerThanTheQueueIsRefusedWithAClearMessage() throws Exception {
        try (TextEncoder small = TextEncoder.builder(BaseModel.miniLm()).backend(backend)
                .batching(BatchingOptions.defaults().withQueueCapacity(3)).build()) {
            RejectedExecutionException e = assertThrows(RejectedExecutionException.class,
                    () -> small.embed(List.of("a", "b", "c", "d")));
            assertTrue(e.getMessage().contains("capacity of 3"), e.getMessage());
            assertEquals(3, small.embed(List.of("a", "b", "c")).length);
        }
    }

    @Test
    void aZeroBLoraChangesNothingAndAMergedLoraEqualsTheUnmergedOne(@TempDir Path dir) throws Exception {
        Path zero = dir.resolve("zero");
        Path trained = dir.resolve("trained");
        try (BertModel m = BaseModel.miniLm().load(backend, 0f)) {
            m.applyPlan(PeftPlan.lora(6, LoraSpec.defaults()), 1);
            AdapterIo.save(zero, AdapterModel.of(m), "all-MiniLM-L6-v2");
            SplittableRandom rng = new SplittableRandom(5);
            for (Parameter p : m.trainableParameters()) {
                if (p.name().contains("lora_B")) {
                    float[] v = new float[(int) p.numel()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (rng.nextGaussian() * 0.05);
                    }
                    p.value().copyFrom(v);
                }
            }
            AdapterIo.save(trained, AdapterModel.of(m), "all-MiniLM-L6-v2");
        }
        float[][] base = encoder.embed(TEXTS);
        try (TextEncoder withZero = TextEncoder.builder(BaseModel.miniLm()).backend(backend).adapter(zero).build();
             TextEncoder unmerged = TextEncoder.builder(BaseModel.miniLm()).backend(backend).adapter(trained).build();
             TextEncoder merged = TextEncoder.builder(BaseModel.miniLm()).backend(backend).adapter(trained)
                     .mergeLora(true).build()) {
            float[][] z = withZero.embed(TEXTS);
            for (int i = 0; i < TEXTS.size(); i++) {
                assertArrayEquals(base[i], z[i], "zero-B LoRA, text " + i);
            }
            float[][] u = unmerged.embed(TEXTS);
            float[][] mg = merged.embed(TEXTS);
            double moved = 0;
            for (int i = 0; i < TEXTS.size(); i++) {
                assertArrayEquals(u[i], mg[i], 1e-5f, "merged vs unmerged, text " + i);
                for (int j = 0; j < 384; j++) {
                    moved = Math.max(moved, Math.abs(u[i][j] - base[i][j]));
                }
            }
            assertTrue(moved > 1e-3, "the trained adapter must change the vectors; max change " + moved);
        }
    }

    /**
     * A prefix adapter Hugging Face peft saved numbers the tokens after its L prefix positions, so only 512 − L are
     * left for them: with L = 500, a long text is cut (or split) to what fits, where it would overrun the position
     * table if the encoder counted all 512.
     */
    @Test
    void aPeftPrefixLeavesFewerPositionsForTheText(@TempDir Path dir) throws Exception {
        int l = 500;
        int layers = 6;
        int d = 384;
        float[] prompt = new float[l * layers * 2 * d];
        SplittableRandom rng = new SplittableRandom(11);
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = (float) (rng.nextGaussian() * 0.05);
        }
        dev.peft4j.io.SafeTensors.write(dir.resolve(AdapterIo.WEIGHTS),
                java.util.Map.of("prompt_embeddings", new dev.peft4j.io.TensorData(new int[] {l, layers * 2 * d}, prompt)),
                java.util.Map.of("format", "pt"));
        java.nio.file.Files.writeString(dir.resolve(AdapterIo.CONFIG), "{\"peft_type\": \"PREFIX_TUNING\", "
                + "\"task_type\": \"FEATURE_EXTRACTION\", \"num_virtual_tokens\": " + l + ", \"token_dim\": " + d
                + ", \"num_layers\": " + layers + ", \"num_attention_heads\": 12, \"num_transformer_submodules\": 1, "
                + "\"prefix_projection\": false}");
        String longText = String.join(" ", Collections.nCopies(40, "words"));
        try (TextEncoder cut = TextEncoder.builder(BaseModel.miniLm()).backend(backend).adapter(dir)
                     .longText(LongTextPolicy.TRUNCATE).build();
             TextEncoder split = TextEncoder.builder(BaseModel.miniLm()).backend(backend).adapter(dir)
                     .longText(LongTextPolicy.SPLIT).build()) {
            for (float[] v : new float[][] {cut.embed(longText), split.embed(longText)}) {
                double norm = 0;
                for (float x : v) {
                    norm += x * x;
                }
                assertEquals(1, norm, 1e-4, "a unit vector");
            }
        }
    }
}
