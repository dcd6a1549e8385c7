package dev.peft4j.golden;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.peft4j.adapter.AdapterIo;
import dev.peft4j.adapter.AdapterModel;
import dev.peft4j.adapter.HfCheckpoint;
import dev.peft4j.backend.Availability;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.BackendProvider;
import dev.peft4j.backend.Backends;
import dev.peft4j.io.SafeTensors;
import dev.peft4j.io.SafeTensorsContent;
import dev.peft4j.io.TensorData;
import dev.peft4j.model.Batch;
import dev.peft4j.model.SequenceClassifier;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A LoRA SEQ_CLS adapter written the way Hugging Face peft saves one (tools/golden/gen_peft_adapter.py: keys
 * {@code base_model.model.bert.encoder.layer.N.attention.self.{query,value}.lora_{A,B}.weight}, the head under
 * {@code base_model.model.classifier.{weight,bias}}, metadata {@code {"format":"pt"}}, peft's adapter_config.json),
 * with its base checkpoint in Hugging Face BERT naming (pooler included) and the logits PyTorch computed with the
 * adapter applied, through the pooler as BertForSequenceClassification does.
 *
 * <p>Checks: peft4j loads the pair and reproduces the logits (≤ 1e-5 relative per logit) on every available
 * backend; saving the loaded adapter again gives exactly peft's key set, shapes and bit-identical values, the
 * same metadata and header layout, and the same values in every adapter_config.json field peft reads.
 */
class PeftAdapterFileTest {
    static final double TOLERANCE = 1e-5;
    static final String BASE_NAME = "peft4j-golden/tiny-bert-seq-cls";
    /** The adapter_config.json fields peft's LoraConfig needs to rebuild this adapter. */
    static final List<String> PEFT_FIELDS = List.of("peft_type", "task_type", "base_model_name_or_path", "revision",
            "inference_mode", "r", "lora_alpha", "lora_dropout", "use_rslora", "fan_in_fan_out", "bias",
            "modules_to_save", "init_lora_weights", "use_dora", "rank_pattern", "alpha_pattern", "target_modules",
            "layers_to_transform", "layers_pattern");

    static Stream<String> backends() {
        return Backends.providers().stream().map(BackendProvider::name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void logitsWithThePeftAdapterMatchPyTorch(String backend) throws IOException {
        SafeTensorsContent expected = SafeTensors.read(golden().resolve("expected.safetensors"));
        try (Backend be = open(backend); SequenceClassifier model = HfCheckpoint.read(golden().resolve("base")).classifier(be)) {
            AdapterIo.load(golden().resolve("adapter"), AdapterModel.of(model), 7);
            float[] logits = model.logits(batch(expected), false, 0).toArray();
            assertWithin(expected.get("logits").data(), logits, backend);
        }
    }

    /** The comparison is sharp: the base model alone (no LoRA, base head) is far from the adapter's logits. */
    @Test
    void theBaseModelWithoutTheAdapterDoesNotMatch() throws IOException {
        SafeTensorsContent expected = SafeTensors.read(golden().resolve("expected.safetensors"));
        try (Backend be = Backends.create("reference");
             SequenceClassifier model = HfCheckpoint.read(golden().resolve("base")).classifier(be)) {
            float[] logits = model.logits(batch(expected), false, 0).toArray();
            float[] want = expected.get("logits").data();
            double worst = 0;
            for (int i = 0; i < want.length; i++) {
                worst = Math.max(worst, Math.abs(logits[i] - want[i]) / Math.abs(want[i]));
            }
            assertTrue(worst > 1e-2, "the base model's logits should differ from the adapter's, worst relative " + worst);
        }
    }

    @Test
    void savedAdapterHasPeftsKeysShapesAndBitIdenticalValues(@TempDir Path tmp) throws IOException {
        Path saved = reload(tmp);
        SafeTensorsContent peft = SafeTensors.read(golden().resolve("adapter").resolve(AdapterIo.WEIGHTS));
        SafeTensorsContent ours = SafeTensors.read(saved.resolve(AdapterIo.WEIGHTS));
        Set<String> missing = new TreeSet<>(peft.tensors().keySet());
        missing.removeAll(ours.tensors().keySet());
        Set<String> extra = new TreeSet<>(ours.tensors().keySet());
        extra.removeAll(peft.tensors().keySet());
        assertTrue(missing.isEmpty() && extra.isEmpty(),
                "key sets differ: in peft's file but not ours " + missing + "; in ours but not peft's " + extra);
        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, TensorData> e : peft.tensors().entrySet()) {
            TensorData want = e.getValue();
            TensorData got = ours.get(e.getKey());
            if (!Arrays.equals(want.shape(), got.shape())) {
                differences.add(e.getKey() + ": shape expected " + Arrays.toString(want.shape()) + ", actual "
                        + Arrays.toString(got.shape()));
                continue;
            }
            for (int i = 0; i < want.data().length; i++) {
                if (Float.floatToRawIntBits(want.data()[i]) != Float.floatToRawIntBits(got.data()[i])) {
                    differences.add(e.getKey() + "[" + i + "]: expected " + want.data()[i] + ", actual " + got.data()[i]);
                    break;
                }
            }
        }
        assertTrue(differences.isEmpty(), "tensors differ from peft's file: " + differences);
        assertEquals(Map.of("format", "pt"), ours.metadata(), "safetensors metadata");
    }

    /** peft's header (safetensors save_file): __metadata__ first, tensors sorted by name, F32, same offsets. */
    @Test
    void savedHeaderIsPeftsHeader(@TempDir Path tmp) throws IOException {
        Path saved = reload(tmp);
        JsonObject peft = header(golden().resolve("adapter").resolve(AdapterIo.WEIGHTS));
        JsonObject ours = header(saved.resolve(AdapterIo.WEIGHTS));
        assertEquals(new ArrayList<>(peft.keySet()), new ArrayList<>(ours.keySet()), "header entries in order");
        for (String key : peft.keySet()) {
            assertEquals(peft.get(key), ours.get(key), "header entry " + key);
        }
    }

    @Test
    void savedConfigHasPeftsFieldValues(@TempDir Path tmp) throws IOException {
        Path saved = reload(tmp);
        JsonObject peft = json(golden().resolve("adapter").resolve(AdapterIo.CONFIG));
        JsonObject ours = json(saved.resolve(AdapterIo.CONFIG));
        List<String> differences = new ArrayList<>();
        for (String field : PEFT_FIELDS) {
            JsonElement want = peft.get(field);
            JsonElement got = ours.get(field);
            if (!sameValue(field, want, got)) {
                differences.add(field + ": expected " + want + ", actual " + got);
            }
        }
        Set<String> extra = new TreeSet<>(ours.keySet());
        extra.removeAll(peft.keySet());
        Set<String> absent = new TreeSet<>(peft.keySet());
        absent.removeAll(ours.keySet());
        // Fields peft fills with defaults on loading (auto_mapping, loftq_config, megatron_*, ...) may be absent,
        // and peft ignores unknown fields on loading (peft4j's own section): printed for the record.
        System.out.println("adapter_config.json: fields peft4j adds " + extra + "; peft fields peft4j omits " + absent);
        assertTrue(differences.isEmpty(), "adapter_config.json fields differ from peft's: " + differences);
    }

    // ---------------------------------------------------------------- helpers

    /** Loads the peft adapter into the base model (reference backend) and saves it again under tmp. */
    private static Path reload(Path tmp) throws IOException {
        Path out = tmp.resolve("saved");
        try (Backend be = Backends.create("reference");
             SequenceClassifier model = HfCheckpoint.read(golden().resolve("base")).classifier(be)) {
            AdapterIo.load(golden().resolve("adapter"), AdapterModel.of(model), 7);
            AdapterIo.save(out, AdapterModel.of(model), BASE_NAME);
        }
        return out;
    }

    /** Numbers compare by value (peft writes lora_alpha 4, a float 4.0 is the same); target_modules as a set. */
    private static boolean sameValue(String field, JsonElement want, JsonElement got) {
        if (want == null || got == null) {
            return want == got;
        }
        if (field.equals("target_modules") && want.isJsonArray() && got.isJsonArray()) {
            Set<JsonElement> a = new HashSet<>();
            want.getAsJsonArray().forEach(a::add);
            Set<JsonElement> b = new HashSet<>();
            got.getAsJsonArray().forEach(b::add);
            return a.equals(b) && want.getAsJsonArray().size() == got.getAsJsonArray().size();
        }
        if (want.isJsonPrimitive() && got.isJsonPrimitive() && want.getAsJsonPrimitive().isNumber()
                && got.getAsJsonPrimitive().isNumber()) {
            return want.getAsDouble() == got.getAsDouble();
        }
        return want.equals(got);
    }

    private static void assertWithin(float[] want, float[] got, String backend) {
        assertEquals(want.length, got.length, "logit count");
        for (int i = 0; i < want.length; i++) {
            double rel = Math.abs((double) got[i] - want[i]) / Math.abs(want[i]);
            if (rel > TOLERANCE) {
                fail(backend + ": logit " + i + " is " + got[i] + ", PyTorch " + want[i] + " (relative error " + rel
                        + " > " + TOLERANCE + "); all: " + Arrays.toString(got) + " vs " + Arrays.toString(want));
            }
        }
    }

    static Batch batch(SafeTensorsContent expected) {
        int b = Integer.parseInt(expected.metadata().get("batch"));
        int t = Integer.parseInt(expected.metadata().get("seq_len"));
        return new Batch(b, t, ints(expected.get("inputs/ids")), ints(expected.get("inputs/types")),
                expected.get("inputs/mask").data(), null);
    }

    static int[] ints(TensorData t) {
        int[] out = new int[t.data().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.round(t.data()[i]);
        }
        return out;
    }

    /** The raw JSON header of a safetensors file (u64 little-endian length, then the JSON). */
    private static JsonObject header(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            long n = ByteBuffer.wrap(in.readNBytes(8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertTrue(n > 0 && n < 1 << 20, file + ": header length " + n);
            return JsonParser.parseString(new String(in.readNBytes((int) n), StandardCharsets.UTF_8)).getAsJsonObject();
        }
    }

    private static JsonObject json(Path file) throws IOException {
        return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
    }

    private static Path golden() {
        return golden("peft-lora", "gen_peft_adapter.py");
    }

    /** The golden folder {@code name} among the test resources, which {@code generator} (in tools/golden) writes. */
    static Path golden(String name, String generator) {
        try {
            var url = PeftAdapterFileTest.class.getResource("/golden/" + name);
            if (url == null) {
                throw new IllegalStateException("resource /golden/" + name + " is missing; regenerate it with "
                        + "/usr/bin/python3 tools/golden/" + generator);
            }
            return Path.of(url.toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Backend open(String name) {
        BackendProvider provider = Backends.providers().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
        Availability a = provider.availability();
        Assumptions.assumeTrue(a.available(), () -> "backend " + name + " is unavailable: " + a.reason());
        return Backends.create(name);
    }
}
