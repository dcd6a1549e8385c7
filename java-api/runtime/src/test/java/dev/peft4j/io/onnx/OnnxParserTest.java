package dev.peft4j.io.onnx;

import static dev.peft4j.io.onnx.ProtoWriter.constant;
import static dev.peft4j.io.onnx.ProtoWriter.floatDataTensor;
import static dev.peft4j.io.onnx.ProtoWriter.node;
import static dev.peft4j.io.onnx.ProtoWriter.rawTensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class OnnxParserTest {

    private static ProtoWriter valueInfo(String name, int elemType, Object... dims) {
        ProtoWriter shape = new ProtoWriter();
        for (Object d : dims) {
            ProtoWriter dim = d instanceof Integer i ? new ProtoWriter().varint(1, i) : new ProtoWriter().string(2, (String) d);
            shape.message(1, dim);
        }
        ProtoWriter tensorType = new ProtoWriter().varint(1, elemType).message(2, shape);
        return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
    }

    @Test
    void parsesNodesInitializersInputsAndOutputs() {
        ProtoWriter graph = new ProtoWriter()
                .message(1, node("MatMul", "/lin/MatMul", new String[] {"x", "onnx::MatMul_1"}, "y"))
                .string(2, "g")
                .message(5, rawTensor("onnx::MatMul_1", new long[] {2, 3}, 1, 2, 3, 4, 5, 6))
                .message(5, floatDataTensor("lin.bias", new long[] {3}, 0.5f, -1f, 2f))
                .message(11, valueInfo("x", 1, "batch", 2))
                .message(12, valueInfo("y", 1, "batch", 3))
                .varint(99, 12345); // an unknown field is skipped
        byte[] model = new ProtoWriter().varint(1, 8).string(2, "test").string(3, "1.0").message(7, graph).toBytes();

        OnnxModel m = OnnxParser.parse(ByteBuffer.wrap(model));
        assertEquals(8, m.irVersion());
        assertEquals("test", m.producerName());
        OnnxGraph g = m.graph();
        assertEquals("g", g.name());
        assertEquals(1, g.nodes().size());
        OnnxNode n = g.nodes().get(0);
        assertEquals("MatMul", n.opType());
        assertEquals("/lin/MatMul", n.name());
        assertEquals(List.of("x", "onnx::MatMul_1"), n.inputs());
        assertEquals(List.of("y"), n.outputs());
        assertEquals(List.of("onnx::MatMul_1", "lin.bias"), List.copyOf(g.initializers().keySet()));
        assertArrayEquals(new int[] {2, 3}, g.initializers().get("onnx::MatMul_1").toTensorData().shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, g.initializers().get("onnx::MatMul_1").toTensorData().data());
        assertArrayEquals(new float[] {0.5f, -1f, 2f}, g.initializers().get("lin.bias").toTensorData().data());
        assertEquals(new OnnxValueInfo("x", 1, List.of("batch", "2")), g.inputs().get(0));
        assertEquals(new OnnxValueInfo("y", 1, List.of("batch", "3")), g.outputs().get(0));
    }

    @Test
    void readsConstantNodeTensorsAndMultiByteVarints() {
        ProtoWriter shapeConst = new ProtoWriter().varint(1, 2).varint(2, 7).string(8, "")
                .packedVarints(7, 300, 1L << 40);
        ProtoWriter graph = new ProtoWriter().message(1, constant("/c", "/c_out", shapeConst));
        OnnxGraph g = OnnxParser.parse(ByteBuffer.wrap(new ProtoWriter().message(7, graph).toBytes())).graph();
        OnnxTensor t = g.nodes().get(0).tensorAttributes().get("value");
        assertArrayEquals(new long[] {300, 1L << 40}, t.toLongs());
    }

    @Test
    void rejectsTruncatedAndInconsistentInput() {
        byte[] model = new ProtoWriter().message(7, new ProtoWriter()
                .message(5, rawTensor("w", new long[] {2, 2}, 1, 2, 3, 4))).toBytes();
        byte[] cut = Arrays.copyOf(model, model.length - 3);
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxParser.parse(ByteBuffer.wrap(cut)));
        assertTrue(e.getMessage().contains("byte offset"), e.getMessage());

        byte[] wrongCount = new ProtoWriter().message(7, new ProtoWriter()
                .message(5, rawTensor("w", new long[] {2, 3}, 1, 2, 3, 4))).toBytes();
        OnnxTensor w = OnnxParser.parse(ByteBuffer.wrap(wrongCount)).graph().initializers().get("w");
        OnnxFormatException e2 = assertThrows(OnnxFormatException.class, w::toTensorData);
        assertTrue(e2.getMessage().contains("'w'") && e2.getMessage().contains("raw_data"), e2.getMessage());

        byte[] noGraph = new ProtoWriter().varint(1, 8).toBytes();
        assertThrows(OnnxFormatException.class, () -> OnnxParser.parse(ByteBuffer.wrap(noGraph)));
    }
}
