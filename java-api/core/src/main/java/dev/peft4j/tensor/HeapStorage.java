package dev.peft4j.tensor;

/** Host storage in a Java float array: the layout the reference and Vector-API kernels read fastest. */
public final class HeapStorage implements Storage {
    private float[] data;
    private final long bytes;

    public HeapStorage(float[] data) {
        this.data = data;
        this.bytes = 4L * data.length;
        MemoryAccounting.allocated(Device.CPU, bytes);
    }

    public HeapStorage(int length) {
        this(new float[length]);
    }

    /** The backing array; callers index it from 0 (a tensor's storage is never offset). */
    public float[] array() {
        if (data == null) {
            throw new IllegalStateException("storage is closed");
        }
        return data;
    }

    @Override public Device device() { return Device.CPU; }

    @Override public long length() { return bytes / 4; }

    @Override public boolean isFreed() { return data == null; }

    @Override public void free() {
        if (data != null) {
            data = null;
            MemoryAccounting.freed(Device.CPU, bytes);
        }
    }

    @Override public float[] read(long offset, int count) {
        float[] out = new float[count];
        System.arraycopy(array(), Math.toIntExact(offset), out, 0, count);
        return out;
    }

    @Override public void write(long offset, float[] src) {
        System.arraycopy(src, 0, array(), Math.toIntExact(offset), src.length);
    }
}
