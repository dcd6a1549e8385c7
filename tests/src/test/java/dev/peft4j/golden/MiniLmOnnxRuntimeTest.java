package dev.peft4j.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.peft4j.backend.Availability;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.BackendProvider;
import dev.peft4j.backend.Backends;
import dev.peft4j.io.onnx.BertOnnxWeights;
import dev.peft4j.io.onnx.OnnxWeights;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Pass;
import dev.peft4j.model.Pooling;
import dev.peft4j.tensor.Tensor;
import dev.peft4j.tokenizer.BatchEncoding;
import dev.peft4j.tokenizer.Padding;
import dev.peft4j.tokenizer.WordPieceTokenizer;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * all-MiniLM-L6-v2 loaded from its ONNX file into our runtime must compute the same last_hidden_state as
 * onnxruntime running that very file, on real sentences of varied length with padding: max |Δ| ≤ 1e-4, for the
 * reference backend and every other available backend.
 */
class MiniLmOnnxRuntimeTest {
    static final List<String> SENTENCES = List.of(
            "The movie was a complete waste of time.",
            "I loved every minute of it, the acting was superb and the soundtrack unforgettable!",
            "Hello, world.",
            "Parameter-efficient fine-tuning trains a few weights and freezes the rest of the network.",
            "What time does the train to Zürich leave?",
            "It's not that I dislike it; it's just... underwhelming.",
            "Ok",
            "Dear friend, CONGRATULATIONS!!! You have won $1,000,000 - click here to claim your prize now.",
            "The quick brown fox jumps over the lazy dog while the cat watches from the windowsill, unimpressed by "
                    + "the whole affair and thinking mostly about dinner.",
            "Numbers like 3.14159 and dates like 2026-11-22 are tokenised too.",
            "Café au lait, naïve résumé.");

    static byte[] onnxBytes;
    static BertOnnxWeights weights;
    static BatchEncoding batch;
    static float[][][] expected;

    @BeforeAll
    static void runOnnxRuntime() throws Exception {
        ClassLoader cl = MiniLmOnnxRuntimeTest.class.getClassLoader();
        try (InputStream in = OnnxWeights.openResource(OnnxWeights.MINILM_L6_V2_ONNX, cl)) {
            onnxBytes = in.readAllBytes();
        }
        weights = OnnxWeights.loadBert(new java.io.ByteArrayInputStream(onnxBytes));
        WordPieceTokenizer tok;
        try (InputStream in = OnnxWeights.openResource(OnnxWeights.MINILM_L6_V2_TOKENIZER, cl)) {
            tok = WordPieceTokenizer.fromJson(in);
        }
        batch = tok.encodeBatch(SENTENCES, 128, Padding.LONGEST);
        int b = batch.batchSize();
        int t = batch.sequenceLength();
        long[][] ids = new long[b][t];
        long[][] mask = new long[b][t];
        long[][] types = new long[b][t];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                ids[i][j] = batch.inputIds()[i][j];
                mask[i][j] = batch.attentionMask()[i][j];
                types[i][j] = batch.tokenTypeIds()[i][j];
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(onnxBytes, new OrtSession.SessionOptions())) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put("input_ids", OnnxTensor.createTensor(env, ids));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, mask));
            if (session.getInputNames().contains("token_type_ids")) {
                inputs.put("token_type_ids", OnnxTensor.createTensor(env, types));
            }
            try (OrtSession.Result result = session.run(inputs)) {
                expected = (float[][][]) result.get("last_hidden_state").orElseGet(() -> result.get(0)).getValue();
            } finally {
                inputs.values().forEach(OnnxTensor::close);
            }
        }
    }

    static Stream<String> backends() {
        return Backends.providers().stream().map(BackendProvider::name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void lastHiddenStateMatchesOnnxRuntime(String name) {
        BackendProvider provider = Backends.providers().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
        Availability a = provider.availability();
        Assumptions.assumeTrue(a.available(), () -> "backend " + name + " is unavailable: " + a.reason());
        int b = batch.batchSize();
        int t = batch.sequenceLength();
        assertTrue(t > 20 && SENTENCES.size() >= 10, "varied lengths with padding");
        int[] ids = batch.flatInputIds();
        int[] types = batch.flatTokenTypeIds();
        float[] mask = batch.flatAttentionMask();
        try (Backend be = Backends.create(name); BertModel model = BertModel.fromOnnx(be, weights, Pooling.MEAN, 0.1f);
             Tensor maskT = be.fromHost(mask, b, t)) {
            float[] h = model.forward(ids, types, new Pass(b, t, maskT, false, 0)).toArray();
            int d = weights.hidden();
            assertEquals(b * t * d, h.length);
            double maxDiff = 0;
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < t; j++) {
                    for (int k = 0; k < d; k++) {
                        maxDiff = Math.max(maxDiff, Math.abs(h[(i * t + j) * d + k] - expected[i][j][k]));
                    }
                }
            }
            System.out.printf("MiniLM forward vs onnxruntime on %s: max |Δ| = %.3g over %d×%d×%d%n", name, maxDiff, b, t, d);
            assertTrue(maxDiff <= 1e-4, "max |Δ| of last_hidden_state = " + maxDiff + " on backend " + name);
        }
    }
}
