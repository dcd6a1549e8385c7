package dev.peft4j.io.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Test helper: encodes protobuf wire format by hand (tag = field << 3 | wire type), for parser tests. */
final class ProtoWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    ProtoWriter varint(int field, long v) {
        tag(field, 0);
        raw(v);
        return this;
    }

    ProtoWriter fixed32(int field, float v) {
        tag(field, 5);
        int bits = Float.floatToRawIntBits(v);
        for (int i = 0; i < 4; i++) {
            out.write(bits >>> (8 * i));
        }
        return this;
    }

    ProtoWriter bytes(int field, byte[] b) {
        tag(field, 2);
        raw(b.length);
        out.writeBytes(b);
        return this;
    }

    ProtoWriter string(int field, String s) {
        return bytes(field, s.getBytes(StandardCharsets.UTF_8));
    }

    ProtoWriter message(int field, ProtoWriter m) {
        return bytes(field, m.toBytes());
    }

    ProtoWriter packedVarints(int field, long... v) {
        ProtoWriter p = new ProtoWriter();
        for (long x : v) {
            p.raw(x);
        }
        return bytes(field, p.toBytes());
    }

    static byte[] floatsLE(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    private void tag(int field, int wire) {
        raw(((long) field << 3) | wire);
    }

    private void raw(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    byte[] toBytes() {
        return out.toByteArray();
    }

    // ---- ONNX building blocks (field numbers from onnx.proto) ----

    /** TensorProto{dims=1, data_type=2, name=8, raw_data=9} of FLOAT. */
    static ProtoWriter rawTensor(String name, long[] dims, float... values) {
        ProtoWriter t = new ProtoWriter().packedVarints(1, dims).varint(2, 1).string(8, name);
        return t.bytes(9, floatsLE(values));
    }

    /** TensorProto with the values in float_data (field 4), dims unpacked, values unpacked. */
    static ProtoWriter floatDataTensor(String name, long[] dims, float... values) {
        ProtoWriter t = new ProtoWriter();
        for (long d : dims) {
            t.varint(1, d);
        }
        t.varint(2, 1).string(8, name);
        for (float v : values) {
            t.fixed32(4, v);
        }
        return t;
    }

    /** NodeProto{input=1, output=2, name=3, op_type=4}. */
    static ProtoWriter node(String op, String name, String[] inputs, String... outputs) {
        ProtoWriter n = new ProtoWriter();
        for (String i : inputs) {
            n.string(1, i);
        }
        for (String o : outputs) {
            n.string(2, o);
        }
        return n.string(3, name).string(4, op);
    }

    /** A Constant node whose attribute {@code value} (AttributeProto{name=1, t=5, type=20}) is {@code t}. */
    static ProtoWriter constant(String name, String output, ProtoWriter t) {
        ProtoWriter attr = new ProtoWriter().string(1, "value").message(5, t).varint(20, 4);
        return node("Constant", name, new String[0], output).message(5, attr);
    }
}
