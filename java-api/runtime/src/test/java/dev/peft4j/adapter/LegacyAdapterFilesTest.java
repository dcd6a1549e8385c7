package dev.peft4j.adapter;

import static dev.peft4j.adapter.Fixtures.BERT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Parameter;
import dev.peft4j.model.SequenceClassifier;
import dev.peft4j.peft.AdapterSpec;
import dev.peft4j.peft.BitFitSpec;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.peft.PlanCodec;
import dev.peft4j.peft.PrefixSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adapters written before the plan section used {@link PlanCodec} (format_version 1: a bare array of snake_case
 * layers; the fixtures under legacy/ were written by that code from the plans and seeds below) still load, with the
 * same plan and values; saving again writes format_version 2 with the codec's document, which loads too.
 */
class LegacyAdapterFilesTest {
    @TempDir
    Path dir;

    static PeftPlan unionPlan() {
        LayerPlan l0 = LayerPlan.NONE.withLora(LoraSpec.defaults().withGate(true))
                .withFfnAdapter(new AdapterSpec(3, Activation.RELU, 1f, false, true))
                .withPrefix(new PrefixSpec(2, 0, true));
        LayerPlan l1 = LayerPlan.NONE.withParallelAdapter(new AdapterSpec(4, Activation.SWISH, 4f, true, false))
                .withAttnAdapter(new AdapterSpec(2, Activation.GELU, 0.5f, false, false))
                .withBitfit(BitFitSpec.QUERY_FFN_IN).withIa3(true);
        return new PeftPlan(List.of(l0, l1));
    }

    private static Path fixture(String name) throws Exception {
        return Path.of(LegacyAdapterFilesTest.class.getResource("legacy/" + name + "/" + AdapterIo.CONFIG).toURI()).getParent();
    }

    @Test
    void formatVersionOneAdaptersLoadWithTheirPlanAndValues() throws Exception {
        check("union", unionPlan(), PeftType.PEFT4J);
        check("lora", PeftPlan.lora(2, LoraSpec.defaults()), PeftType.LORA);
    }

    private void check(String name, PeftPlan plan, PeftType type) throws Exception {
        Path legacy = fixture(name);
        JsonObject old = JsonParser.parseString(Files.readString(legacy.resolve(AdapterIo.CONFIG))).getAsJsonObject();
        assertEquals(1, old.getAsJsonObject("peft4j").get("format_version").getAsInt());
        assertTrue(old.getAsJsonObject("peft4j").get("plan").isJsonArray());
        Path resaved = dir.resolve(name);
        try (Backend be = Backends.create("reference");
             SequenceClassifier writer = new SequenceClassifier(BertModel.random(be, BERT, 1), 2, 2);
             SequenceClassifier a = new SequenceClassifier(BertModel.random(be, BERT, 1), 2, 2);
             SequenceClassifier b = new SequenceClassifier(BertModel.random(be, BERT, 1), 2, 2)) {
            writer.encoder().applyPlan(plan, 5);
            Fixtures.randomiseTrainable(writer.parameters(), 6);
            assertEquals(plan, AdapterIo.load(legacy, AdapterModel.of(a), 99));
            assertSameValues(writer.trainableParameters(), a.trainableParameters());
            assertEquals(type, AdapterIo.save(resaved, AdapterModel.of(a), "tiny-bert"));
            assertEquals(plan, AdapterIo.load(resaved, AdapterModel.of(b), 98));
            assertArrayEquals(Fixtures.logits(a), Fixtures.logits(b), 0f);
        }
        JsonObject now = JsonParser.parseString(Files.readString(resaved.resolve(AdapterIo.CONFIG))).getAsJsonObject()
                .getAsJsonObject("peft4j");
        assertEquals(PeftConfigs.FORMAT_VERSION, now.get("format_version").getAsInt());
        assertEquals(PlanCodec.toJson(plan), now.get("plan"));
    }

    private static void assertSameValues(List<Parameter> expected, List<Parameter> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).name(), actual.get(i).name());
            assertArrayEquals(expected.get(i).value().toArray(), actual.get(i).value().toArray(), 0f, expected.get(i).name());
        }
    }

    @Test
    void anAdapterPlanWithAPrefixMlpIsRefusedNamingTheField() throws Exception {
        Path d = dir.resolve("reparam");
        Files.createDirectories(d);
        Path legacy = fixture("union");
        Files.copy(legacy.resolve(AdapterIo.WEIGHTS), d.resolve(AdapterIo.WEIGHTS));
        JsonObject cfg = JsonParser.parseString(Files.readString(legacy.resolve(AdapterIo.CONFIG))).getAsJsonObject();
        PeftPlan withMlp = new PeftPlan(List.of(LayerPlan.NONE.withPrefix(new PrefixSpec(2, 8, false)), LayerPlan.NONE));
        cfg.getAsJsonObject("peft4j").add("plan", PlanCodec.toJson(withMlp));
        Files.writeString(d.resolve(AdapterIo.CONFIG), cfg.toString());
        try (Backend be = Backends.create("reference");
             SequenceClassifier a = new SequenceClassifier(BertModel.random(be, BERT, 1), 2, 2)) {
            AdapterFormatException e = assertThrows(AdapterFormatException.class,
                    () -> AdapterIo.load(d, AdapterModel.of(a), 1));
            assertTrue(e.getMessage().contains(d.resolve(AdapterIo.CONFIG) + ": peft4j.plan")
                    && e.getMessage().contains("reparameterisation"), e.getMessage());
        }
    }
}
