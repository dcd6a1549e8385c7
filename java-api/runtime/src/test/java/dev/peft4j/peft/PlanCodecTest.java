package dev.peft4j.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.peft4j.backend.Activation;
import dev.peft4j.testing.TestPlans;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plan codec's versions, its two key styles and its file form. */
class PlanCodecTest {
    @TempDir
    Path dir;

    private static PeftPlan union() {
        LayerPlan l = LayerPlan.NONE.withLora(LoraSpec.defaults().withGate(true))
                .withFfnAdapter(new AdapterSpec(3, Activation.RELU, 1f, false, true))
                .withPrefix(new PrefixSpec(2, 0, true));
        LayerPlan m = LayerPlan.NONE.withParallelAdapter(new AdapterSpec(4, Activation.SWISH, 4f, true, false))
                .withAttnAdapter(new AdapterSpec(2, Activation.GELU, 0.5f, false, false))
                .withBitfit(BitFitSpec.QUERY_FFN_IN).withIa3(true);
        return new PeftPlan(List.of(l, m));
    }

    @Test
    void filesRoundTripAndTheTextIsTheWrittenFile() throws Exception {
        for (PeftPlan plan : List.of(union(), TestPlans.everything(), PeftPlan.lora(3, LoraSpec.defaults()))) {
            Path f = dir.resolve("sub/plan.json");
            PlanCodec.write(plan, f);
            assertEquals(plan, PlanCodec.read(f));
            assertEquals(PlanCodec.toText(plan), Files.readString(f));
            assertEquals(plan, PlanCodec.fromJson(PlanCodec.toJson(plan), "memory"));
        }
    }

    @Test
    void aNewerVersionFailsSayingSoAndOlderOrCurrentOnesRead() {
        JsonObject doc = PlanCodec.toJson(union());
        doc.addProperty("version", PlanCodec.VERSION + 1);
        PlanFormatException newer = assertThrows(PlanFormatException.class, () -> PlanCodec.fromJson(doc, "next.json"));
        assertTrue(newer.getMessage().startsWith("next.json: field version:") && newer.getMessage().contains("newer peft4j")
                && newer.getMessage().contains("version " + (PlanCodec.VERSION + 1)), newer.getMessage());
        for (int v = 1; v <= PlanCodec.VERSION; v++) {
            doc.addProperty("version", v);
            assertEquals(union(), PlanCodec.fromJson(doc, "v" + v));
        }
        doc.addProperty("version", 0);
        PlanFormatException zero = assertThrows(PlanFormatException.class, () -> PlanCodec.fromJson(doc, "zero.json"));
        assertTrue(zero.getMessage().contains("field version") && zero.getMessage().contains("got 0"), zero.getMessage());
        doc.remove("version");
        PlanFormatException missing = assertThrows(PlanFormatException.class, () -> PlanCodec.fromJson(doc, "none.json"));
        assertTrue(missing.getMessage().contains("field version") && missing.getMessage().contains("missing"), missing.getMessage());
    }

    @Test
    void adapterFilesOfFormatVersionOneUseSnakeCaseKeysAndOmitAbsentParts() {
        String v1 = """
                [{"lora": {"rank": 8, "alpha": 8.0, "rs_lora": true, "dropout": 0.0, "targets": ["QUERY", "VALUE"], "gated": true},
                  "ffn_adapter": {"size": 3, "activation": "RELU", "scale": 1.0, "learned_scale": false, "gated": true},
                  "prefix": {"length": 2, "gated": true}, "ia3": false, "bitfit": false},
                 {"attn_adapter": {"size": 2, "activation": "GELU", "scale": 0.5, "learned_scale": false},
                  "parallel_adapter": {"size": 4, "activation": "SWISH", "scale": 4.0, "learned_scale": true},
                  "ia3": true, "bitfit": ["QUERY", "FFN_IN"]}]""";
        PeftPlan read = PlanCodec.fromAdapterLayers(JsonParser.parseString(v1).getAsJsonArray(), "adapter_config.json");
        LoraSpec rs = new LoraSpec(8, 8f, true, 0f, EnumSet.of(LoraTarget.QUERY, LoraTarget.VALUE), true);
        assertEquals(union().map(l -> l.lora() != null ? l.withLora(rs) : l), read);
        String bad = v1.replace("\"learned_scale\": true", "\"learned_scale\": \"yes\"");
        PlanFormatException e = assertThrows(PlanFormatException.class,
                () -> PlanCodec.fromAdapterLayers(JsonParser.parseString(bad).getAsJsonArray(), "adapter_config.json"));
        assertTrue(e.getMessage().startsWith("adapter_config.json: field layers[1].parallel_adapter.learned_scale"),
                e.getMessage());
        assertThrows(PlanFormatException.class, () -> PlanCodec.fromAdapterLayers(new JsonArray(), "empty"));
    }

    @Test
    void theWrittenFormKeepsOptionalFieldsOutWhenUnset() {
        JsonObject layer = PlanCodec.toJson(PeftPlan.lora(1, LoraSpec.defaults())).getAsJsonArray("layers").get(0)
                .getAsJsonObject();
        assertEquals(List.of("lora", "attnAdapter", "ffnAdapter", "parallelAdapter", "prefix", "ia3", "bitfit"),
                List.copyOf(layer.keySet()));
        assertEquals(List.of("rank", "alpha", "rsLora", "dropout", "targets"),
                List.copyOf(layer.getAsJsonObject("lora").keySet()), "no \"gated\" on an ungated LoRA");
        assertTrue(layer.get("prefix").isJsonNull());
    }
}
