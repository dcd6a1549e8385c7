package dev.peft4j.cuda;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Pointer;

/**
 * One backend's per-call device workspaces, carved from one growing buffer instead of a cudaMalloc and cudaFree
 * per call (cudaFree waits for the whole device). A kernel call starts with {@link #reset()} and then takes what it
 * needs with {@link #take}; the next call may reuse the same bytes because every use is ordered on the backend's one
 * stream (kernels) or on the legacy default stream, which waits for that stream (the synchronous uploads).
 *
 * <p>When a call needs more than the buffer holds, a larger buffer is made and the old one is kept until the next
 * {@link #reset()}, so the addresses handed out earlier in the same call stay valid. Counted in
 * {@link dev.peft4j.tensor.MemoryAccounting} like any device storage; {@link #close()} frees it.
 */
final class DeviceScratch implements AutoCloseable {
    /** Every piece starts on a multiple of this many floats (256 bytes), as cudaMalloc's own alignment. */
    static final long ALIGN_FLOATS = 64;
    private static final long MIN_FLOATS = 1 << 16;

    private CudaStorage buffer;
    private long used;
    private final List<CudaStorage> retired = new ArrayList<>();

    /** Starts a new kernel call: everything taken before may be reused. */
    void reset() {
        used = 0;
        freeRetired();
    }

    /** The device address of {@code floats} floats for this call (at least one float, aligned). */
    Pointer take(long floats) {
        if (floats < 0) {
            throw new IllegalArgumentException("a workspace of " + floats + " floats");
        }
        long size = roundUp(Math.max(1, floats));
        if (buffer == null || used + size > buffer.length()) {
            long capacity = Math.max(MIN_FLOATS, Math.max(size, buffer == null ? 0 : 2 * buffer.length()));
            CudaStorage grown = new CudaStorage(capacity);
            if (buffer != null) {
                retired.add(buffer);
            }
            buffer = grown;
            used = 0;
        }
        Pointer p = DeviceAddress.plus(buffer.pointer(), used);
        used += size;
        return p;
    }

    /** Floats of device memory held now (the current buffer and those kept for the current call). */
    long heldFloats() {
        long n = buffer == null ? 0 : buffer.length();
        for (CudaStorage s : retired) {
            n += s.length();
        }
        return n;
    }

    /** Frees all device memory; the backend's stream must have been synchronized. */
    @Override public void close() {
        freeRetired();
        if (buffer != null) {
            CudaStorage b = buffer;
            buffer = null;
            b.free();
        }
        used = 0;
    }

    private void freeRetired() {
        while (!retired.isEmpty()) {
            retired.remove(retired.size() - 1).free();
        }
    }

    static long roundUp(long floats) {
        return (floats + ALIGN_FLOATS - 1) / ALIGN_FLOATS * ALIGN_FLOATS;
    }
}
