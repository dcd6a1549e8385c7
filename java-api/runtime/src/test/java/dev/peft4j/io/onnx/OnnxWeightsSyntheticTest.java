package dev.peft4j.io.onnx;

import static dev.peft4j.io.onnx.ProtoWriter.constant;
import static dev.peft4j.io.onnx.ProtoWriter.floatDataTensor;
import static dev.peft4j.io.onnx.ProtoWriter.node;
import static dev.peft4j.io.onnx.ProtoWriter.rawTensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.io.TensorData;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A one-layer BERT graph built by hand in the layout of the langchain4j exports (hidden 4, 2 heads, FFN 6,
 * vocab 5, 7 positions, 2 token types), with every anonymous weight holding distinct known values, so the
 * renaming and the [in, out] → [out, in] transposition can be checked element by element.
 */
class OnnxWeightsSyntheticTest {
    static final int H = 4;
    static final int FFN = 6;

    /** Linear layers of one BERT layer: path, in, out. */
    static final Object[][] LINEARS = {
        {"attention/self/query", H, H}, {"attention/self/key", H, H}, {"attention/self/value", H, H},
        {"attention/output/dense", H, H}, {"intermediate/dense", H, FFN}, {"output/dense", FFN, H},
    };

    /** ONNX weight element (i, j) of linear k: a value unique across the graph. */
    static float onnxValue(int k, int i, int j) {
        return 1000 * (k + 1) + 10 * i + j;
    }

    static float[] onnxWeight(int k, int in, int out) {
        float[] w = new float[in * out];
        for (int i = 0; i < in; i++) {
            for (int j = 0; j < out; j++) {
                w[i * out + j] = onnxValue(k, i, j);
            }
        }
        return w;
    }

    static float[] fill(int n, float base) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = base + i;
        }
        return v;
    }

    /** The graph; with {@code tieQueryKey} the key MatMul reuses the query's initializer. */
    static OnnxGraph graph(boolean tieQueryKey) {
        ProtoWriter g = new ProtoWriter();
        g.message(5, floatDataTensor("embeddings.word_embeddings.weight", new long[] {5, H}, fill(5 * H, 0)));
        g.message(5, floatDataTensor("embeddings.position_embeddings.weight", new long[] {7, H}, fill(7 * H, 100)));
        g.message(5, floatDataTensor("embeddings.token_type_embeddings.weight", new long[] {2, H}, fill(2 * H, 200)));
        g.message(5, floatDataTensor("embeddings.LayerNorm.weight", new long[] {H}, fill(H, 1)));
        g.message(5, floatDataTensor("embeddings.LayerNorm.bias", new long[] {H}, fill(H, 0)));
        g.message(1, constant("/embeddings/LayerNorm/Constant_1", "eps", floatDataTensor("", new long[0], 1e-12f)));
        g.message(1, node("Add", "/embeddings/LayerNorm/Add", new String[] {"var", "eps"}, "var_eps"));
        for (int k = 0; k < LINEARS.length; k++) {
            String path = (String) LINEARS[k][0];
            int in = (Integer) LINEARS[k][1];
            int out = (Integer) LINEARS[k][2];
            String init = "onnx::MatMul_" + (700 + k);
            if (tieQueryKey && path.endsWith("key")) {
                init = "onnx::MatMul_700";
            } else if (path.endsWith("value")) {
                // the value weight arrives through a Constant node instead of an initializer
                g.message(1, constant("/encoder/layer.0/attention/self/value/Constant", init,
                        rawTensor("", new long[] {in, out}, onnxWeight(k, in, out))));
            } else {
                g.message(5, rawTensor(init, new long[] {in, out}, onnxWeight(k, in, out)));
            }
            String hf = "encoder.layer.0." + path.replace('/', '.');
            g.message(5, floatDataTensor(hf + ".bias", new long[] {out}, fill(out, 0.5f)));
            g.message(1, node("MatMul", "/encoder/layer.0/" + path + "/MatMul", new String[] {"x" + k, init}, "y" + k));
        }
        for (String ln : List.of("attention.output.LayerNorm", "output.LayerNorm")) {
            g.message(5, floatDataTensor("encoder.layer.0." + ln + ".weight", new long[] {H}, fill(H, 1)));
            g.message(5, floatDataTensor("encoder.layer.0." + ln + ".bias", new long[] {H}, fill(H, 0)));
        }
        // attention scores: activation × activation, then scaled by √(head size) = √2
        g.message(1, node("MatMul", "/encoder/layer.0/attention/self/MatMul", new String[] {"q", "kT"}, "s"));
        g.message(1, constant("/encoder/layer.0/attention/self/Constant_12", "scale",
                floatDataTensor("", new long[0], (float) Math.sqrt(2))));
        g.message(1, node("Div", "/encoder/layer.0/attention/self/Div", new String[] {"s", "scale"}, "s2"));
        return OnnxParser.parse(ByteBuffer.wrap(new ProtoWriter().message(7, g).toBytes())).graph();
    }

    @Test
    void namesAndTransposesEveryMatMulWeight() {
        BertOnnxWeights w = OnnxWeights.bert(graph(false));
        for (int k = 0; k < LINEARS.length; k++) {
            String name = "encoder.layer.0." + ((String) LINEARS[k][0]).replace('/', '.') + ".weight";
            int in = (Integer) LINEARS[k][1];
            int out = (Integer) LINEARS[k][2];
            TensorData t = w.get(name);
            assertArrayEquals(new int[] {out, in}, t.shape(), name);
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    assertEquals(onnxValue(k, i, o), t.data()[o * in + i], name + "[" + o + "][" + i + "]");
                }
            }
            assertEquals(out, w.get(name.replace(".weight", ".bias")).shape()[0]);
        }
        assertEquals(1, w.layers());
        assertEquals(H, w.hidden());
        assertEquals(2, w.heads());
        assertEquals(FFN, w.intermediate());
        assertEquals(5, w.vocab());
        assertEquals(7, w.maxPositions());
        assertEquals(2, w.typeVocab());
        assertEquals(1e-12f, w.layerNormEps());
        assertEquals(List.of(), w.unmapped());
        assertEquals(5 + 6 * 2 + 4, w.tensors().size());
        assertEquals("embeddings.LayerNorm.bias", w.tensors().keySet().iterator().next(), "embeddings first, sorted");
    }

    @Test
    void sharedInitializerGivesEachConsumerItsOwnEntry() {
        BertOnnxWeights w = OnnxWeights.bert(graph(true));
        TensorData q = w.get("encoder.layer.0.attention.self.query.weight");
        TensorData k = w.get("encoder.layer.0.attention.self.key.weight");
        assertArrayEquals(q.data(), k.data());
        assertEquals(onnxValue(0, 1, 2), k.data()[2 * H + 1]);
    }

    @Test
    void duplicateParameterNamesAreRejected() {
        OnnxGraph g = graph(false);
        List<OnnxNode> nodes = new java.util.ArrayList<>(g.nodes());
        OnnxNode q = nodes.stream().filter(n -> n.name().endsWith("query/MatMul")).findFirst().orElseThrow();
        nodes.add(new OnnxNode(q.name(), "MatMul", q.inputs(), List.of("dup"), Map.of(), Map.of()));
        Map<String, OnnxTensor> inits = new LinkedHashMap<>(g.initializers());
        OnnxGraph dup = new OnnxGraph(g.name(), nodes, inits, g.inputs(), g.outputs());
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxWeights.bert(dup));
        assertTrue(e.getMessage().contains("encoder.layer.0.attention.self.query.weight"), e.getMessage());
    }
}
