package dev.peft4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Host storage over a caller's off-heap {@link MemorySegment}: float32 elements, native byte order, element i at
 * byte {@code 4·i} of the segment. Borrowed, like a wrapped array: not counted by {@link MemoryAccounting}, and
 * {@link #free()} only detaches it (the segment's arena stays the caller's). Kernels that index Java arrays cannot
 * read it in place; {@link #read} and {@link #write} copy (see {@link Tensor#wrap(MemorySegment, int...)} for
 * which calls copy).
 */
public final class SegmentStorage implements Storage {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;

    private MemorySegment segment;
    private final long length;

    /** Borrows the first {@code length} floats of {@code segment}, which the caller has checked is large enough. */
    SegmentStorage(MemorySegment segment, long length) {
        this.segment = segment;
        this.length = length;
    }

    /** The caller's segment (exactly {@link #length()} floats long). */
    public MemorySegment segment() {
        if (segment == null) {
            throw new IllegalStateException("storage is closed");
        }
        return segment;
    }

    /**
     * True when threads other than the caller's may access the segment (a global, automatic or shared arena's), so
     * a backend's worker threads can read and write it in place; false for a confined arena's segment, which only
     * its owner thread may touch (a backend then copies it on the calling thread).
     */
    public boolean isSharedAcrossThreads() {
        return segment().isAccessibleBy(PROBE);
    }

    /** A thread that owns no arena (never started): a segment accessible by it is accessible by every thread. */
    private static final Thread PROBE = Thread.ofPlatform().unstarted(() -> { });

    @Override public Device device() { return Device.CPU; }

    @Override public long length() { return length; }

    @Override public boolean isFreed() { return segment == null; }

    @Override public void free() { segment = null; }

    @Override public float[] read(long from, int count) {
        checkRange(from, count);
        float[] out = new float[count];
        MemorySegment.copy(segment(), FLOAT, 4 * from, out, 0, count);
        return out;
    }

    @Override public void write(long from, float[] src) {
        checkRange(from, src.length);
        MemorySegment.copy(src, 0, segment(), FLOAT, 4 * from, src.length);
    }

    /** True when both storages are over one memory region and cover a common byte. */
    boolean overlaps(SegmentStorage other) {
        MemorySegment a = segment;
        MemorySegment b = other.segment;
        return a != null && b != null && a.byteSize() > 0 && b.byteSize() > 0 && a.asOverlappingSlice(b).isPresent();
    }

    private void checkRange(long from, int count) {
        if (from < 0 || count < 0 || from + count > length) {
            throw new IndexOutOfBoundsException("elements [" + from + ", " + (from + count)
                    + ") are outside this storage of " + length + " elements");
        }
    }
}
