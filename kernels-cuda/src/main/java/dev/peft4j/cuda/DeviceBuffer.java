package dev.peft4j.cuda;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/** A device allocation of {@code count} floats, owned by this object and freed by {@link #close()}. */
final class DeviceBuffer implements AutoCloseable {
    private final long count;
    private Pointer device;

    private DeviceBuffer(long count) {
        this.count = count;
        try (PointerPointer<Pointer> out = new PointerPointer<>(1)) {
            CudaStatus.check(Peft4jNative.peft4j_device_alloc(out, count), "cudaMalloc of " + count + " floats");
            this.device = out.get(0);
        }
    }

    /** A new buffer of {@code count} floats with unspecified contents. */
    static DeviceBuffer allocate(long count) {
        return new DeviceBuffer(count);
    }

    /** A new buffer holding a copy of {@code host}. */
    static DeviceBuffer of(float[] host) {
        DeviceBuffer buffer = new DeviceBuffer(host.length);
        try {
            CudaStatus.check(Peft4jNative.peft4j_copy_to_device(buffer.device, host, host.length), "copy to device");
        } catch (RuntimeException e) {
            buffer.close();
            throw e;
        }
        return buffer;
    }

    /** The device pointer for a native call. */
    Pointer pointer() {
        if (device == null && count > 0) {
            throw new IllegalStateException("device buffer is closed");
        }
        return device;
    }

    /** A host copy of the contents. */
    float[] toHost() {
        float[] host = new float[Math.toIntExact(count)];
        CudaStatus.check(Peft4jNative.peft4j_copy_to_host(host, pointer(), count), "copy to host");
        return host;
    }

    @Override
    public void close() {
        if (device != null) {
            Pointer p = device;
            device = null;
            CudaStatus.check(Peft4jNative.peft4j_device_free(p), "cudaFree");
        }
    }
}
