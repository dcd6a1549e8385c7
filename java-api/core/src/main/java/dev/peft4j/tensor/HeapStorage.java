package dev.peft4j.tensor;

import java.util.Arrays;

/**
 * Host storage in a Java float array: the layout the reference and Vector-API kernels read fastest.
 *
 * <p>An owned storage ({@link #HeapStorage(float[])}, {@link #HeapStorage(int)}) covers its whole array from
 * element 0 and is counted by {@link MemoryAccounting} while alive. A borrowed storage ({@link #borrow}) covers
 * {@code array[offset, offset + length)} of a caller's array: it is not counted, and {@link #free()} only
 * detaches it (the caller's array stays the caller's). Kernels index {@link #array()} from {@link #offset()}.
 */
public final class HeapStorage implements Storage {
    private float[] data;
    private final int offset;
    private final int length;
    private final boolean borrowed;

    /** Owns {@code data} (which the caller must no longer use), elements [0, data.length). */
    public HeapStorage(float[] data) {
        this(data, 0, data.length, false);
        MemoryAccounting.allocated(Device.CPU, 4L * data.length);
    }

    /** Owns a new zero-filled array of {@code length} elements. */
    public HeapStorage(int length) {
        this(new float[length]);
    }

    private HeapStorage(float[] data, int offset, int length, boolean borrowed) {
        this.data = data;
        this.offset = offset;
        this.length = length;
        this.borrowed = borrowed;
    }

    /**
     * Borrows {@code data[offset, offset + length)} without copying; not counted as owned memory, and freeing it
     * never touches the array.
     *
     * @throws IllegalArgumentException when data is null, offset or length is negative, or the range runs past
     *                                  the end of the array
     */
    public static HeapStorage borrow(float[] data, int offset, int length, int[] shapeForMessages) {
        String shape = shapeForMessages == null ? "[" + length + "]" : Arrays.toString(shapeForMessages);
        if (data == null) {
            throw new IllegalArgumentException("cannot wrap a null array as a tensor of shape " + shape);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("cannot wrap an array at negative offset " + offset
                    + " (shape " + shape + ", array length " + data.length + ")");
        }
        if (length < 0 || (long) offset + length > data.length) {
            throw new IllegalArgumentException("shape " + shape + " needs " + length + " elements from offset "
                    + offset + ", i.e. up to index " + ((long) offset + length) + ", but the array has length "
                    + data.length);
        }
        return new HeapStorage(data, offset, length, true);
    }

    /** The backing array; this storage's elements are {@code array()[offset(), offset() + length())}. */
    public float[] array() {
        if (data == null) {
            throw new IllegalStateException("storage is closed");
        }
        return data;
    }

    /** Index in {@link #array()} of element 0 (0 for an owned storage). */
    public int offset() {
        return offset;
    }

    /** True for a storage over a caller's array ({@link #borrow}), which is never counted nor freed. */
    public boolean isBorrowed() {
        return borrowed;
    }

    /**
     * True when this storage and {@code other} cover at least one common element of the same array. Empty
     * ranges overlap nothing.
     */
    public boolean overlaps(HeapStorage other) {
        float[] mine = data;
        if (mine == null || mine != other.data || length == 0 || other.length == 0) {
            return false;
        }
        return offset < other.offset + other.length && other.offset < offset + length;
    }

    @Override public Device device() { return Device.CPU; }

    @Override public long length() { return length; }

    @Override public boolean isFreed() { return data == null; }

    @Override public void free() {
        if (data != null) {
            data = null;
            if (!borrowed) {
                MemoryAccounting.freed(Device.CPU, 4L * length);
            }
        }
    }

    @Override public float[] read(long from, int count) {
        checkRange(from, count);
        float[] out = new float[count];
        System.arraycopy(array(), offset + Math.toIntExact(from), out, 0, count);
        return out;
    }

    @Override public void write(long from, float[] src) {
        checkRange(from, src.length);
        System.arraycopy(src, 0, array(), offset + Math.toIntExact(from), src.length);
    }

    private void checkRange(long from, int count) {
        if (from < 0 || count < 0 || from + count > length) {
            throw new IndexOutOfBoundsException("elements [" + from + ", " + (from + count)
                    + ") are outside this storage of " + length + " elements");
        }
    }
}
