package dev.peft4j.io.onnx;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Test helper: an editable tree of protobuf fields. The length-delimited fields that onnx.proto declares as
 * messages (along the path ModelProto → GraphProto → NodeProto / TensorProto / ValueInfoProto → ...) are
 * parsed into children; everything else stays a leaf of raw bytes. Writing recomputes every length, so a
 * structural edit deep in the tree yields a file whose framing is consistent and whose content is what is wrong.
 */
final class ProtoTree {
    private ProtoTree() {}

    /** Message kinds, and for each the field numbers that hold sub-messages of which kind. */
    enum Msg { MODEL, GRAPH, NODE, ATTRIBUTE, TENSOR, VALUE_INFO, TYPE, TENSOR_TYPE, SHAPE, DIM, LEAF }

    private static final Map<Msg, Map<Integer, Msg>> SCHEMA = Map.of(
            Msg.MODEL, Map.of(7, Msg.GRAPH),
            Msg.GRAPH, Map.of(1, Msg.NODE, 5, Msg.TENSOR, 11, Msg.VALUE_INFO, 12, Msg.VALUE_INFO),
            Msg.NODE, Map.of(5, Msg.ATTRIBUTE),
            Msg.ATTRIBUTE, Map.of(5, Msg.TENSOR),
            Msg.VALUE_INFO, Map.of(2, Msg.TYPE),
            Msg.TYPE, Map.of(1, Msg.TENSOR_TYPE),
            Msg.TENSOR_TYPE, Map.of(2, Msg.SHAPE),
            Msg.SHAPE, Map.of(1, Msg.DIM));

    /** One field: a varint value, fixed bytes, a leaf payload or (for messages) children. */
    static final class Field {
        int number;
        int wire;
        long varint;
        byte[] bytes; // FIXED32/FIXED64 value or leaf payload
        List<Field> children; // non-null for parsed messages
        Msg kind = Msg.LEAF;
        byte[] tagOverride; // when set, written instead of the tag (wire-level corruption)
        byte[] lengthOverride; // when set, written instead of the payload length or varint value

        Field copy() {
            Field f = new Field();
            f.number = number;
            f.wire = wire;
            f.varint = varint;
            f.bytes = bytes == null ? null : bytes.clone();
            f.kind = kind;
            if (children != null) {
                f.children = new ArrayList<>();
                children.forEach(c -> f.children.add(c.copy()));
            }
            return f;
        }
    }

    /** Parses a valid message of {@code kind}; the input must be well formed (it is the test's own seed). */
    static List<Field> parse(byte[] b, Msg kind) {
        List<Field> out = new ArrayList<>();
        int[] pos = {0};
        while (pos[0] < b.length) {
            long tag = varint(b, pos);
            Field f = new Field();
            f.number = (int) (tag >>> 3);
            f.wire = (int) (tag & 7);
            switch (f.wire) {
                case 0 -> f.varint = varint(b, pos);
                case 1, 5 -> {
                    int n = f.wire == 1 ? 8 : 4;
                    f.bytes = java.util.Arrays.copyOfRange(b, pos[0], pos[0] + n);
                    pos[0] += n;
                }
                case 2 -> {
                    int n = (int) varint(b, pos);
                    f.bytes = java.util.Arrays.copyOfRange(b, pos[0], pos[0] + n);
                    pos[0] += n;
                    Msg sub = SCHEMA.getOrDefault(kind, Map.of()).get(f.number);
                    if (sub != null) {
                        f.kind = sub;
                        f.children = parse(f.bytes, sub);
                        f.bytes = null;
                    }
                }
                default -> throw new IllegalArgumentException("seed uses wire type " + f.wire);
            }
            out.add(f);
        }
        return out;
    }

    static byte[] write(List<Field> fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Field f : fields) {
            if (f.tagOverride != null) {
                out.writeBytes(f.tagOverride);
            } else {
                putVarint(out, ((long) f.number << 3) | f.wire);
            }
            switch (f.wire) {
                case 0 -> {
                    if (f.lengthOverride != null) {
                        out.writeBytes(f.lengthOverride);
                    } else {
                        putVarint(out, f.varint);
                    }
                }
                case 2 -> {
                    byte[] payload = f.children != null ? write(f.children) : f.bytes;
                    if (f.lengthOverride != null) {
                        out.writeBytes(f.lengthOverride);
                    } else {
                        putVarint(out, payload.length);
                    }
                    out.writeBytes(payload);
                }
                default -> out.writeBytes(f.bytes);
            }
        }
        return out.toByteArray();
    }

    /** Every field of the tree, depth first, paired with the list that holds it. */
    static List<Map.Entry<List<Field>, Field>> all(List<Field> root) {
        List<Map.Entry<List<Field>, Field>> out = new ArrayList<>();
        collect(root, out);
        return out;
    }

    private static void collect(List<Field> msg, List<Map.Entry<List<Field>, Field>> out) {
        for (Field f : msg) {
            out.add(Map.entry(msg, f));
            if (f.children != null) {
                collect(f.children, out);
            }
        }
    }

    static Field varintField(int number, long v) {
        Field f = new Field();
        f.number = number;
        f.wire = 0;
        f.varint = v;
        return f;
    }

    static Field bytesField(int number, byte[] payload) {
        Field f = new Field();
        f.number = number;
        f.wire = 2;
        f.bytes = payload;
        return f;
    }

    static long varint(byte[] b, int[] pos) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            byte x = b[pos[0]++];
            v |= (long) (x & 0x7F) << shift;
            if (x >= 0) {
                return v;
            }
        }
    }

    static void putVarint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    static byte[] varintBytes(long v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        putVarint(out, v);
        return out.toByteArray();
    }
}
