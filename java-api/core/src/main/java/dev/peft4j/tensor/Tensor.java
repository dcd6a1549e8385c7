package dev.peft4j.tensor;

import java.util.Arrays;

/**
 * A dense, row-major float32 tensor on one device. The tensor that created its storage owns it and frees it
 * on {@link #close()}; a {@link #view(int...)} shares the storage without owning it.
 *
 * <p>Host tensors (device CPU) expose their array through {@link #data()} for kernels; every other access
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

    /** The backing host array of a CPU tensor (no copy). */
    public float[] data() {
        checkOpen();
        if (!(storage instanceof HeapStorage heap)) {
            throw new IllegalStateException("data() needs a host tensor; this one lives on " + device()
                    + ": use toArray()");
        }
        return heap.array();
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
