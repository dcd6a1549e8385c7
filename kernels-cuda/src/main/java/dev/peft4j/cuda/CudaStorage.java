package dev.peft4j.cuda;

import dev.peft4j.tensor.Device;
import dev.peft4j.tensor.MemoryAccounting;
import dev.peft4j.tensor.Storage;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Device memory of {@code length} floats behind a tensor of the CUDA backend, counted in {@link MemoryAccounting}
 * as {@link Device#CUDA} until {@link #free()}. Host copies only through {@link #read} and {@link #write}.
 */
final class CudaStorage implements Storage, AutoCloseable {
    private final long length;
    private Pointer device; // null for length 0
    private boolean freed;

    CudaStorage(long length) {
        if (length < 0) {
            throw new IllegalArgumentException("device storage of " + length + " floats");
        }
        this.length = length;
        try (PointerPointer<Pointer> out = new PointerPointer<>(1)) {
            CudaStatus.check(Peft4jNative.peft4j_device_alloc(out, length), "cudaMalloc of " + length + " floats");
            this.device = out.get(0);
        }
        MemoryAccounting.allocated(Device.CUDA, 4L * length);
    }

    /** The device address of element 0 for a native call. */
    Pointer pointer() {
        if (freed) {
            throw new IllegalStateException("device storage is freed");
        }
        return device;
    }

    @Override public Device device() { return Device.CUDA; }

    @Override public long length() { return length; }

    @Override public boolean isFreed() { return freed; }

    @Override public void free() {
        if (!freed) {
            freed = true;
            Pointer p = device;
            device = null;
            MemoryAccounting.freed(Device.CUDA, 4L * length);
            CudaStatus.check(Peft4jNative.peft4j_device_free(p), "cudaFree");
        }
    }

    /** Frees the memory (the workspaces of a kernel call are used in try-with-resources). */
    @Override public void close() {
        free();
    }

    @Override public float[] read(long offset, int count) {
        checkRange(offset, count);
        float[] out = new float[count];
        if (count > 0) {
            CudaStatus.check(Peft4jNative.peft4j_copy_to_host(out, DeviceAddress.plus(pointer(), offset), count),
                    "copy of " + count + " floats to the host");
        }
        return out;
    }

    @Override public void write(long offset, float[] src) {
        checkRange(offset, src.length);
        if (src.length > 0) {
            CudaStatus.check(Peft4jNative.peft4j_copy_to_device(DeviceAddress.plus(pointer(), offset), src, src.length),
                    "copy of " + src.length + " floats to the device");
        }
    }

    private void checkRange(long offset, long count) {
        if (offset < 0 || count < 0 || offset + count > length) {
            throw new IndexOutOfBoundsException("elements [" + offset + ", " + (offset + count) + ") of a device storage of "
                    + length);
        }
    }
}
