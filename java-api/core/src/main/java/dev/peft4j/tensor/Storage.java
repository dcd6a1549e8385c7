package dev.peft4j.tensor;

/**
 * The memory behind one or more tensors. Exactly one owner frees it; views share it without owning it.
 * Every implementation reports its size to {@link MemoryAccounting} while it is alive.
 */
public interface Storage {
    Device device();

    /** Number of float32 elements. */
    long length();

    /** True once {@link #free()} has run; any use afterwards is an error. */
    boolean isFreed();

    /** Releases the memory; idempotent. */
    void free();

    /** Copies {@code count} elements starting at {@code offset} to a new host array. */
    float[] read(long offset, int count);

    /** Copies {@code src} into the storage starting at {@code offset}. */
    void write(long offset, float[] src);
}
