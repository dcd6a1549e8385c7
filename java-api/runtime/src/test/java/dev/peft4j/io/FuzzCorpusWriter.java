package dev.peft4j.io;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.peft4j.adapter.AdapterIo;
import dev.peft4j.adapter.AdapterModel;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.model.BertModel;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.LoraTarget;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.peft.PlanCodec;
import dev.peft4j.peft.PrefixSpec;
import dev.peft4j.testing.TestPlans;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Writes the committed seed corpus of the reader fuzzing ({@code src/test/resources/fuzz}, see
 * {@code dev.peft4j.fuzz.ReaderFuzzProperties}): runs only when {@code -Dfuzz.writeCorpus=<resources folder>} is
 * given, so that the corpus can be regenerated after a format change.
 */
class FuzzCorpusWriter {
    @Test
    void writeCorpus() throws Exception {
        String target = System.getProperty("fuzz.writeCorpus");
        assumeTrue(target != null, "set -Dfuzz.writeCorpus=<src/test/resources> to rewrite the fuzz corpus");
        Path root = Path.of(target, "fuzz");
        Path st = Files.createDirectories(root.resolve("safetensors"));
        Map<String, TensorData> t = new LinkedHashMap<>();
        t.put("a.weight", new TensorData(new int[] {2, 3}, new float[] {1, -2, 3.5f, 0.25f, -0f, 1e-3f}));
        t.put("b.bias", new TensorData(new int[] {3}, new float[] {0.1f, 0.2f, 0.3f}));
        t.put("scalar", new TensorData(new int[] {}, new float[] {7}));
        t.put("empty", new TensorData(new int[] {0, 2}, new float[0]));
        SafeTensors.write(st.resolve("written.safetensors"), t, Map.of("format", "pt"));
        ByteBuffer d = ByteBuffer.allocate(30).order(ByteOrder.LITTLE_ENDIAN);
        d.putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x3555).putShort((short) 0x7BFF);
        d.putShort((short) 0x3F80).putShort((short) 0x4049).putShort((short) 0xBF00);
        d.putFloat(1.5f).putFloat(-3f);
        d.putDouble(0.1);
        String h = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[8,14]},"
                + "\"f\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[14,22]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[22,30]}}";
        Files.write(st.resolve("mixed-dtypes.safetensors"), SafeTensorsMutator.pack(h.getBytes(StandardCharsets.UTF_8), d.array()));

        Path tok = Files.createDirectories(root.resolve("tokenizer"));
        Files.writeString(tok.resolve("wordpiece.json"), ConfigJsonFuzzTest.tokenizerJson());

        Path plans = Files.createDirectories(root.resolve("plan"));
        Files.writeString(plans.resolve("everything.json"), PlanCodec.toText(TestPlans.everything()));
        Files.writeString(plans.resolve("lora.json"), PlanCodec.toText(PeftPlan.lora(2, LoraSpec.defaults())));

        Path adapters = Files.createDirectories(root.resolve("adapter"));
        try (Backend be = Backends.create("reference")) {
            PeftPlan[] seeds = {
                PeftPlan.lora(2, new LoraSpec(2, 4f, false, 0f, EnumSet.of(LoraTarget.QUERY, LoraTarget.VALUE))),
                PeftPlan.uniform(2, LayerPlan.NONE.withIa3(true)),
                PeftPlan.uniform(2, LayerPlan.NONE.withPrefix(new PrefixSpec(3))),
            };
            String[] names = {"lora", "ia3", "prefix"};
            for (int i = 0; i < seeds.length; i++) {
                try (BertModel m = BertModel.random(be, AdapterConfigFuzzTest.BERT, 1)) {
                    m.applyPlan(seeds[i], 5);
                    AdapterIo.save(adapters.resolve(names[i]), AdapterModel.of(m), "tiny-bert");
                }
            }
        }
        Path loraOnly = adapters.resolve("lora-peft-only");
        Files.createDirectories(loraOnly);
        Files.copy(adapters.resolve("lora").resolve(AdapterIo.WEIGHTS), loraOnly.resolve(AdapterIo.WEIGHTS));
        JsonObject cfg = JsonParser.parseString(Files.readString(adapters.resolve("lora").resolve(AdapterIo.CONFIG)))
                .getAsJsonObject();
        cfg.remove("peft4j");
        Files.writeString(loraOnly.resolve(AdapterIo.CONFIG), cfg.toString());
    }
}
