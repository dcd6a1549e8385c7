package dev.peft4j.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A dense, row-major float32 tensor on one device. The tensor that created its storage owns it and frees it
 * on {@link #close()}; a {@link #view(int...)} shares the storage without owning it.
 *
 * <p>Host tensors (device CPU) expose their array to kernels: element i of the tensor (row-major) is
 * {@code array()[offset() + i]}. Tensors the library allocates have offset 0 and also expose {@link #data()};
 * a tensor made by {@link #wrap(float[], int, int...)} borrows a caller's array at any offset. Every other access
 * goes through {@link #toArray()} and {@link #copyFrom(float[])}, which work on any device.
 */
public final class Tensor implements AutoCloseable {
    private final int[] shape;
    private final long numel;
    private final Storage storage;
    private final boolean owner;
    private boolean closed;

    /** Wraps {@code storage}; the new tensor owns it. */
    public Tensor(Storage storage, int... shape) {
        this(storage, true, shape);
    }

    private Tensor(Storage storage, boolean owner, int... shape) {
        if (storage == null) {
            throw new IllegalArgumentException("storage is null");
        }
        this.shape = Shapes.checkedCopy(shape);
        this.numel = Shapes.numel(this.shape);
        if (numel != storage.length()) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has " + numel
                    + " elements but the storage holds " + storage.length());
        }
        this.storage = storage;
        this.owner = owner;
    }

    /** A zero-filled host tensor. */
    public static Tensor zeros(int... shape) {
        long n = Shapes.numel(Shapes.checkedCopy(shape));
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("host tensor of shape " + Arrays.toString(shape)
                    + " has " + n + " elements, more than a Java array holds");
        }
        return new Tensor(new HeapStorage((int) n), shape);
    }

    /** A host tensor over a copy of {@code data}. */
    public static Tensor of(float[] data, int... shape) {
        if (data == null) {
            throw new IllegalArgumentException("data is null");
        }
        long n = Shapes.numel(Shapes.checkedCopy(shape));
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n
                    + " elements but data has " + data.length);
        }
        return new Tensor(new HeapStorage(data.clone()), shape);
    }

    /**
     * A host tensor over {@code data[offset, offset + numel(shape))}, without a copy: kernels read inputs from and
     * write outputs into the caller's array. The array stays the caller's: the tensor is not counted by {@link
     * MemoryAccounting}, and {@link #close()} only makes the tensor unusable. Views of it keep the offset. Two
     * wraps of one array whose ranges overlap count as aliases for the backends' argument checks. Host backends
     * (reference, cpu) accept it: every cpu kernel indexes the array in place at the offset, while the reference
     * and plain backends copy it into a compact array around each call ({@code dev.peft4j.backend.HostStaging}). A
     * device backend (cuda) rejects it like any host tensor: upload it with {@code backend.fromHost(...)}.
     *
     * @param data   the caller's array (not copied)
     * @param offset index in data of element 0
     * @param shape  the tensor's shape; its element count must fit in data after offset
     * @throws IllegalArgumentException for a null array or shape, a negative offset or dimension, or a range past
     *                                  the end of the array (the message names shape, offset and array length)
     */
    public static Tensor wrap(float[] data, int offset, int... shape) {
        int[] s = Shapes.checkedCopy(shape);
        long n = Shapes.numel(s);
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("shape " + Arrays.toString(s) + " has " + n
                    + " elements, more than a Java array holds");
        }
        return new Tensor(HeapStorage.borrow(data, offset, (int) n, s), true, s);
    }

    /**
     * A host tensor over the first {@code numel(shape)} floats (native byte order) of a caller's segment, without
     * a copy at wrap time. The segment stays the caller's: not counted by {@link MemoryAccounting}; {@link
     * #close()} only makes the tensor unusable.
     *
     * <ul>
     * <li>A heap segment over a {@code float[]} becomes exactly {@link #wrap(float[], int, int...)} of that array
     *     at the segment's offset: zero-copy everywhere wrapped arrays are (see the backend's documentation).
     * <li>A native (off-heap) segment, or a read-only heap segment, becomes a {@link SegmentStorage}. The CPU
     *     backend's inference kernels (linear and inference LoRA forward, layer norm, activations, attention
     *     forward) read and write such a tensor in place; every other kernel, and the reference and plain backends,
     *     copy it into a temporary array before the kernel and copy back what the kernel wrote after it ({@code
     *     dev.peft4j.backend.HostStaging}); {@link #toArray()} and {@link #copyFrom(float[])} copy as always.
     *     {@link #array()} and {@link #data()} refuse such a tensor. Backends run kernels on their own worker
     *     threads: a segment of a shared, global or automatic arena is read in place by them; a confined arena's
     *     segment, which only its owner thread may access, is copied on the calling thread around every call.
     * </ul>
     *
     * @throws IllegalArgumentException for a null segment or shape, a negative dimension, a heap segment over
     *                                  anything but a float[], a segment not aligned to 4 bytes, or a segment too
     *                                  small for the shape
     */
    public static Tensor wrap(MemorySegment segment, int... shape) {
        int[] s = Shapes.checkedCopy(shape);
        long n = Shapes.numel(s);
        if (segment == null) {
            throw new IllegalArgumentException("cannot wrap a null segment as a tensor of shape " + Arrays.toString(s));
        }
        Object base = segment.heapBase().orElse(null);
        if (base != null && !(base instanceof float[])) {
            throw new IllegalArgumentException("a heap segment over a " + base.getClass().getSimpleName()
                    + " cannot be a float32 tensor of shape " + Arrays.toString(s)
                    + " in place: use a segment over a float[] or an off-heap segment");
        }
        if (segment.address() % Float.BYTES != 0) {
            throw new IllegalArgumentException("segment at " + (base != null ? "byte offset " : "address ")
                    + segment.address() + " is not aligned to 4 bytes, so it holds no float32 array of shape "
                    + Arrays.toString(s));
        }
        if (segment.byteSize() < 4 * n) {
            throw new IllegalArgumentException("shape " + Arrays.toString(s) + " needs " + n + " floats (" + 4 * n
                    + " bytes) but the segment has " + segment.byteSize() + " bytes");
        }
        if (base instanceof float[] array) {
            return wrap(array, Math.toIntExact(segment.address() / Float.BYTES), s);
        }
        return new Tensor(new SegmentStorage(segment.asSlice(0, 4 * n), n), true, s);
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code i}; negative {@code i} counts from the end. */
    public int dim(int i) {
        int j = i < 0 ? shape.length + i : i;
        if (j < 0 || j >= shape.length) {
            throw new IllegalArgumentException("dimension " + i + " out of range for shape " + Arrays.toString(shape));
        }
        return shape[j];
    }

    public long numel() {
        return numel;
    }

    public Device device() {
        return storage.device();
    }

    public Storage storage() {
        checkOpen();
        return storage;
    }

    public boolean isClosed() {
        return closed || storage.isFreed();
    }

    /**
     * The backing host array of a CPU tensor that is exactly its whole array (element i at index i, length
     * {@link #numel()}; no copy). A tensor that wraps part of a caller's array has no such array: kernels use
     * {@link #array()} and {@link #offset()} instead.
     *
     * @throws IllegalStateException for a tensor off the host, or one that covers only part of its array
     */
    public float[] data() {
        HeapStorage heap = heap("data()");
        if (!isWholeArray()) {
            throw new IllegalStateException("data() indexes the whole array from 0 but tensor "
                    + Arrays.toString(shape) + " covers elements [" + heap.offset() + ", "
                    + (heap.offset() + numel) + ") of an array of length " + heap.array().length
                    + ": use array() and offset()");
        }
        return heap.array();
    }

    /** True for a host tensor whose storage is its whole array, from index 0 to the end (what {@link #data()} needs). */
    public boolean isWholeArray() {
        checkOpen();
        return storage instanceof HeapStorage heap && heap.offset() == 0 && heap.array().length == numel;
    }

    /** True for a host tensor backed by a Java array ({@link #array()} works), at any offset. */
    public boolean hasArray() {
        checkOpen();
        return storage instanceof HeapStorage;
    }

    /** The backing host array of a CPU tensor (no copy); element i is {@code array()[offset() + i]}. */
    public float[] array() {
        return heap("array()").array();
    }

    /** Index in {@link #array()} of this tensor's element 0: 0 unless the tensor wraps a caller's array. */
    public int offset() {
        return heap("offset()").offset();
    }

    /**
     * True when this tensor and {@code other} may touch the same memory: they share a storage (a tensor and its
     * views), or both borrow overlapping ranges of one array. Two disjoint ranges of one array do not overlap.
     */
    public boolean sharesMemoryWith(Tensor other) {
        if (storage == other.storage) {
            return true;
        }
        if (storage instanceof HeapStorage a && other.storage instanceof HeapStorage b) {
            return a.overlaps(b);
        }
        return storage instanceof SegmentStorage a && other.storage instanceof SegmentStorage b && a.overlaps(b);
    }

    private HeapStorage heap(String what) {
        checkOpen();
        if (!(storage instanceof HeapStorage heap)) {
            throw new IllegalStateException(what + " needs a tensor over a Java array; this one "
                    + (device() == Device.CPU ? "wraps a memory segment" : "lives on " + device()) + ": use toArray()");
        }
        return heap;
    }

    /** A host copy of the contents, from any device. */
    public float[] toArray() {
        checkOpen();
        return storage.read(0, Math.toIntExact(numel));
    }

    /** Overwrites the contents with {@code src}, which must have exactly {@link #numel()} elements. */
    public void copyFrom(float[] src) {
        checkOpen();
        if (src == null || src.length != numel) {
            throw new IllegalArgumentException("copyFrom needs " + numel + " elements for shape "
                    + Arrays.toString(shape) + ", got " + (src == null ? "null" : src.length));
        }
        storage.write(0, src);
    }

    /** A tensor of another shape with the same number of elements over the same storage; it does not own it. */
    public Tensor view(int... newShape) {
        checkOpen();
        return new Tensor(storage, false, newShape);
    }

    /** Frees the storage if this tensor owns it; a view only stops being usable. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (owner) {
                storage.free();
            }
        }
    }

    private void checkOpen() {
        if (isClosed()) {
            throw new IllegalStateException("tensor " + Arrays.toString(shape) + " is closed");
        }
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape) + "@" + device() + (isClosed() ? " (closed)" : "");
    }
}
