package dev.peft4j.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.peft4j.peft.BitFitSpec;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.peft.PlanCodec;
import dev.peft4j.peft.PlanFormatException;
import java.util.List;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanCodecRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void randomPlansRoundTrip() throws Exception {
        SplittableRandom rng = new SplittableRandom(9);
        for (int i = 0; i < 20; i++) {
            PeftPlan plan = ParameterCounterTest.randomPlan(1 + rng.nextInt(5), rng, i % 2 == 1);
            Path f = dir.resolve("plan" + i + ".json");
            PlanCodec.write(plan, f);
            assertEquals(plan, PlanCodec.read(f));
        }
    }

    @Test
    void bitfitSelectionsRoundTripAndAllBiasesKeepTheOldForm() throws Exception {
        SplittableRandom rng = new SplittableRandom(12);
        for (int i = 0; i < 20; i++) {
            PeftPlan plan = ParameterCounterTest.withRandomBitfit(ParameterCounterTest.randomPlan(1 + rng.nextInt(5), rng, false), rng);
            Path f = dir.resolve("bitfit" + i + ".json");
            PlanCodec.write(plan, f);
            assertEquals(plan, PlanCodec.read(f));
        }
        LayerPlan all = LayerPlan.NONE.withBitfit(true);
        LayerPlan paper = LayerPlan.NONE.withBitfit(BitFitSpec.QUERY_FFN_IN);
        JsonArray layers = PlanCodec.toJson(new PeftPlan(List.of(all, paper, LayerPlan.NONE))).getAsJsonArray("layers");
        assertEquals(new JsonPrimitive(true), layers.get(0).getAsJsonObject().get("bitfit"), "all biases: unchanged JSON");
        assertEquals(JsonParser.parseString("[\"QUERY\",\"FFN_IN\"]"), layers.get(1).getAsJsonObject().get("bitfit"));
        assertEquals(new JsonPrimitive(false), layers.get(2).getAsJsonObject().get("bitfit"));
        String head = "{\"format\":\"peft4j-plan\",\"version\":1,\"layers\":[";
        String kind = error(head + "{\"bitfit\":[\"QUERY\",\"GAMMA\"]}]}");
        assertTrue(kind.contains("layers[0].bitfit") && kind.contains("GAMMA"), kind);
        String empty = error(head + "{\"bitfit\":[]}]}");
        assertTrue(empty.contains("layers[0].bitfit") && empty.contains("non-empty"), empty);
    }

    @Test
    void gatesAndReparameterisationRoundTripAndOldFilesReadAsUngated() throws Exception {
        dev.peft4j.peft.LayerPlan l = dev.peft4j.peft.LayerPlan.NONE
                .withPrefix(new dev.peft4j.peft.PrefixSpec(7, 32, true))
                .withLora(dev.peft4j.peft.LoraSpec.defaults().withGate(true))
                .withParallelAdapter(new dev.peft4j.peft.AdapterSpec(4, dev.peft4j.backend.Activation.RELU, 4f, false, true));
        PeftPlan plan = new PeftPlan(java.util.List.of(l, dev.peft4j.peft.LayerPlan.NONE));
        Path f = dir.resolve("union.json");
        PlanCodec.write(plan, f);
        assertEquals(plan, PlanCodec.read(f));
        Path old = dir.resolve("old.json");
        Files.writeString(old, "{\"format\":\"peft4j-plan\",\"version\":1,\"layers\":[{\"prefix\":{\"length\":3}}]}");
        assertEquals(new dev.peft4j.peft.PrefixSpec(3, 0, false), PlanCodec.read(old).layer(0).prefix());
        String mismatch = error("{\"format\":\"peft4j-plan\",\"version\":1,\"layers\":[{\"prefix\":{\"length\":3,"
                + "\"reparameterisation\":8}},{\"prefix\":{\"length\":4,\"reparameterisation\":8}}]}");
        assertTrue(mismatch.contains("same length"), mismatch);
    }

    private String error(String json) throws Exception {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, json);
        PlanFormatException e = assertThrows(PlanFormatException.class, () -> PlanCodec.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), "names the file: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void malformedFilesNameTheFileAndTheField() throws Exception {
        String head = "{\"format\":\"peft4j-plan\",\"version\":1,\"layers\":[";
        assertTrue(error("{not json").contains("not valid JSON"));
        assertTrue(error("{\"format\":\"other\",\"version\":1}").contains("field format"));
        assertTrue(error("{\"format\":\"peft4j-plan\",\"version\":2,\"layers\":[{}]}").contains("field version"));
        assertTrue(error(head + "]}").contains("field layers"));
        String rank = error(head + "{},{\"lora\":{\"rank\":0,\"alpha\":8,\"rsLora\":false,\"dropout\":0,\"targets\":[\"QUERY\"]}}]}");
        assertTrue(rank.contains("layers[1].lora") && rank.contains("rank"), rank);
        String target = error(head + "{\"lora\":{\"rank\":2,\"alpha\":8,\"rsLora\":false,\"dropout\":0,\"targets\":[\"QUERRY\"]}}]}");
        assertTrue(target.contains("layers[0].lora.targets") && target.contains("QUERRY"), target);
        String size = error(head + "{\"ffnAdapter\":{\"size\":\"big\",\"activation\":\"RELU\",\"scale\":1,\"learnedScale\":false}}]}");
        assertTrue(size.contains("layers[0].ffnAdapter.size"), size);
        String act = error(head + "{\"ffnAdapter\":{\"size\":4,\"activation\":\"SOFTPLUS\",\"scale\":1}}]}");
        assertTrue(act.contains("layers[0].ffnAdapter.activation"), act);
        String prefix = error(head + "{\"prefix\":{}}]}");
        assertTrue(prefix.contains("layers[0].prefix.length") && prefix.contains("missing"), prefix);
        String bool = error(head + "{\"bitfit\":\"yes\"}]}");
        assertTrue(bool.contains("layers[0].bitfit"), bool);
    }
}
