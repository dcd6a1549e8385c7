package dev.peft4j.adapter;

import static dev.peft4j.adapter.Fixtures.BERT;
import static dev.peft4j.adapter.Fixtures.GPT2;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.io.SafeTensors;
import dev.peft4j.io.SafeTensorsContent;
import dev.peft4j.io.TensorData;
import dev.peft4j.model.BertConfig;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Gpt2Model;
import dev.peft4j.model.Parameter;
import dev.peft4j.model.Pass;
import dev.peft4j.model.Pooling;
import dev.peft4j.model.RandomWeights;
import dev.peft4j.model.SequenceClassifier;
import dev.peft4j.peft.AdapterSpec;
import dev.peft4j.peft.BitFitBias;
import dev.peft4j.peft.BitFitSpec;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.LoraTarget;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.peft.PrefixSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdapterIoTest {
    @TempDir
    Path dir;

    private static SequenceClassifier classifier(Backend be) {
        return new SequenceClassifier(BertModel.random(be, BERT, 1), 2, 2);
    }

    private static Gpt2Model gpt2(Backend be) {
        return Gpt2Model.create(be, GPT2, RandomWeights.gpt2(GPT2, 1));
    }

    private static JsonObject config(Path dir) throws Exception {
        return JsonParser.parseString(Files.readString(dir.resolve(AdapterIo.CONFIG))).getAsJsonObject();
    }

    private static Set<String> strings(JsonElement a) {
        Set<String> out = new HashSet<>();
        a.getAsJsonArray().forEach(e -> out.add(e.getAsString()));
        return out;
    }

    /** Saves the plan's randomised values, loads them into a fresh model; values and forward must be identical. */
    private PeftType roundTripClassifier(PeftPlan plan, Path d) throws Exception {
        try (Backend be = Backends.create("reference"); SequenceClassifier a = classifier(be); SequenceClassifier b = classifier(be)) {
            a.encoder().applyPlan(plan, 5);
            Fixtures.randomiseTrainable(a.parameters(), 6);
            PeftType type = AdapterIo.save(d, AdapterModel.of(a), "tiny-bert");
            assertEquals(plan, AdapterIo.load(d, AdapterModel.of(b), 99));
            assertEquals(plan, b.encoder().plan());
            List<Parameter> pa = a.trainableParameters();
            List<Parameter> pb = b.trainableParameters();
            assertEquals(pa.size(), pb.size());
            for (int i = 0; i < pa.size(); i++) {
                assertEquals(pa.get(i).name(), pb.get(i).name());
                assertArrayEquals(pa.get(i).value().toArray(), pb.get(i).value().toArray(), 0f, pa.get(i).name());
            }
            assertArrayEquals(Fixtures.logits(a), Fixtures.logits(b), 0f);
            return type;
        }
    }

    private PeftType roundTripGpt2(PeftPlan plan, Path d) throws Exception {
        try (Backend be = Backends.create("reference"); Gpt2Model a = gpt2(be); Gpt2Model b = gpt2(be)) {
            a.applyPlan(plan, 5);
            Fixtures.randomiseTrainable(a.parameters(), 6);
            PeftType type = AdapterIo.save(d, AdapterModel.of(a), "tiny-gpt2");
            assertEquals(plan, AdapterIo.load(d, AdapterModel.of(b), 99));
            List<Parameter> pa = a.trainableParameters();
            List<Parameter> pb = b.trainableParameters();
            for (int i = 0; i < pa.size(); i++) {
                assertArrayEquals(pa.get(i).value().toArray(), pb.get(i).value().toArray(), 0f, pa.get(i).name());
            }
            assertArrayEquals(Fixtures.logits(a), Fixtures.logits(b), 0f);
            return type;
        }
    }

    /**
     * The file peft writes for LoraConfig(r=8, lora_alpha=8, target_modules=["query", "value"]) on
     * BertForSequenceClassification. Key rules (peft's get_peft_model_state_dict): LoRA keys are the module's
     * state-dict names with the adapter name ".default" removed, under "base_model.model." (PeftModel → LoraModel →
     * the transformers model); the head is a modules_to_save wrapper, whose "classifier.modules_to_save.default.weight"
     * loses "modules_to_save." and ".default". Config: PeftModelForSequenceClassification appends "classifier" and
     * "score" to modules_to_save.
     */
    @Test
    void aLoraBertAdapterHasPeftsKeysAndConfigFields() throws Exception {
        try (Backend be = Backends.create("reference"); SequenceClassifier c = classifier(be)) {
            c.encoder().applyPlan(PeftPlan.lora(2, LoraSpec.defaults()), 1);
            assertEquals(PeftType.LORA, AdapterIo.save(dir, AdapterModel.of(c), "sentence-transformers/all-MiniLM-L6-v2"));
        }
        SafeTensorsContent content = SafeTensors.read(dir.resolve(AdapterIo.WEIGHTS));
        Map<String, int[]> expected = new HashMap<>();
        for (int layer = 0; layer < 2; layer++) {
            for (String m : new String[] {"query", "value"}) {
                String p = "base_model.model.bert.encoder.layer." + layer + ".attention.self." + m;
                expected.put(p + ".lora_A.weight", new int[] {8, 16});
                expected.put(p + ".lora_B.weight", new int[] {16, 8});
            }
        }
        expected.put("base_model.model.classifier.weight", new int[] {2, 16});
        expected.put("base_model.model.classifier.bias", new int[] {2});
        assertEquals(expected.keySet(), content.tensors().keySet());
        expected.forEach((k, s) -> assertArrayEquals(s, content.tensors().get(k).shape(), k));
        assertEquals(Map.of("format", "pt"), content.metadata());

        JsonObject c = config(dir);
        assertEquals("LORA", c.get("peft_type").getAsString());
        assertEquals("SEQ_CLS", c.get("task_type").getAsString());
        assertEquals("sentence-transformers/all-MiniLM-L6-v2", c.get("base_model_name_or_path").getAsString());
        assertEquals(8, c.get("r").getAsInt());
        assertEquals(8.0, c.get("lora_alpha").getAsDouble());
        assertEquals(0.0, c.get("lora_dropout").getAsDouble());
        assertEquals(Set.of("query", "value"), strings(c.get("target_modules")));
        assertEquals(false, c.get("use_rslora").getAsBoolean());
        assertEquals(false, c.get("fan_in_fan_out").getAsBoolean());
        assertEquals("none", c.get("bias").getAsString());
        assertEquals(Set.of("classifier", "score"), strings(c.get("modules_to_save")));
        assertEquals(new JsonObject(), c.get("rank_pattern"));
        assertEquals(new JsonObject(), c.get("alpha_pattern"));
        assertTrue(c.get("layers_to_transform").isJsonNull());
        assertTrue(c.get("inference_mode").getAsBoolean());
    }

    @Test
    void everyMethodAndAMixedPlanRoundTrip() throws Exception {
        LoraSpec r2 = new LoraSpec(2, 4f, false, 0.1f, EnumSet.of(LoraTarget.QUERY, LoraTarget.VALUE));
        LoraSpec r4 = new LoraSpec(4, 4f, true, 0.1f, EnumSet.of(LoraTarget.QUERY, LoraTarget.VALUE));
        assertEquals(PeftType.LORA, roundTripClassifier(new PeftPlan(List.of(LayerPlan.NONE.withLora(r2), LayerPlan.NONE.withLora(r4))),
                dir.resolve("lora")));
        JsonObject c = config(dir.resolve("lora"));
        assertEquals(4, c.getAsJsonObject("rank_pattern").get("bert.encoder.layer.1.attention.self.query").getAsInt());
        assertEquals(PeftType.LORA, roundTripClassifier(new PeftPlan(List.of(LayerPlan.NONE,
                LayerPlan.NONE.withLora(new LoraSpec(3, 6f, false, 0f, EnumSet.of(LoraTarget.FFN_OUT))))), dir.resolve("lora-ffn")));
        assertEquals(PeftType.IA3, roundTripClassifier(PeftPlan.uniform(2, LayerPlan.NONE.withIa3(true)), dir.resolve("ia3")));
        assertEquals(PeftType.PREFIX_TUNING, roundTripClassifier(PeftPlan.uniform(2, LayerPlan.NONE.withPrefix(new PrefixSpec(3))),
                dir.resolve("prefix")));
        assertEquals(PeftType.PEFT4J, roundTripClassifier(PeftPlan.uniform(2, LayerPlan.NONE
                .withAttnAdapter(new AdapterSpec(4, Activation.SWISH, 1f, false))
                .withFfnAdapter(new AdapterSpec(3, Activation.RELU, 1f, false))), dir.resolve("serial")));
        assertEquals(PeftType.PEFT4J, roundTripClassifier(PeftPlan.uniform(2, LayerPlan.NONE
                .withParallelAdapter(new AdapterSpec(4, Activation.RELU, 4f, true))), dir.resolve("parallel")));
        assertEquals(PeftType.PEFT4J, roundTripClassifier(PeftPlan.uniform(2, LayerPlan.NONE.withBitfit(true)), dir.resolve("bitfit")));
        assertEquals(PeftType.PEFT4J, roundTripClassifier(new PeftPlan(List.of(LayerPlan.NONE.withBitfit(BitFitSpec.QUERY_FFN_IN),
                LayerPlan.NONE.withBitfit(BitFitSpec.of(BitFitBias.LAYER_NORM, BitFitBias.VALUE)))), dir.resolve("bitfit-some")));
        SafeTensorsContent some = SafeTensors.read(dir.resolve("bitfit-some").resolve(AdapterIo.WEIGHTS));
        String l0 = "base_model.model.bert.encoder.layer.0.";
        String l1 = "base_model.model.bert.encoder.layer.1.";
        assertTrue(some.tensors().containsKey(l0 + "attention.self.query.bias") && some.tensors().containsKey(l0 + "intermediate.dense.bias")
                && some.tensors().containsKey(l1 + "output.LayerNorm.bias") && some.tensors().containsKey(l1 + "attention.self.value.bias"));
        assertFalse(some.tensors().containsKey(l0 + "attention.self.key.bias") || some.tensors().containsKey(l1 + "attention.self.query.bias"));
        PeftPlan mixed = new PeftPlan(List.of(
                LayerPlan.NONE.withLora(new LoraSpec(2, 4f, false, 0f, EnumSet.allOf(LoraTarget.class)))
                        .withAttnAdapter(new AdapterSpec(3, Activation.SWISH, 1f, false)).withPrefix(new PrefixSpec(2)).withIa3(true),
                LayerPlan.NONE.withLora(new LoraSpec(3, 6f, true, 0f, EnumSet.of(LoraTarget.QUERY, LoraTarget.VALUE)))
                        .withParallelAdapter(new AdapterSpec(4, Activation.GELU, 2f, true)).withPrefix(new PrefixSpec(4)).withBitfit(true)));
        assertEquals(PeftType.PEFT4J, roundTripClassifier(mixed, dir.resolve("mixed")));
        SafeTensorsContent content = SafeTensors.read(dir.resolve("mixed").resolve(AdapterIo.WEIGHTS));
        assertArrayEquals(new int[] {16, 1}, content.get("base_model.model.bert.encoder.layer.0.attention.self.key.ia3_l").shape());
        assertArrayEquals(new int[] {1, 24}, content.get("base_model.model.bert.encoder.layer.0.output.dense.ia3_l").shape());
        assertArrayEquals(new int[] {4, 16}, content.get("base_model.model.bert.encoder.layer.1.attention.self.prefix_k").shape());
        assertTrue(content.tensors().containsKey("base_model.model.bert.encoder.layer.1.attention.output.dense.bias"));
    }

    @Test
    void gpt2MethodsRoundTripAndCAttnLoraUsesTheBlockLayout() throws Exception {
        LoraSpec qv = new LoraSpec(2, 4f, false, 0f, EnumSet.of(LoraTarget.QUERY, LoraTarget.VALUE, LoraTarget.ATTENTION_OUTPUT));
        assertEquals(PeftType.LORA, roundTripGpt2(PeftPlan.lora(2, qv), dir.resolve("lora")));
        SafeTensorsContent content = SafeTensors.read(dir.resolve("lora").resolve(AdapterIo.WEIGHTS));
        String p = "base_model.model.transformer.h.0.attn.";
        assertArrayEquals(new int[] {4, 12}, content.get(p + "c_attn.lora_A.weight").shape());
        assertArrayEquals(new int[] {36, 4}, content.get(p + "c_attn.lora_B.weight").shape());
        assertArrayEquals(new int[] {2, 12}, content.get(p + "c_proj.lora_A.weight").shape());
        JsonObject c = config(dir.resolve("lora"));
        assertTrue(c.get("fan_in_fan_out").getAsBoolean());
        assertEquals(Set.of("c_attn", "attn.c_proj"), strings(c.get("target_modules")));
        // c_attn holds q and v as rank 2·2 = 4; peft's scale α'/4 must equal ours 4/2, so α' = 8.
        assertEquals(4, c.getAsJsonObject("rank_pattern").get("transformer.h.0.attn.c_attn").getAsInt());
        assertEquals(8.0, c.getAsJsonObject("alpha_pattern").get("transformer.h.0.attn.c_attn").getAsDouble(), 1e-12);
        assertEquals(PeftType.IA3, roundTripGpt2(PeftPlan.uniform(2, LayerPlan.NONE.withIa3(true)), dir.resolve("ia3")));
        assertEquals(PeftType.PREFIX_TUNING, roundTripGpt2(PeftPlan.uniform(2, LayerPlan.NONE.withPrefix(new PrefixSpec(2))),
                dir.resolve("prefix")));
    }

    /**
     * A LoRA on c_attn as peft trains it (one A [R,d], B [3d,R], fan_in_fan_out): loading it must give the forward
     * of the base model whose Conv1D weight [d,3d] got peft's merge W += s·(B A)ᵀ.
     */
    @Test
    void apeftGpt2CAttnLoraLoadsWithTheSameForwardAsPeftsMerge() throws Exception {
        int d = 12;
        int r = 3;
        float alpha = 6f;
        java.util.SplittableRandom rng = new java.util.SplittableRandom(4);
        Map<String, TensorData> base = RandomWeights.gpt2(GPT2, 1);
        Map<String, TensorData> merged = new HashMap<>(base);
        Map<String, TensorData> file = new HashMap<>();
        for (int layer = 0; layer < 2; layer++) {
            float[] a = new float[r * d];
            float[] b = new float[3 * d * r];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) rng.nextGaussian();
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) (rng.nextGaussian() * 0.1);
            }
            String k = "base_model.model.transformer.h." + layer + ".attn.c_attn.";
            file.put(k + "lora_A.weight", new TensorData(new int[] {r, d}, a));
            file.put(k + "lora_B.weight", new TensorData(new int[] {3 * d, r}, b));
            float[] w = base.get("h." + layer + ".attn.c_attn.weight").data().clone(); // [d, 3d]
            for (int in = 0; in < d; in++) {
                for (int out = 0; out < 3 * d; out++) {
                    double s = 0;
                    for (int j = 0; j < r; j++) {
                        s += (double) b[out * r + j] * a[j * d + in];
                    }
                    w[in * 3 * d + out] += (float) (alpha / r * s);
                }
            }
            merged.put("h." + layer + ".attn.c_attn.weight", new TensorData(new int[] {d, 3 * d}, w));
        }
        Fixtures.writeTensors(dir.resolve(AdapterIo.WEIGHTS), file);
        JsonObject c = new JsonObject();
        c.addProperty("peft_type", "LORA");
        c.addProperty("task_type", "CAUSAL_LM");
        c.addProperty("r", r);
        c.addProperty("lora_alpha", alpha);
        c.addProperty("fan_in_fan_out", true);
        c.addProperty("bias", "none");
        Fixtures.writeJson(dir.resolve(AdapterIo.CONFIG), c);
        try (Backend be = Backends.create("reference"); Gpt2Model m = gpt2(be); Gpt2Model ref = Gpt2Model.create(be, GPT2, merged)) {
            PeftPlan plan = AdapterIo.load(dir, AdapterModel.of(m), 1);
            assertEquals(EnumSet.of(LoraTarget.QUERY, LoraTarget.KEY, LoraTarget.VALUE), plan.layer(0).lora().targets());
            double err = Fixtures.relativeError(Fixtures.logits(m), Fixtures.logits(ref));
            assertTrue(err <= 1e-5, "peft c_attn LoRA vs merged reference: " + err);
        }
    }

    /** peft's prompt_embeddings [L, layers·2·d]: column block 2i is layer i's keys, 2i+1 its values. */
    @Test
    void peftPromptEmbeddingsMapToPerLayerPrefixes() throws Exception {
        int l = 2;
        int d = 16;
        float[] e = new float[l * 2 * 2 * d];
        for (int i = 0; i < e.length; i++) {
            e[i] = i;
        }
        Fixtures.writeTensors(dir.resolve(AdapterIo.WEIGHTS), Map.of("prompt_embeddings", new TensorData(new int[] {l, 4 * d}, e)));
        JsonObject c = new JsonObject();
        c.addProperty("peft_type", "PREFIX_TUNING");
        c.addProperty("task_type", "FEATURE_EXTRACTION");
        c.addProperty("num_virtual_tokens", l);
        c.addProperty("token_dim", d);
        c.addProperty("num_layers", 2);
        c.addProperty("num_attention_heads", 2);
        c.addProperty("num_transformer_submodules", 1);
        Fixtures.writeJson(dir.resolve(AdapterIo.CONFIG), c);
        try (Backend be = Backends.create("reference"); BertModel m = BertModel.random(be, BERT, 1)) {
            AdapterIo.load(dir, AdapterModel.of(m), 1);
            float[] v1 = m.parameter("encoder.layer.1.attention.self.prefix_v").value().toArray();
            // row 1, layer 1, value → column block 3: element [1, 3·d + j] = 1·4d + 3d + j
            assertEquals(4 * d + 3 * d + 5, v1[d + 5]);
            float[] k0 = m.parameter("encoder.layer.0.attention.self.prefix_k").value().toArray();
            assertEquals(7, k0[7]);
            assertEquals(l, m.positionOffset(), "transformers numbers the tokens after a peft prefix");
        }
    }

    /**
     * A PREFIX_TUNING classifier's head is saved as peft saves a prompt-learning model's modules_to_save,
     * {@code base_model.classifier.*}; a file with it under {@code base_model.model.} (peft4j's earlier layout) loads
     * to the same logits.
     */
    @Test
    void aPrefixClassifiersHeadIsUnderBaseModelAsPeftSavesIt() throws Exception {
        Path d = dir.resolve("prefix-head");
        PeftPlan plan = PeftPlan.uniform(2, LayerPlan.NONE.withPrefix(new PrefixSpec(3)));
        try (Backend be = Backends.create("reference"); SequenceClassifier a = classifier(be);
             SequenceClassifier b = classifier(be)) {
            a.encoder().applyPlan(plan, 5);
            Fixtures.randomiseTrainable(a.parameters(), 6);
            AdapterIo.save(d, AdapterModel.of(a), "tiny-bert");
            Map<String, TensorData> saved = SafeTensors.read(d.resolve(AdapterIo.WEIGHTS)).tensors();
            assertEquals(Set.of("prompt_embeddings", "base_model.classifier.weight", "base_model.classifier.bias"),
                    saved.keySet());
            Map<String, TensorData> earlier = new HashMap<>();
            saved.forEach((k, v) -> earlier.put(k.replace("base_model.classifier.", "base_model.model.classifier."), v));
            Fixtures.writeTensors(d.resolve(AdapterIo.WEIGHTS), earlier);
            AdapterIo.load(d, AdapterModel.of(b), 99);
            assertArrayEquals(Fixtures.logits(a), Fixtures.logits(b), 0f);
        }
    }

    /**
     * peft4j's own prefix file keeps the tokens' positions where the model had them ({@code peft4j.position_offset},
     * 0 when absent); an offset that leaves no position for a token is refused by name.
     */
    @Test
    void positionOffsetRoundTripsAndIsChecked() throws Exception {
        PeftPlan plan = PeftPlan.uniform(2, LayerPlan.NONE.withPrefix(new PrefixSpec(3)));
        Path fromZero = dir.resolve("from-zero");
        Path shifted = dir.resolve("shifted");
        try (Backend be = Backends.create("reference"); SequenceClassifier a = classifier(be);
             SequenceClassifier b = classifier(be); SequenceClassifier c = classifier(be)) {
            a.encoder().applyPlan(plan, 5);
            Fixtures.randomiseTrainable(a.parameters(), 6);
            AdapterIo.save(fromZero, AdapterModel.of(a), "tiny-bert");
            assertFalse(config(fromZero).getAsJsonObject("peft4j").has("position_offset"));
            a.encoder().setPositionOffset(3);
            AdapterIo.save(shifted, AdapterModel.of(a), "tiny-bert");
            assertEquals(3, config(shifted).getAsJsonObject("peft4j").get("position_offset").getAsInt());
            AdapterIo.load(shifted, AdapterModel.of(b), 99);
            assertEquals(3, b.encoder().positionOffset());
            assertArrayEquals(Fixtures.logits(a), Fixtures.logits(b), 0f);
            AdapterIo.load(fromZero, AdapterModel.of(c), 99);
            assertEquals(0, c.encoder().positionOffset());
        }
        for (int bad : new int[] {-1, Fixtures.BERT.maxPositions()}) {
            JsonObject cfg = config(shifted);
            cfg.getAsJsonObject("peft4j").addProperty("position_offset", bad);
            Fixtures.writeJson(shifted.resolve(AdapterIo.CONFIG), cfg);
            try (Backend be = Backends.create("reference"); SequenceClassifier m = classifier(be)) {
                Exception e = assertThrows(AdapterFormatException.class, () -> AdapterIo.load(shifted, AdapterModel.of(m), 1));
                Fixtures.assertMessageNames(e, AdapterIo.CONFIG, "position_offset", String.valueOf(bad));
            }
        }
        // the exchange: a prefix trained with the tokens after it, saved, and read as Hugging Face peft's file (the
        // peft4j section dropped, as peft ignores it) numbers them alike and gives the same states
        Path exported = dir.resolve("exported");
        try (Backend be = Backends.create("reference"); BertModel a = BertModel.random(be, BERT, 1);
             BertModel b = BertModel.random(be, BERT, 1)) {
            a.applyPlan(plan, 5);
            Fixtures.randomiseTrainable(a.parameters(), 6);
            a.setPositionOffset(3);
            AdapterIo.save(exported, AdapterModel.of(a), "tiny-bert");
            JsonObject cfg = config(exported);
            cfg.remove("peft4j");
            Fixtures.writeJson(exported.resolve(AdapterIo.CONFIG), cfg);
            AdapterIo.load(exported, AdapterModel.of(b), 99);
            assertEquals(3, b.positionOffset());
            Pass pass = new Pass(1, 5, null, false, 0);
            int[] ids = {2, 7, 9, 11, 3};
            assertArrayEquals(a.forward(ids, null, pass).toArray(), b.forward(ids, null, pass).toArray(), 0f);
        }
        // a sequence that does not fit after the offset: the forward says so before any kernel runs
        try (Backend be = Backends.create("reference"); SequenceClassifier m = classifier(be)) {
            m.encoder().setPositionOffset(Fixtures.BERT.maxPositions() - 4);
            Exception e = assertThrows(IllegalArgumentException.class, () -> Fixtures.logits(m));
            assertTrue(e.getMessage().contains("sequence length 5 after 8 prefix positions exceeds the model's 12"),
                    e.getMessage());
        }
    }

    @Test
    void peftsBertIa3DefaultWithIdentityOnAttentionOutputLoads() throws Exception {
        Map<String, TensorData> file = new HashMap<>();
        for (int layer = 0; layer < 2; layer++) {
            String p = "base_model.model.encoder.layer." + layer + ".";
            file.put(p + "attention.self.key.ia3_l", new TensorData(new int[] {16, 1}, filled(16, 1.5f)));
            file.put(p + "attention.self.value.ia3_l", new TensorData(new int[] {16, 1}, filled(16, 0.5f)));
            file.put(p + "output.dense.ia3_l", new TensorData(new int[] {1, 24}, filled(24, 2f)));
            file.put(p + "attention.output.dense.ia3_l", new TensorData(new int[] {1, 16}, filled(16, 1f)));
        }
        Fixtures.writeTensors(dir.resolve(AdapterIo.WEIGHTS), file);
        JsonObject c = new JsonObject();
        c.addProperty("peft_type", "IA3");
        Fixtures.writeJson(dir.resolve(AdapterIo.CONFIG), c);
        try (Backend be = Backends.create("reference"); BertModel m = BertModel.random(be, BERT, 1)) {
            AdapterIo.load(dir, AdapterModel.of(m), 1);
            assertArrayEquals(filled(24, 2f), m.parameter("encoder.layer.1.intermediate.ia3_ff").value().toArray(), 0f);
        }
        file.put("base_model.model.encoder.layer.0.attention.output.dense.ia3_l", new TensorData(new int[] {1, 16}, filled(16, 3f)));
        Fixtures.writeTensors(dir.resolve(AdapterIo.WEIGHTS), file);
        try (Backend be = Backends.create("reference"); BertModel m = BertModel.random(be, BERT, 1)) {
            Exception e = assertThrows(AdapterFormatException.class, () -> AdapterIo.load(dir, AdapterModel.of(m), 1));
            Fixtures.assertMessageNames(e, AdapterIo.WEIGHTS, "layer.0.attention.output.dense.ia3_l");
        }
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    /** A LoRA classifier (the MEAN-pooled fixture) saved under dir/name. */
    private Path savedLoraClassifier(String name) throws Exception {
        Path d = dir.resolve(name);
        try (Backend be = Backends.create("reference"); SequenceClassifier c = classifier(be)) {
            c.encoder().applyPlan(PeftPlan.lora(2, LoraSpec.defaults()), 1);
            AdapterIo.save(d, AdapterModel.of(c), null);
        }
        return d;
    }

    @Test
    void mismatchesAreErrorsNamingFileAndKey() throws Exception {
        Path good = savedLoraClassifier("good");
        Map<String, TensorData> tensors = new HashMap<>(SafeTensors.read(good.resolve(AdapterIo.WEIGHTS)).tensors());
        String key = "base_model.model.bert.encoder.layer.1.attention.self.value.lora_B.weight";

        Map<String, TensorData> missing = new HashMap<>(tensors);
        missing.remove(key);
        assertLoadFails(good, missing, null, AdapterIo.WEIGHTS, key, "missing");

        Map<String, TensorData> misshapen = new HashMap<>(tensors);
        misshapen.put(key, new TensorData(new int[] {8, 16}, new float[128]));
        assertLoadFails(good, misshapen, null, AdapterIo.WEIGHTS, key, "[8, 16]", "[16, 8]");

        Map<String, TensorData> extra = new HashMap<>(tensors);
        extra.put("base_model.model.bert.pooler.dense.lora_A.weight", new TensorData(new int[] {8, 16}, new float[128]));
        assertLoadFails(good, extra, null, AdapterIo.WEIGHTS, "pooler.dense.lora_A.weight");

        JsonObject cfg = config(good);
        cfg.addProperty("peft_type", "LOHA");
        assertLoadFails(good, tensors, cfg, AdapterIo.CONFIG, "peft_type", "LOHA");

        Files.writeString(good.resolve(AdapterIo.WEIGHTS), "truncated");
        try (Backend be = Backends.create("reference"); SequenceClassifier c = classifier(be)) {
            Exception e = assertThrows(java.io.IOException.class, () -> AdapterIo.load(good, AdapterModel.of(c), 1));
            Fixtures.assertMessageNames(e, AdapterIo.WEIGHTS);
        }
    }

    /**
     * A saved head is refused over another pooling than the one it was trained on: peft4j's own files say which
     * (peft4j.pooling), and a file Hugging Face peft wrote (no peft4j section) was trained on transformers' pooler.
     */
    @Test
    void aHeadLoadsOnlyOverThePoolingItWasTrainedOn() throws Exception {
        Path good = savedLoraClassifier("mean");
        JsonObject cfg = config(good);
        assertEquals("MEAN", cfg.getAsJsonObject("peft4j").get("pooling").getAsString());
        BertConfig cls = new BertConfig(30, 16, 2, 2, 24, 12, 2, 1e-12f, Activation.GELU, 0f, Pooling.CLS);
        try (Backend be = Backends.create("reference");
             SequenceClassifier c = new SequenceClassifier(BertModel.random(be, cls, 1), 2, 2)) {
            Exception e = assertThrows(AdapterFormatException.class, () -> AdapterIo.load(good, AdapterModel.of(c), 1));
            Fixtures.assertMessageNames(e, AdapterIo.CONFIG, "peft4j.pooling", "MEAN", "CLS");
        }
        JsonObject peftsOwn = config(good);
        peftsOwn.remove("peft4j");
        Path foreign = dir.resolve("foreign");
        Files.createDirectories(foreign);
        Files.copy(good.resolve(AdapterIo.WEIGHTS), foreign.resolve(AdapterIo.WEIGHTS));
        Fixtures.writeJson(foreign.resolve(AdapterIo.CONFIG), peftsOwn);
        try (Backend be = Backends.create("reference"); SequenceClassifier c = classifier(be)) {
            Exception e = assertThrows(AdapterFormatException.class, () -> AdapterIo.load(foreign, AdapterModel.of(c), 1));
            Fixtures.assertMessageNames(e, AdapterIo.CONFIG, "Hugging Face peft", "pooler", "MEAN", "POOLER");
        }
        BertConfig pooled = new BertConfig(30, 16, 2, 2, 24, 12, 2, 1e-12f, Activation.GELU, 0f, Pooling.POOLER);
        try (Backend be = Backends.create("reference");
             SequenceClassifier c = new SequenceClassifier(BertModel.random(be, pooled, 1), 2, 2)) {
            AdapterIo.load(foreign, AdapterModel.of(c), 1); // transformers' head over transformers' pooling
        }
    }

    private void assertLoadFails(Path good, Map<String, TensorData> tensors, JsonObject cfg, String... parts) throws Exception {
        Path bad = Files.createTempDirectory(dir, "bad");
        Fixtures.writeTensors(bad.resolve(AdapterIo.WEIGHTS), tensors);
        if (cfg == null) {
            Files.copy(good.resolve(AdapterIo.CONFIG), bad.resolve(AdapterIo.CONFIG));
        } else {
            Fixtures.writeJson(bad.resolve(AdapterIo.CONFIG), cfg);
        }
        try (Backend be = Backends.create("reference"); SequenceClassifier c = classifier(be)) {
            Exception e = assertThrows(AdapterFormatException.class, () -> AdapterIo.load(bad, AdapterModel.of(c), 1));
            Fixtures.assertMessageNames(e, parts);
        }
    }
}
