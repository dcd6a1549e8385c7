package dev.peft4j.validation;

import dev.peft4j.tensor.Device;
import dev.peft4j.tensor.MemoryAccounting;
import dev.peft4j.tensor.Storage;

/** A storage that claims to live on a GPU (held on the host), to test that kernels refuse another device's tensors. */
final class FakeCudaStorage implements Storage {
    private float[] data;
    private final long bytes;

    FakeCudaStorage(int length) {
        this.data = new float[length];
        this.bytes = 4L * length;
        MemoryAccounting.allocated(Device.CUDA, bytes);
    }

    @Override public Device device() { return Device.CUDA; }

    @Override public long length() { return bytes / 4; }

    @Override public boolean isFreed() { return data == null; }

    @Override public void free() {
        if (data != null) {
            data = null;
            MemoryAccounting.freed(Device.CUDA, bytes);
        }
    }

    @Override public float[] read(long offset, int count) {
        float[] out = new float[count];
        System.arraycopy(data, (int) offset, out, 0, count);
        return out;
    }

    @Override public void write(long offset, float[] src) {
        System.arraycopy(src, 0, data, (int) offset, src.length);
    }
}
