package dev.peft4j.cpu;

import dev.peft4j.tensor.SegmentStorage;
import dev.peft4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Where a host tensor's floats live, read and written in place: a Java array from an offset, or a caller's
 * off-heap segment ({@link Tensor#wrap(MemorySegment, int...)}, native byte order). Kernels of the inference path
 * take rows through {@link #read} and {@link #write} (gathers, scatters, L1-sized row buffers), so an off-heap
 * tensor is never copied whole. Element i of the tensor is element {@code i} here.
 */
sealed interface HostFloats {
    ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;

    /** The tensor's floats: its array at its offset, or its off-heap segment. */
    static HostFloats of(Tensor t) {
        if (t.hasArray()) {
            return new InArray(t.array(), t.offset());
        }
        if (t.storage() instanceof SegmentStorage s) {
            return new InSegment(s.segment());
        }
        throw new IllegalArgumentException("a tensor on " + t.device() + " has no host floats: " + t);
    }

    /** True when t lives in a caller's off-heap segment (not a Java array). */
    static boolean isSegment(Tensor t) {
        return t != null && !t.hasArray() && t.storage() instanceof SegmentStorage;
    }

    /**
     * A small operand's floats as an array: t's own array (read from {@link #offsetIn}), or a copy of its off-heap
     * floats (read from 0). For operands a kernel reads many times, such as layer norm's γ and β.
     */
    static float[] arrayOrCopy(Tensor t) {
        return t.hasArray() ? t.array() : t.toArray();
    }

    /** Where t's floats start in {@link #arrayOrCopy}'s array. */
    static int offsetIn(Tensor t) {
        return t.hasArray() ? t.offset() : 0;
    }

    /** dst[d .. d+n) = this[i .. i+n). */
    void read(long i, float[] dst, int d, int n);

    /** this[i .. i+n) = src[s .. s+n). */
    void write(float[] src, int s, long i, int n);

    /** this[i]. */
    float get(long i);

    /** These floats as a segment from element 0: the off-heap segment, or a heap segment over the array. */
    MemorySegment asSegment();

    /** Floats of a Java array, element i at {@code array[offset + i]}. */
    record InArray(float[] array, int offset) implements HostFloats {
        @Override public void read(long i, float[] dst, int d, int n) {
            System.arraycopy(array, offset + (int) i, dst, d, n);
        }

        @Override public void write(float[] src, int s, long i, int n) {
            System.arraycopy(src, s, array, offset + (int) i, n);
        }

        @Override public float get(long i) {
            return array[offset + (int) i];
        }

        @Override public MemorySegment asSegment() {
            return MemorySegment.ofArray(array).asSlice(4L * offset);
        }
    }

    /** Floats of an off-heap segment, element i at byte {@code 4·i}. */
    record InSegment(MemorySegment segment) implements HostFloats {
        @Override public void read(long i, float[] dst, int d, int n) {
            MemorySegment.copy(segment, FLOAT, 4 * i, dst, d, n);
        }

        @Override public void write(float[] src, int s, long i, int n) {
            MemorySegment.copy(src, s, segment, FLOAT, 4 * i, n);
        }

        @Override public float get(long i) {
            return segment.getAtIndex(FLOAT, i);
        }

        @Override public MemorySegment asSegment() {
            return segment;
        }
    }
}
