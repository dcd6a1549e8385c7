package dev.peft4j.adapter;

import static dev.peft4j.adapter.Fixtures.BERT;
import static dev.peft4j.adapter.Fixtures.GPT2;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.io.TensorData;
import dev.peft4j.model.BertConfig;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Gpt2Model;
import dev.peft4j.model.LoraMerge;
import dev.peft4j.model.Pass;
import dev.peft4j.model.Pooling;
import dev.peft4j.model.RandomWeights;
import dev.peft4j.model.SequenceClassifier;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.LoraTarget;
import dev.peft4j.peft.PeftPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfCheckpointTest {
    @TempDir
    Path dir;

    private static float[] hidden(BertModel m) {
        return m.forward(Fixtures.batch().ids(), null, new Pass(2, 5, null, false, 0)).toArray();
    }

    @Test
    void bertClassificationFolderWithPrefixLoadsTheSameModelAsCreate() throws Exception {
        Map<String, TensorData> w = RandomWeights.bert(BERT, 3);
        Map<String, TensorData> file = new HashMap<>();
        w.forEach((k, v) -> file.put("bert." + k, v));
        file.put("bert.pooler.dense.weight", new TensorData(new int[] {16, 16}, new float[256])); // unused by our heads
        file.put("bert.pooler.dense.bias", new TensorData(new int[] {16}, new float[16]));
        float[] cw = new float[3 * 16];
        for (int i = 0; i < cw.length; i++) {
            cw[i] = (i % 7 - 3) * 0.05f;
        }
        file.put("classifier.weight", new TensorData(new int[] {3, 16}, cw));
        file.put("classifier.bias", new TensorData(new int[] {3}, new float[] {0.1f, -0.2f, 0.3f}));
        Fixtures.writeJson(dir.resolve("config.json"), Fixtures.bertConfigJson(BERT));
        Fixtures.writeTensors(dir.resolve("model.safetensors"), file);
        Files.writeString(dir.resolve("tokenizer.json"), "{}");

        HfCheckpoint ckpt = HfCheckpoint.read(dir);
        assertEquals(HfCheckpoint.Kind.BERT, ckpt.kind());
        assertEquals(BERT, ckpt.bertConfig());
        assertEquals(3, ckpt.numLabels());
        assertTrue(ckpt.tokenizerJson().isPresent());
        try (Backend be = Backends.create("reference");
             BertModel loaded = ckpt.bert(be);
             BertModel direct = BertModel.create(be, BERT, w)) {
            for (Map.Entry<String, TensorData> e : w.entrySet()) {
                assertArrayEquals(e.getValue().data(), loaded.parameter(e.getKey()).value().toArray(), 0f, e.getKey());
            }
            assertArrayEquals(hidden(direct), hidden(loaded), 0f);
        }
        try (Backend be = Backends.create("reference"); SequenceClassifier c = ckpt.classifier(be)) {
            assertEquals(3, c.numLabels());
            assertArrayEquals(cw, c.parameters().stream().filter(p -> p.name().equals("classifier.weight")).findFirst()
                    .orElseThrow().value().toArray(), 0f);
        }
    }

    /** A folder as transformers saves BertForSequenceClassification: "bert." names, pooler, head, no peft4j field. */
    private Path transformersClassifier(String name, boolean withPooler) throws Exception {
        Path d = Files.createDirectory(dir.resolve(name));
        BertConfig pooled = withPooling(BERT, Pooling.POOLER);
        Map<String, TensorData> file = new HashMap<>();
        RandomWeights.bert(pooled, 3).forEach((k, v) -> file.put("bert." + k, v));
        float[] wp = file.get("bert.pooler.dense.weight").data().clone();
        for (int i = 0; i < wp.length; i++) {
            wp[i] *= 40f; // far from tanh's linear range
        }
        file.put("bert.pooler.dense.weight", new TensorData(new int[] {16, 16}, wp));
        if (!withPooler) {
            file.remove("bert.pooler.dense.weight");
            file.remove("bert.pooler.dense.bias");
        }
        float[] cw = new float[3 * 16];
        for (int i = 0; i < cw.length; i++) {
            cw[i] = (i % 7 - 3) * 0.05f;
        }
        file.put("classifier.weight", new TensorData(new int[] {3, 16}, cw));
        file.put("classifier.bias", new TensorData(new int[] {3}, new float[] {0.1f, -0.2f, 0.3f}));
        JsonObject cfg = Fixtures.bertConfigJson(BERT);
        cfg.remove("peft4j_pooling");
        Fixtures.writeJson(d.resolve("config.json"), cfg);
        Fixtures.writeTensors(d.resolve("model.safetensors"), file);
        return d;
    }

    private static BertConfig withPooling(BertConfig c, Pooling pooling) {
        return new BertConfig(c.vocabSize(), c.hidden(), c.layers(), c.heads(), c.intermediate(), c.maxPositions(),
                c.typeVocabSize(), c.layerNormEps(), c.activation(), c.hiddenDropout(), pooling);
    }

    /**
     * transformers' head reads tanh(h_cls W_pᵀ + b_p): a classifier checkpoint without peft4j's pooling field pools
     * through its pooler (not the bare [CLS] row), and saving it keeps the pooler and says so.
     */
    @Test
    void transformersClassifierPoolsThroughItsPoolerAndSavesIt() throws Exception {
        HfCheckpoint ckpt = HfCheckpoint.read(transformersClassifier("hf", true));
        assertEquals(Pooling.POOLER, ckpt.bertConfig().pooling());
        try (Backend be = Backends.create("reference"); SequenceClassifier c = ckpt.classifier(be)) {
            float[] pooled = Fixtures.logits(c);
            try (SequenceClassifier bare = HfCheckpoint.read(withField(ckpt.directory(), "CLS")).classifier(be)) {
                float[] cls = Fixtures.logits(bare);
                double diff = 0;
                for (int i = 0; i < cls.length; i++) {
                    diff = Math.max(diff, Math.abs(cls[i] - pooled[i]));
                }
                assertTrue(diff > 1e-2, "the pooler should change the logits, largest difference " + diff);
            }
            Path saved = dir.resolve("saved");
            HfCheckpoint.save(saved, c);
            HfCheckpoint back = HfCheckpoint.read(saved);
            assertEquals(Pooling.POOLER, back.bertConfig().pooling());
            try (SequenceClassifier again = back.classifier(be)) {
                assertArrayEquals(pooled, Fixtures.logits(again), 0f);
            }
        }
    }

    /** The same folder with config.json's peft4j_pooling set. */
    private Path withField(Path folder, String pooling) throws Exception {
        Path d = Files.createDirectory(dir.resolve(folder.getFileName() + "-" + pooling));
        Files.copy(folder.resolve("model.safetensors"), d.resolve("model.safetensors"));
        JsonObject cfg = Fixtures.bertConfigJson(withPooling(BERT, Pooling.valueOf(pooling)));
        Fixtures.writeJson(d.resolve("config.json"), cfg);
        return d;
    }

    @Test
    void transformersClassifierWithoutPoolerIsRefusedByName() throws Exception {
        HfCheckpoint ckpt = HfCheckpoint.read(transformersClassifier("nopooler", false));
        try (Backend be = Backends.create("reference")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ckpt.classifier(be));
            assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("pooler.dense.weight"),
                    e.getMessage());
        }
    }

    @Test
    void bertModelFolderWithoutPrefixLoads() throws Exception {
        Map<String, TensorData> w = RandomWeights.bert(BERT, 4);
        Fixtures.writeJson(dir.resolve("config.json"), Fixtures.bertConfigJson(BERT));
        Fixtures.writeTensors(dir.resolve("model.safetensors"), w);
        HfCheckpoint ckpt = HfCheckpoint.read(dir);
        assertEquals(0, ckpt.numLabels());
        assertTrue(ckpt.tokenizerJson().isEmpty());
        try (Backend be = Backends.create("reference"); BertModel a = ckpt.bert(be); BertModel b = BertModel.create(be, BERT, w)) {
            assertArrayEquals(hidden(b), hidden(a), 0f);
        }
    }

    @Test
    void gpt2FolderWithAndWithoutTransformerPrefixLoads() throws Exception {
        Map<String, TensorData> w = RandomWeights.gpt2(GPT2, 5);
        for (String prefix : new String[] {"", "transformer."}) {
            Path d = Files.createDirectory(dir.resolve("gpt2" + prefix.length()));
            Map<String, TensorData> file = new HashMap<>();
            w.forEach((k, v) -> file.put(prefix + k, v));
            file.put("lm_head.weight", w.get("wte.weight")); // tied head, as GPT2LMHeadModel saves it
            Fixtures.writeJson(d.resolve("config.json"), Fixtures.gpt2ConfigJson(GPT2));
            Fixtures.writeTensors(d.resolve("model.safetensors"), file);
            HfCheckpoint ckpt = HfCheckpoint.read(d);
            assertEquals(GPT2, ckpt.gpt2Config());
            try (Backend be = Backends.create("reference"); Gpt2Model a = ckpt.gpt2(be); Gpt2Model b = Gpt2Model.create(be, GPT2, w)) {
                assertArrayEquals(Fixtures.logits(b), Fixtures.logits(a), 0f);
            }
        }
    }

    @Test
    void badConfigsNameTheFileAndField() throws Exception {
        Fixtures.writeTensors(dir.resolve("model.safetensors"), RandomWeights.bert(BERT, 1));
        JsonObject c = Fixtures.bertConfigJson(BERT);
        c.remove("num_attention_heads");
        Fixtures.writeJson(dir.resolve("config.json"), c);
        Exception e = assertThrows(AdapterFormatException.class, () -> HfCheckpoint.read(dir));
        Fixtures.assertMessageNames(e, "config.json", "num_attention_heads");

        c = Fixtures.bertConfigJson(BERT);
        c.addProperty("hidden_act", "mish");
        Fixtures.writeJson(dir.resolve("config.json"), c);
        e = assertThrows(AdapterFormatException.class, () -> HfCheckpoint.read(dir));
        Fixtures.assertMessageNames(e, "config.json", "hidden_act", "mish");

        c = Fixtures.bertConfigJson(BERT);
        c.addProperty("hidden_size", "wide");
        Fixtures.writeJson(dir.resolve("config.json"), c);
        e = assertThrows(AdapterFormatException.class, () -> HfCheckpoint.read(dir));
        Fixtures.assertMessageNames(e, "config.json", "hidden_size");

        Fixtures.writeJson(dir.resolve("config.json"), Fixtures.bertConfigJson(BERT));
        Files.delete(dir.resolve("model.safetensors"));
        e = assertThrows(AdapterFormatException.class, () -> HfCheckpoint.read(dir));
        Fixtures.assertMessageNames(e, "model.safetensors");
    }

    @Test
    void aMergedLoraClassifierRoundTripsThroughItsOwnFolder() throws Exception {
        try (Backend be = Backends.create("reference");
             SequenceClassifier c = new SequenceClassifier(BertModel.random(be, BERT, 7), 2, 8)) {
            c.encoder().applyPlan(PeftPlan.lora(2, new LoraSpec(4, 8f, false, 0f, EnumSet.allOf(LoraTarget.class))), 9);
            Fixtures.randomiseTrainable(c.parameters(), 10);
            float[] lora = Fixtures.logits(c);
            assertThrows(IllegalStateException.class, () -> HfCheckpoint.save(dir, c), "unmerged LoRA is refused");
            LoraMerge.merge(c.encoder());
            float[] merged = Fixtures.logits(c);
            assertTrue(Fixtures.relativeError(merged, lora) <= 1e-5, "merged vs LoRA: " + Fixtures.relativeError(merged, lora));
            HfCheckpoint.save(dir, c);
            HfCheckpoint ckpt = HfCheckpoint.read(dir);
            assertEquals(BERT, ckpt.bertConfig());
            try (SequenceClassifier back = ckpt.classifier(be)) {
                assertArrayEquals(merged, Fixtures.logits(back), 0f);
            }
        }
    }

    @Test
    void aMergedGpt2RoundTripsThroughItsOwnFolder() throws Exception {
        try (Backend be = Backends.create("reference"); Gpt2Model m = Gpt2Model.create(be, GPT2, RandomWeights.gpt2(GPT2, 2))) {
            m.applyPlan(PeftPlan.lora(2, new LoraSpec(2, 4f, true, 0f, EnumSet.allOf(LoraTarget.class))), 3);
            Fixtures.randomiseTrainable(m.parameters(), 4);
            float[] lora = Fixtures.logits(m);
            LoraMerge.merge(m);
            float[] merged = Fixtures.logits(m);
            assertTrue(Fixtures.relativeError(merged, lora) <= 1e-5, "merged vs LoRA: " + Fixtures.relativeError(merged, lora));
            HfCheckpoint.save(dir, m);
            try (Gpt2Model back = HfCheckpoint.read(dir).gpt2(be)) {
                assertArrayEquals(merged, Fixtures.logits(back), 0f);
            }
        }
    }
}
