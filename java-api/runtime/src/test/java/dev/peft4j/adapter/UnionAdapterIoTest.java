package dev.peft4j.adapter;

import static dev.peft4j.adapter.Fixtures.BERT;
import static dev.peft4j.adapter.Fixtures.GPT2;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.io.SafeTensors;
import dev.peft4j.io.SafeTensorsContent;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Gpt2Model;
import dev.peft4j.model.Parameter;
import dev.peft4j.model.RandomWeights;
import dev.peft4j.model.SequenceClassifier;
import dev.peft4j.peft.AdapterSpec;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.peft.PrefixSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saving and loading gated unions, and prefix models whose MLP reparameterisation was dropped. */
class UnionAdapterIoTest {
    @TempDir
    Path dir;

    private static void assertSameTrainables(List<Parameter> pa, List<Parameter> pb) {
        assertEquals(pa.size(), pb.size());
        for (int i = 0; i < pa.size(); i++) {
            assertEquals(pa.get(i).name(), pb.get(i).name());
            assertArrayEquals(pa.get(i).value().toArray(), pb.get(i).value().toArray(), 0f, pa.get(i).name());
        }
    }

    @Test
    void aGatedUnionRoundTripsWithItsGateKeys() throws Exception {
        LayerPlan l = LayerPlan.NONE.withLora(LoraSpec.defaults().withGate(true))
                .withFfnAdapter(new AdapterSpec(3, Activation.RELU, 1f, false, true))
                .withPrefix(new PrefixSpec(2, 0, true));
        PeftPlan plan = new PeftPlan(List.of(l, LayerPlan.NONE.withParallelAdapter(new AdapterSpec(4, Activation.RELU, 4f, true, true))));
        Path d = dir.resolve("union");
        try (Backend be = Backends.create("reference");
             SequenceClassifier a = new SequenceClassifier(BertModel.random(be, BERT, 1), 2, 2);
             SequenceClassifier b = new SequenceClassifier(BertModel.random(be, BERT, 1), 2, 2)) {
            a.encoder().applyPlan(plan, 5);
            Fixtures.randomiseTrainable(a.parameters(), 6);
            assertEquals(PeftType.PEFT4J, AdapterIo.save(d, AdapterModel.of(a), "tiny-bert"));
            assertEquals(plan, AdapterIo.load(d, AdapterModel.of(b), 99));
            assertSameTrainables(a.trainableParameters(), b.trainableParameters());
            assertArrayEquals(Fixtures.logits(a), Fixtures.logits(b), 0f);
        }
        SafeTensorsContent content = SafeTensors.read(d.resolve(AdapterIo.WEIGHTS));
        String p = "base_model.model.bert.encoder.layer.";
        assertArrayEquals(new int[] {1, 16}, content.get(p + "0.attention.self.query.lora_gate.weight").shape());
        assertArrayEquals(new int[] {1}, content.get(p + "0.attention.self.value.lora_gate.bias").shape());
        assertArrayEquals(new int[] {1, 16}, content.get(p + "0.output.adapter.gate.weight").shape());
        assertArrayEquals(new int[] {1, 16}, content.get(p + "0.attention.self.prefix_gate.weight").shape());
        assertArrayEquals(new int[] {1}, content.get(p + "1.parallel_adapter.gate.bias").shape());
        JsonObject cfg = JsonParser.parseString(Files.readString(d.resolve(AdapterIo.CONFIG))).getAsJsonObject();
        JsonObject layer0 = cfg.getAsJsonObject("peft4j").getAsJsonObject("plan").getAsJsonArray("layers").get(0).getAsJsonObject();
        assertTrue(layer0.getAsJsonObject("lora").get("gated").getAsBoolean());
        assertTrue(layer0.getAsJsonObject("prefix").get("gated").getAsBoolean());
    }

    @Test
    void aGatedLoraPlanIsNotWrittenAsPeftLora() {
        assertEquals(PeftType.LORA, PeftConfigs.typeOf(PeftPlan.lora(2, LoraSpec.defaults())));
        assertEquals(PeftType.PEFT4J, PeftConfigs.typeOf(PeftPlan.lora(2, LoraSpec.defaults().withGate(true))));
        assertEquals(PeftType.PEFT4J, PeftConfigs.typeOf(PeftPlan.uniform(2, LayerPlan.NONE.withPrefix(new PrefixSpec(3, 0, true)))));
    }

    @Test
    void aReparameterisedPrefixSavesOnlyOnceDroppedAndThenLoadsAsPlainPrefixTuning() throws Exception {
        PeftPlan plan = PeftPlan.uniform(2, LayerPlan.NONE.withPrefix(new PrefixSpec(3, 6, false)));
        Path d = dir.resolve("prefix");
        try (Backend be = Backends.create("reference");
             Gpt2Model a = Gpt2Model.create(be, GPT2, RandomWeights.gpt2(GPT2, 1));
             Gpt2Model b = Gpt2Model.create(be, GPT2, RandomWeights.gpt2(GPT2, 1))) {
            a.applyPlan(plan, 5);
            Fixtures.randomiseTrainable(a.parameters(), 6);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> AdapterIo.save(d, AdapterModel.of(a), "g"));
            assertTrue(e.getMessage().contains("dropPrefixReparameterisation"), e.getMessage());
            assertFalse(Files.exists(d.resolve(AdapterIo.WEIGHTS)));
            float[] trained = Fixtures.logits(a);
            a.dropPrefixReparameterisation();
            assertEquals(PeftType.PREFIX_TUNING, AdapterIo.save(d, AdapterModel.of(a), "g"));
            assertEquals(PeftPlan.uniform(2, LayerPlan.NONE.withPrefix(new PrefixSpec(3))), AdapterIo.load(d, AdapterModel.of(b), 9));
            assertSameTrainables(a.trainableParameters(), b.trainableParameters());
            assertArrayEquals(trained, Fixtures.logits(b), 0f);
        }
    }
}
