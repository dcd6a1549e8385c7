package dev.peft4j.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** The element types of the safetensors format, with their sizes; only the float types convert to float32. */
public enum SafeTensorsDType {
    F64(8), F32(4), F16(2), BF16(2),
    I64(8), I32(4), I16(2), I8(1), U64(8), U32(4), U16(2), U8(1), BOOL(1), F8_E4M3(1), F8_E5M2(1);

    private static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64_LE =
            ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Bytes per element. */
    public final int size;

    SafeTensorsDType(int size) {
        this.size = size;
    }

    /** Null when {@code name} is not a safetensors dtype. */
    public static SafeTensorsDType parse(String name) {
        for (SafeTensorsDType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    public boolean convertibleToFloat32() {
        return this == F32 || this == F16 || this == BF16 || this == F64;
    }

    /**
     * Reads {@code n} little-endian elements at byte {@code offset} of {@code src} into float32:
     * F16 by IEEE half→float, BF16 as the high 16 bits of a float32, F64 rounded to nearest.
     */
    float[] toFloat32(MemorySegment src, long offset, int n) {
        float[] out = new float[n];
        switch (this) {
            case F32 -> MemorySegment.copy(src, F32_LE, offset, out, 0, n);
            case F16 -> {
                short[] h = new short[n];
                MemorySegment.copy(src, I16_LE, offset, h, 0, n);
                for (int i = 0; i < n; i++) {
                    out[i] = Float.float16ToFloat(h[i]);
                }
            }
            case BF16 -> {
                short[] h = new short[n];
                MemorySegment.copy(src, I16_LE, offset, h, 0, n);
                for (int i = 0; i < n; i++) {
                    out[i] = Float.intBitsToFloat((h[i] & 0xFFFF) << 16);
                }
            }
            case F64 -> {
                double[] d = new double[n];
                MemorySegment.copy(src, F64_LE, offset, d, 0, n);
                for (int i = 0; i < n; i++) {
                    out[i] = (float) d[i];
                }
            }
            default -> throw new IllegalStateException(this + " does not convert to float32");
        }
        return out;
    }
}
