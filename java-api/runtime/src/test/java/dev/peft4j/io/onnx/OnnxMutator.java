package dev.peft4j.io.onnx;

import dev.peft4j.io.onnx.ProtoTree.Field;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

/**
 * Test helper: turns a valid ONNX model into a malformed one. Byte-level kinds ignore the structure; wire-level
 * kinds corrupt one tag, length or varint of a chosen field (overlong, truncated, huge, negative, wrong wire
 * type); structural kinds edit the {@link ProtoTree} (dims, data type, payload sizes, names, missing and
 * duplicated fields, deep nesting) and re-frame it consistently.
 */
final class OnnxMutator {
    private OnnxMutator() {}

    enum Kind {
        BIT_FLIP, INTERESTING_BYTE, INSERT, DELETE, TRUNCATE, LENGTH, OVERLONG_VARINT, WIRE_TYPE, FIELD_NUMBER,
        VARINT_VALUE, DIMS, DATA_TYPE, RAW_DATA, FLOAT_DATA, EXTERNAL_DATA, DROP_FIELD, DUPLICATE_FIELD, STRING,
        DEEP_NESTING
    }

    record Mutant(byte[] bytes, String description) {}

    static final long[] INTERESTING_LONGS = {
        0, 1, -1, -2, 2, 3, 7, 10, 11, 14, Integer.MAX_VALUE, 1L << 31, 1L << 32, 1L << 40, 1L << 62,
        Long.MAX_VALUE, Long.MIN_VALUE,
    };

    private static final long[][] DIMS = {
        {1L << 40, 1L << 40}, {-1}, {0, 1L << 40}, {1L << 31}, {1L << 62, 4}, {Long.MAX_VALUE}, {3}, {}, {1, 1, 1, 1},
        {(1L << 32) + 2, 2}, {Integer.MAX_VALUE, Integer.MAX_VALUE}, {0, 1L << 31}, {Long.MIN_VALUE}, {-2, -2},
        {2, 2}, {4}, {1},
    };

    private static final String[] STRINGS = {
        "", "/encoder/layer.99999999999/attention/self/query/MatMul", "encoder.layer.99999999999.output.dense.bias",
        "encoder.layer.-1.output.dense.bias", "/MatMul", "MatMul", "Constant", "Div", "value",
        "onnx::MatMul_700", "embeddings.word_embeddings.weight", "/encoder/layer.0/attention/self/Div",
        "/embeddings/LayerNorm/Add", "x".repeat(10_000),
    };

    static Mutant mutate(Kind kind, byte[] valid, Random r) {
        return switch (kind) {
            case BIT_FLIP -> bytes(valid, r, "flip bits at", (b, at) -> b[at] ^= (byte) (1 << r.nextInt(8)));
            case INTERESTING_BYTE -> bytes(valid, r, "set bytes",
                    (b, at) -> b[at] = new byte[] {0, (byte) 0xFF, 0x7F, (byte) 0x80, 0x08, 0x12}[r.nextInt(6)]);
            case INSERT -> splice(valid, r, true);
            case DELETE -> splice(valid, r, false);
            case TRUNCATE -> {
                int n = r.nextInt(valid.length);
                yield new Mutant(Arrays.copyOf(valid, n), "truncate to " + n + " bytes");
            }
            default -> tree(kind, valid, r);
        };
    }

    interface ByteEdit {
        void apply(byte[] b, int at);
    }

    private static Mutant bytes(byte[] valid, Random r, String what, ByteEdit edit) {
        byte[] b = valid.clone();
        StringBuilder d = new StringBuilder(what);
        for (int i = 0, n = 1 + r.nextInt(6); i < n; i++) {
            int at = r.nextInt(b.length);
            edit.apply(b, at);
            d.append(' ').append(at);
        }
        return new Mutant(b, d.toString());
    }

    private static Mutant splice(byte[] valid, Random r, boolean insert) {
        int at = r.nextInt(valid.length);
        int n = 1 + r.nextInt(12);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(valid, 0, at);
        if (insert) {
            for (int i = 0; i < n; i++) {
                out.write(r.nextBoolean() ? r.nextInt(256) : 0x80 | r.nextInt(2) * 0x7F);
            }
            out.write(valid, at, valid.length - at);
        } else {
            n = Math.min(n, valid.length - at);
            out.write(valid, at + n, valid.length - at - n);
        }
        return new Mutant(out.toByteArray(), (insert ? "insert " : "delete ") + n + " bytes at " + at);
    }

    private static Mutant tree(Kind kind, byte[] valid, Random r) {
        List<Field> root = ProtoTree.parse(valid, ProtoTree.Msg.MODEL);
        String what = switch (kind) {
            case LENGTH -> {
                Field f = pick(root, r, x -> x.wire == 2);
                long v = r.nextBoolean() ? pickLong(r) : (long) r.nextInt(valid.length + 64);
                f.lengthOverride = ProtoTree.varintBytes(v);
                yield "length of field " + f.number + " (" + f.kind + ") = " + v;
            }
            case OVERLONG_VARINT -> {
                Field f = pick(root, r, x -> x.wire == 0 || x.wire == 2);
                int n = 9 + r.nextInt(5);
                boolean terminated = r.nextInt(4) != 0;
                byte[] enc = padded(f.wire == 0 ? f.varint : ProtoTree.write(List.of(f)).length, n, terminated);
                if (r.nextBoolean()) {
                    f.tagOverride = padded(((long) f.number << 3) | f.wire, n, terminated);
                    yield "tag of field " + f.number + " as a " + n + "-byte varint" + (terminated ? "" : ", unterminated");
                }
                if (f.wire == 2) {
                    enc = padded(f.children != null ? ProtoTree.write(f.children).length : f.bytes.length, n, terminated);
                }
                f.lengthOverride = enc;
                yield "value/length of field " + f.number + " as a " + n + "-byte varint" + (terminated ? "" : ", unterminated");
            }
            case WIRE_TYPE -> {
                Field f = pick(root, r, x -> true);
                int w = r.nextInt(8);
                f.tagOverride = ProtoTree.varintBytes(((long) f.number << 3) | w);
                yield "wire type of field " + f.number + " (" + f.kind + ") " + f.wire + " -> " + w;
            }
            case FIELD_NUMBER -> {
                Field f = pick(root, r, x -> true);
                long n = new long[] {0, 1, 2, 5, 7, 9, 14, (1L << 29) - 1, 1L << 29, 1L << 32, (1L << 61) - 1}[r.nextInt(11)];
                f.tagOverride = ProtoTree.varintBytes((n << 3) | f.wire);
                yield "field " + f.number + " renumbered " + n;
            }
            case VARINT_VALUE -> {
                Field f = pick(root, r, x -> x.wire == 0);
                f.varint = pickLong(r);
                yield "varint field " + f.number + " = " + f.varint;
            }
            case DIMS -> dims(pickTensor(root, r), r);
            case DATA_TYPE -> {
                Field t = pickTensor(root, r);
                long type = new long[] {0, 2, 6, 7, 8, 10, 11, 16, -1, (1L << 32) + 1}[r.nextInt(10)];
                t.children.removeIf(x -> x.number == 2);
                t.children.add(ProtoTree.varintField(2, type));
                yield "tensor data_type = " + type;
            }
            case RAW_DATA -> {
                Field t = pickTensor(root, r);
                int n = r.nextInt(4) == 0 ? 0 : r.nextInt(40);
                t.children.removeIf(x -> x.number == 9);
                t.children.add(ProtoTree.bytesField(9, new byte[n]));
                yield "tensor raw_data of " + n + " bytes";
            }
            case FLOAT_DATA -> {
                Field t = pickTensor(root, r);
                int n = r.nextInt(10);
                if (r.nextBoolean()) {
                    t.children.add(ProtoTree.bytesField(4, new byte[n]));
                    yield "tensor gets packed float_data of " + n + " bytes";
                }
                for (int i = 0; i < n; i++) {
                    Field f = new Field();
                    f.number = 4;
                    f.wire = 5;
                    f.bytes = new byte[4];
                    t.children.add(f);
                }
                yield "tensor gets " + n + " more float_data values";
            }
            case EXTERNAL_DATA -> {
                Field t = pickTensor(root, r);
                t.children.add(ProtoTree.varintField(14, 1));
                yield "tensor data_location = EXTERNAL";
            }
            case DROP_FIELD -> {
                Map.Entry<List<Field>, Field> e = pickEntry(root, r, x -> true);
                e.getKey().remove(e.getValue());
                yield "drop field " + e.getValue().number + " (" + e.getValue().kind + ")";
            }
            case DUPLICATE_FIELD -> {
                Map.Entry<List<Field>, Field> e = pickEntry(root, r, x -> true);
                e.getKey().add(e.getValue().copy());
                yield "duplicate field " + e.getValue().number + " (" + e.getValue().kind + ")";
            }
            case STRING -> {
                Field f = pick(root, r, x -> x.wire == 2 && x.children == null);
                byte[] s = r.nextInt(8) == 0 ? new byte[] {(byte) 0xC3, 0x28}
                        : STRINGS[r.nextInt(STRINGS.length)].getBytes(StandardCharsets.UTF_8);
                f.bytes = s;
                yield "leaf field " + f.number + " = '" + new String(s, 0, Math.min(s.length, 60), StandardCharsets.UTF_8) + "'";
            }
            case DEEP_NESTING -> {
                Field host = pick(root, r, x -> x.children != null);
                int depth = new int[] {100, 10_000, 50_000}[r.nextInt(3)];
                host.children.add(ProtoTree.bytesField(99, nested(depth)));
                yield "unknown field nested " + depth + " deep in " + host.kind;
            }
            default -> throw new IllegalArgumentException(kind.toString());
        };
        return new Mutant(ProtoTree.write(root), what);
    }

    private static String dims(Field t, Random r) {
        long[] d = DIMS[r.nextInt(DIMS.length)];
        t.children.removeIf(x -> x.number == 1);
        if (r.nextInt(6) == 0) {
            // 4·(2^62 + 1) wraps to 4 in 64 bits: dims that claim 2^62+1 values next to 4 bytes of raw_data
            d = new long[] {(1L << 62) + 1};
            t.children.removeIf(x -> x.number == 9 || x.number == 4);
            t.children.add(ProtoTree.bytesField(9, new byte[4]));
        }
        if (r.nextBoolean()) {
            ByteArrayOutputStream packed = new ByteArrayOutputStream();
            for (long x : d) {
                ProtoTree.putVarint(packed, x);
            }
            t.children.add(0, ProtoTree.bytesField(1, packed.toByteArray()));
        } else {
            for (int i = d.length - 1; i >= 0; i--) {
                t.children.add(0, ProtoTree.varintField(1, d[i]));
            }
        }
        return "tensor dims = " + Arrays.toString(d);
    }

    /** {@code v} as an n-byte varint (padded with continuation bytes), or n continuation bytes with no end. */
    private static byte[] padded(long v, int n, boolean terminated) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        if (terminated) {
            b[n - 1] &= 0x7F;
        }
        return b;
    }

    /** A message holding field 1 holding field 1 ... {@code depth} times. */
    private static byte[] nested(int depth) {
        long[] length = new long[depth + 1]; // length[i]: bytes of the message nested i deep
        for (int i = 1; i <= depth; i++) {
            length[i] = 1 + ProtoTree.varintBytes(length[i - 1]).length + length[i - 1];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = depth; i >= 1; i--) {
            out.write(0x0A);
            ProtoTree.putVarint(out, length[i - 1]);
        }
        return out.toByteArray();
    }

    private static long pickLong(Random r) {
        return INTERESTING_LONGS[r.nextInt(INTERESTING_LONGS.length)];
    }

    private static Field pickTensor(List<Field> root, Random r) {
        return pick(root, r, x -> x.kind == ProtoTree.Msg.TENSOR);
    }

    private static Field pick(List<Field> root, Random r, Predicate<Field> p) {
        return pickEntry(root, r, p).getValue();
    }

    private static Map.Entry<List<Field>, Field> pickEntry(List<Field> root, Random r, Predicate<Field> p) {
        List<Map.Entry<List<Field>, Field>> all = ProtoTree.all(root).stream().filter(e -> p.test(e.getValue())).toList();
        return all.get(r.nextInt(all.size()));
    }
}
