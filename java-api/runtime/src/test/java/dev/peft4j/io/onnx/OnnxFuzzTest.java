package dev.peft4j.io.onnx;

import static dev.peft4j.io.onnx.ProtoWriter.constant;
import static dev.peft4j.io.onnx.ProtoWriter.floatDataTensor;
import static dev.peft4j.io.onnx.ProtoWriter.node;
import static dev.peft4j.io.onnx.ProtoWriter.rawTensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.peft4j.io.TensorData;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded, deterministic mutation fuzzing of the ONNX reader: {@link OnnxParser} on a byte buffer and
 * {@link OnnxWeights#loadBert(Path)} on a file, starting from a small valid one-layer BERT export built by hand
 * (hidden 2, one head of size 2, FFN 3, vocab 3, 4 positions, 2 token types). Each mutant must either load
 * with self-consistent dimensions or be refused with {@link OnnxFormatException} (or an IOException from the
 * file) whose message, when a file was read, names it. Any other Throwable fails the test with the case
 * number, its seed and the mutation.
 */
class OnnxFuzzTest {
    static final long SEED = 0x0_AA7E_0001L;
    static final int CASES = 3000;
    static final int H = 2;
    static final int FFN = 3;

    @TempDir
    Path dir;

    /** Linear layers of the layer: path, in, out. */
    private static final Object[][] LINEARS = {
        {"attention/self/query", H, H}, {"attention/self/key", H, H}, {"attention/self/value", H, H},
        {"attention/output/dense", H, H}, {"intermediate/dense", H, FFN}, {"output/dense", FFN, H},
    };

    private static float[] fill(int n, float base) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = base + i;
        }
        return v;
    }

    /** The valid seed: initializers as raw_data and float_data, weights from a Constant node, INT64 buffer. */
    static byte[] seedModel() {
        ProtoWriter g = new ProtoWriter().string(2, "main_graph");
        g.message(5, floatDataTensor("embeddings.word_embeddings.weight", new long[] {3, H}, fill(3 * H, 0)));
        g.message(5, rawTensor("embeddings.position_embeddings.weight", new long[] {4, H}, fill(4 * H, 10)));
        g.message(5, floatDataTensor("embeddings.token_type_embeddings.weight", new long[] {2, H}, fill(2 * H, 20)));
        g.message(5, floatDataTensor("embeddings.LayerNorm.weight", new long[] {H}, fill(H, 1)));
        g.message(5, rawTensor("embeddings.LayerNorm.bias", new long[] {H}, fill(H, 0)));
        g.message(5, new ProtoWriter().packedVarints(1, 1, 4).varint(2, OnnxDataType.INT64).string(8, "position_ids")
                .packedVarints(7, 0, 1, 2, 3));
        g.message(1, constant("/embeddings/LayerNorm/Constant_1", "eps", floatDataTensor("", new long[0], 1e-12f)));
        g.message(1, node("Add", "/embeddings/LayerNorm/Add", new String[] {"var", "eps"}, "var_eps"));
        for (int k = 0; k < LINEARS.length; k++) {
            String path = (String) LINEARS[k][0];
            int in = (Integer) LINEARS[k][1];
            int out = (Integer) LINEARS[k][2];
            String init = "onnx::MatMul_" + (700 + k);
            if (path.endsWith("value")) {
                g.message(1, constant("/encoder/layer.0/attention/self/value/Constant", init,
                        rawTensor("", new long[] {in, out}, fill(in * out, 100 * k))));
            } else {
                g.message(5, rawTensor(init, new long[] {in, out}, fill(in * out, 100 * k)));
            }
            g.message(5, floatDataTensor("encoder.layer.0." + path.replace('/', '.') + ".bias", new long[] {out},
                    fill(out, 0.5f)));
            g.message(1, node("MatMul", "/encoder/layer.0/" + path + "/MatMul", new String[] {"x" + k, init}, "y" + k));
        }
        for (String ln : List.of("attention.output.LayerNorm", "output.LayerNorm")) {
            g.message(5, floatDataTensor("encoder.layer.0." + ln + ".weight", new long[] {H}, fill(H, 1)));
            g.message(5, floatDataTensor("encoder.layer.0." + ln + ".bias", new long[] {H}, fill(H, 0)));
        }
        g.message(1, node("MatMul", "/encoder/layer.0/attention/self/MatMul", new String[] {"q", "kT"}, "s"));
        g.message(1, constant("/encoder/layer.0/attention/self/Constant_12", "scale",
                floatDataTensor("", new long[0], (float) Math.sqrt(2))));
        g.message(1, node("Div", "/encoder/layer.0/attention/self/Div", new String[] {"s", "scale"}, "s2"));
        ProtoWriter dim = new ProtoWriter().message(1, new ProtoWriter().string(2, "batch"))
                .message(1, new ProtoWriter().varint(1, 4));
        ProtoWriter type = new ProtoWriter().message(1, new ProtoWriter().varint(1, 7).message(2, dim));
        g.message(11, new ProtoWriter().string(1, "input_ids").message(2, type));
        return new ProtoWriter().varint(1, 8).string(2, "pytorch").string(3, "2.1").message(7, g).toBytes();
    }

    @Test
    void seedLoadsAndRoundTripsThroughTheTree() throws IOException {
        byte[] seed = seedModel();
        assertEquals(Arrays.toString(seed),
                Arrays.toString(ProtoTree.write(ProtoTree.parse(seed, ProtoTree.Msg.MODEL))), "tree round trip");
        Path p = dir.resolve("seed.onnx");
        Files.write(p, seed);
        BertOnnxWeights w = OnnxWeights.loadBert(p);
        assertEquals(1, w.layers());
        assertEquals(H, w.hidden());
        assertEquals(1, w.heads());
        assertEquals(FFN, w.intermediate());
        assertEquals(List.of("position_ids"), w.unmapped());
        checkConsistent(w);
    }

    @Test
    void mutatedModelsLoadConsistentlyOrAreRejectedWithAMessage() throws IOException {
        byte[] seed = seedModel();
        OnnxMutator.Kind[] kinds = OnnxMutator.Kind.values();
        List<String> failures = new ArrayList<>();
        int loaded = 0;
        int rejected = 0;
        for (int i = 0; i < CASES; i++) {
            long caseSeed = SEED + i;
            Random r = new Random(caseSeed);
            OnnxMutator.Kind kind = kinds[i % kinds.length];
            OnnxMutator.Mutant m = OnnxMutator.mutate(kind, seed, r);
            String outcome = i % 2 == 0 ? fromBuffer(m.bytes()) : fromFile(i, m.bytes());
            if (outcome == null) {
                loaded++;
            } else if (outcome.isEmpty()) {
                rejected++;
            } else {
                failures.add("case " + i + " (seed " + caseSeed + ", " + kind + ": " + m.description() + "): " + outcome);
            }
        }
        System.out.println("onnx fuzz: " + CASES + " cases, " + loaded + " loaded, " + rejected + " rejected");
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + CASES + " mutated models broke the reader's contract:\n"
                    + String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
        }
        assertTrue(loaded > CASES / 50, "too few mutants still loaded (" + loaded + "): fuzz is degenerate");
        assertTrue(rejected > CASES / 2, "too few mutants were rejected (" + rejected + "): fuzz is degenerate");
    }

    @Test
    void everyTruncationLoadsConsistentlyOrIsRejected() {
        byte[] seed = seedModel();
        List<String> failures = new ArrayList<>();
        for (int n = 0; n < seed.length; n++) {
            String outcome = fromBuffer(Arrays.copyOf(seed, n));
            if (outcome != null && !outcome.isEmpty()) {
                failures.add("truncated to " + n + ": " + outcome);
            }
        }
        assertEquals(List.of(), failures);
    }

    /** Parses, touches every tensor's public accessors, then loads BERT weights; see {@link #readOne}. */
    private static String fromBuffer(byte[] bytes) {
        return readOne(() -> {
            OnnxGraph g = OnnxParser.parse(ByteBuffer.wrap(bytes)).graph();
            for (OnnxTensor t : g.initializers().values()) {
                touch(t);
            }
            for (OnnxNode n : g.nodes()) {
                n.tensorAttributes().values().forEach(OnnxFuzzTest::touch);
            }
            return OnnxWeights.bert(g);
        }, null);
    }

    private String fromFile(int i, byte[] bytes) throws IOException {
        Path p = dir.resolve("fuzz-" + i + ".onnx");
        Files.write(p, bytes);
        try {
            return readOne(() -> OnnxWeights.loadBert(p), p.toString());
        } finally {
            Files.delete(p);
        }
    }

    /** The typed accessors either answer consistently with the dims or refuse with OnnxFormatException. */
    private static void touch(OnnxTensor t) {
        try {
            if (t.dataType() == OnnxDataType.FLOAT) {
                TensorData d = t.toTensorData();
                assertEquals(t.numel(), d.data().length, t.name());
            } else if (t.dataType() == OnnxDataType.INT64) {
                t.toLongs();
            }
        } catch (OnnxFormatException expected) {
            // a refused tensor is fine; BERT loading reports it again if it needs the tensor
        }
    }

    interface Load {
        BertOnnxWeights load() throws IOException;
    }

    /**
     * Null when the load succeeded and is consistent, "" when refused as the contract allows (and, when
     * {@code file} is given, the message names it), otherwise a description of the violation.
     */
    private static String readOne(Load load, String file) {
        try {
            checkConsistent(load.load());
            return null;
        } catch (OnnxFormatException | IOException e) {
            String msg = e.getMessage();
            if (msg == null || msg.isBlank()) {
                return "no message: " + e;
            }
            return file == null || msg.contains(file) ? "" : "message does not name the file: " + msg;
        } catch (Throwable t) {
            return stackTop(t);
        }
    }

    /** The dimensions BERT loading reports must agree with the tensors it returns. */
    private static void checkConsistent(BertOnnxWeights w) {
        int[] word = w.get("embeddings.word_embeddings.weight").shape();
        assertEquals(w.vocab(), word[0]);
        assertEquals(w.hidden(), word[1]);
        assertTrue(w.heads() > 0 && w.hidden() % w.heads() == 0, "heads " + w.heads() + " divide hidden " + w.hidden());
        assertTrue(w.layers() > 0, "layers");
        for (Map.Entry<String, TensorData> e : w.tensors().entrySet()) {
            assertEquals(TensorData.numel(e.getValue().shape()), e.getValue().data().length, e.getKey());
        }
    }

    static String stackTop(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        List<String> out = new ArrayList<>();
        String[] lines = w.toString().split("\n");
        for (int k = 0; k < lines.length && out.size() < 10; k++) {
            if (k < 4 || lines[k].contains("dev.peft4j") && !out.contains(lines[k])) {
                out.add(lines[k].strip());
            }
        }
        return String.join("\n    ", out);
    }
}
