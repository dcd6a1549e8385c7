package dev.peft4j.io.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A reader of the protobuf wire format over a byte buffer: a message is a sequence of fields, each a varint tag
 * {@code (fieldNumber << 3) | wireType} followed by a varint (type 0), 8 bytes (type 1), a varint length and
 * that many bytes (type 2) or 4 bytes (type 5). Groups (types 3, 4) are refused. Numbers are little-endian.
 */
final class ProtoReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final ByteBuffer buf;
    private final long base;
    private int field;
    private int wireType;

    /** Reads {@code buf} from its position to its limit; {@code base} is its absolute offset, for messages. */
    ProtoReader(ByteBuffer buf, long base) {
        this.buf = buf.slice().order(ByteOrder.LITTLE_ENDIAN);
        this.base = base;
    }

    /** Advances to the next field; false at the end of the message. */
    boolean next() {
        if (!buf.hasRemaining()) {
            return false;
        }
        long tag = readVarint();
        field = (int) (tag >>> 3);
        wireType = (int) (tag & 7);
        if (field <= 0) {
            throw error("invalid field number " + field);
        }
        if (wireType != VARINT && wireType != FIXED64 && wireType != LENGTH_DELIMITED && wireType != FIXED32) {
            throw error("unsupported wire type " + wireType + " for field " + field);
        }
        return true;
    }

    int field() {
        return field;
    }

    int wireType() {
        return wireType;
    }

    long offset() {
        return base + buf.position();
    }

    long readVarint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (!buf.hasRemaining()) {
                throw error("truncated varint");
            }
            byte b = buf.get();
            result |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw error("varint longer than 10 bytes");
    }

    long readInt64() {
        expect(VARINT);
        return readVarint();
    }

    float readFloat() {
        expect(FIXED32);
        need(4);
        return buf.getFloat();
    }

    /** A length-delimited field's bytes as a zero-copy little-endian slice. */
    ByteBuffer readBytes() {
        expect(LENGTH_DELIMITED);
        long len = readVarint();
        if (len < 0 || len > buf.remaining()) {
            throw error("length " + len + " of field " + field + " exceeds the " + buf.remaining() + " bytes left");
        }
        ByteBuffer out = buf.slice(buf.position(), (int) len).order(ByteOrder.LITTLE_ENDIAN);
        buf.position(buf.position() + (int) len);
        return out;
    }

    /** A length-delimited field read as a nested message. */
    ProtoReader readMessage() {
        ByteBuffer b = readBytes();
        return new ProtoReader(b, offset() - b.remaining());
    }

    String readString() {
        ByteBuffer b = readBytes();
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return new String(a, StandardCharsets.UTF_8);
    }

    /** Appends a repeated int64 field, packed (type 2) or not (type 0), to {@code out}. */
    void readInt64s(LongList out) {
        if (wireType == LENGTH_DELIMITED) {
            ProtoReader packed = readMessage();
            while (packed.buf.hasRemaining()) {
                out.add(packed.readVarint());
            }
        } else {
            out.add(readInt64());
        }
    }

    /** Appends a repeated float field, packed (type 2) or not (type 5), to {@code out}. */
    void readFloats(FloatList out) {
        if (wireType == LENGTH_DELIMITED) {
            ByteBuffer b = readBytes();
            if (b.remaining() % 4 != 0) {
                throw error("packed floats of " + b.remaining() + " bytes in field " + field);
            }
            while (b.hasRemaining()) {
                out.add(b.getFloat());
            }
        } else {
            out.add(readFloat());
        }
    }

    void skip() {
        switch (wireType) {
            case VARINT -> readVarint();
            case FIXED64 -> {
                need(8);
                buf.position(buf.position() + 8);
            }
            case FIXED32 -> {
                need(4);
                buf.position(buf.position() + 4);
            }
            case LENGTH_DELIMITED -> readBytes();
            default -> throw error("cannot skip wire type " + wireType);
        }
    }

    private void expect(int type) {
        if (wireType != type) {
            throw error("field " + field + " has wire type " + wireType + ", expected " + type);
        }
    }

    private void need(int n) {
        if (buf.remaining() < n) {
            throw error("truncated field " + field + ": needs " + n + " bytes, " + buf.remaining() + " left");
        }
    }

    OnnxFormatException error(String message) {
        return new OnnxFormatException(message + " at byte offset " + offset());
    }

    /** A growable list of longs. */
    static final class LongList {
        private long[] a = new long[4];
        private int n;

        void add(long v) {
            if (n == a.length) {
                a = java.util.Arrays.copyOf(a, 2 * n);
            }
            a[n++] = v;
        }

        long[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }

    /** A growable list of floats. */
    static final class FloatList {
        private float[] a = new float[16];
        private int n;

        void add(float v) {
            if (n == a.length) {
                a = java.util.Arrays.copyOf(a, 2 * n);
            }
            a[n++] = v;
        }

        int size() {
            return n;
        }

        float[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }
}
