package dev.peft4j.io.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.io.TensorData;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Loads the real all-MiniLM-L6-v2 and bge-small-en-v1.5 ONNX files from the test class path. */
class OnnxWeightsRealModelTest {
    static OnnxGraph miniLmGraph;
    static BertOnnxWeights miniLm;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = OnnxWeights.openResource(OnnxWeights.MINILM_L6_V2_ONNX, loader())) {
            miniLmGraph = OnnxParser.parse(in).graph();
        }
        miniLm = OnnxWeights.bert(miniLmGraph);
    }

    static ClassLoader loader() {
        return OnnxWeightsRealModelTest.class.getClassLoader();
    }

    /** Every parameter of a Hugging Face BertModel without pooler, with its shape. */
    static Map<String, int[]> expectedBert(int layers, int hidden, int ffn, int vocab, int positions) {
        Map<String, int[]> e = new LinkedHashMap<>();
        e.put("embeddings.word_embeddings.weight", new int[] {vocab, hidden});
        e.put("embeddings.position_embeddings.weight", new int[] {positions, hidden});
        e.put("embeddings.token_type_embeddings.weight", new int[] {2, hidden});
        e.put("embeddings.LayerNorm.weight", new int[] {hidden});
        e.put("embeddings.LayerNorm.bias", new int[] {hidden});
        for (int l = 0; l < layers; l++) {
            String p = "encoder.layer." + l + ".";
            for (String lin : List.of("attention.self.query", "attention.self.key", "attention.self.value",
                    "attention.output.dense")) {
                e.put(p + lin + ".weight", new int[] {hidden, hidden});
                e.put(p + lin + ".bias", new int[] {hidden});
            }
            e.put(p + "intermediate.dense.weight", new int[] {ffn, hidden});
            e.put(p + "intermediate.dense.bias", new int[] {ffn});
            e.put(p + "output.dense.weight", new int[] {hidden, ffn});
            e.put(p + "output.dense.bias", new int[] {hidden});
            for (String ln : List.of("attention.output.LayerNorm", "output.LayerNorm")) {
                e.put(p + ln + ".weight", new int[] {hidden});
                e.put(p + ln + ".bias", new int[] {hidden});
            }
        }
        return e;
    }

    static void assertExactlyBert(BertOnnxWeights w, Map<String, int[]> expected) {
        assertEquals(expected.keySet(), w.tensors().keySet());
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            assertArrayEquals(e.getValue(), w.get(e.getKey()).shape(), e.getKey());
        }
    }

    @Test
    void miniLmHasEveryBertParameterWithItsShape() {
        assertExactlyBert(miniLm, expectedBert(6, 384, 1536, 30522, 512));
        assertEquals(6, miniLm.layers());
        assertEquals(384, miniLm.hidden());
        assertEquals(12, miniLm.heads());
        assertEquals(1536, miniLm.intermediate());
        assertEquals(30522, miniLm.vocab());
        assertEquals(512, miniLm.maxPositions());
        assertEquals(2, miniLm.typeVocab());
        assertEquals(1e-12f, miniLm.layerNormEps());
        long params = miniLm.tensors().values().stream().mapToLong(TensorData::numel).sum();
        assertEquals(22_565_376L, params, "BertModel(6 x 384) without pooler");
    }

    @Test
    void miniLmLeavesNoTwoDimensionalInitializerUnmapped() {
        assertEquals(List.of("embeddings.position_ids"), miniLm.unmapped(), "only the INT64 position-id buffer");
        assertEquals(OnnxDataType.INT64, miniLmGraph.initializers().get("embeddings.position_ids").dataType());
        long anonymous = miniLmGraph.initializers().keySet().stream().filter(n -> n.startsWith("onnx::MatMul")).count();
        assertEquals(6 * 6, anonymous, "six linear weights per layer");
    }

    @Test
    void miniLmWeightsAreTransposedFromTheMatMulLayout() {
        // The intermediate MatMul computes [.., 384] x W -> [.., 1536]: W's first dim must be the width of the
        // activation it multiplies (the hidden size) and its second the width of the bias it adds.
        for (OnnxNode n : miniLmGraph.nodes()) {
            if (!n.name().equals("/encoder/layer.3/intermediate/dense/MatMul")) {
                continue;
            }
            OnnxTensor w = miniLmGraph.initializers().get(n.inputs().get(1));
            assertArrayEquals(new long[] {384, 1536}, w.dims());
            OnnxNode add = miniLmGraph.nodes().stream()
                    .filter(a -> a.opType().equals("Add") && a.inputs().contains(n.outputs().get(0)))
                    .findFirst().orElseThrow();
            assertTrue(add.inputs().contains("encoder.layer.3.intermediate.dense.bias"), add.inputs().toString());
            TensorData onnx = w.toTensorData();
            TensorData hf = miniLm.get("encoder.layer.3.intermediate.dense.weight");
            assertArrayEquals(new int[] {1536, 384}, hf.shape());
            for (int[] ij : new int[][] {{0, 0}, {0, 1}, {1, 0}, {383, 1535}, {17, 1000}, {200, 3}}) {
                assertEquals(onnx.data()[ij[0] * 1536 + ij[1]], hf.data()[ij[1] * 384 + ij[0]], ij[0] + "," + ij[1]);
            }
            // y = x·W_onnx equals y = W_hf·x for a random x
            java.util.Random r = new java.util.Random(7);
            float[] x = new float[384];
            for (int i = 0; i < 384; i++) {
                x[i] = (float) r.nextGaussian();
            }
            for (int o = 0; o < 1536; o += 97) {
                double a = 0;
                double b = 0;
                for (int i = 0; i < 384; i++) {
                    a += x[i] * onnx.data()[i * 1536 + o];
                    b += hf.data()[o * 384 + i] * x[i];
                }
                assertEquals(a, b, 0.0, "output " + o);
            }
            return;
        }
        throw new AssertionError("intermediate MatMul of layer 3 not found");
    }

    @Test
    void bgeSmallMapsWithTheSameRules() throws IOException {
        BertOnnxWeights bge = OnnxWeights.loadBertResource(OnnxWeights.BGE_SMALL_EN_V15_ONNX, loader());
        assertExactlyBert(bge, expectedBert(12, 384, 1536, 30522, 512));
        assertEquals(12, bge.layers());
        assertEquals(12, bge.heads());
        assertEquals(1e-12f, bge.layerNormEps());
        assertEquals(List.of(), bge.unmapped());
    }

    @Test
    void tokenizerJsonShipsBesideTheModel() throws IOException {
        for (String name : List.of(OnnxWeights.MINILM_L6_V2_TOKENIZER, OnnxWeights.BGE_SMALL_EN_V15_TOKENIZER)) {
            try (InputStream in = OnnxWeights.openResource(name, loader())) {
                String head = new String(in.readNBytes(4096), java.nio.charset.StandardCharsets.UTF_8);
                assertTrue(head.contains("\"BertNormalizer\""), name);
            }
        }
    }
}
