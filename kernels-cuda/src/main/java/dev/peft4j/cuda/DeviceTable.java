package dev.peft4j.cuda;

import java.util.Arrays;
import org.bytedeco.javacpp.Pointer;

/**
 * An int64 table on the device (tensor addresses and sizes for the multi-tensor kernels: AdamW, gradient clipping)
 * uploaded only when its contents change: a training loop passes the same tensors every step, so after the first
 * step no upload (and no wait for the stream) is needed. Equal contents mean equal device addresses and sizes, so a
 * reused table is the right one even when tensors were freed and others allocated at the same addresses.
 */
final class DeviceTable implements AutoCloseable {
    private CudaStorage storage;
    private long[] uploaded;

    /** The device copy of {@code values}, uploaded (a synchronous copy) unless the last upload had the same values. */
    Pointer upload(long[] values, String what) {
        if (uploaded != null && Arrays.equals(uploaded, values)) {
            return storage.pointer();
        }
        if (storage == null || storage.length() < 2L * values.length) {
            if (storage != null) {
                storage.free();
            }
            uploaded = null;
            storage = new CudaStorage(Math.max(2, 2L * values.length)); // two floats of storage per int64
        }
        if (values.length > 0) {
            CudaStatus.check(Peft4jNative.peft4j_copy_bytes_to_device(storage.pointer(), values, 8L * values.length),
                    "upload of the " + values.length + " int64s of " + what);
        }
        uploaded = values.clone();
        return storage.pointer();
    }

    @Override public void close() {
        if (storage != null) {
            CudaStorage s = storage;
            storage = null;
            uploaded = null;
            s.free();
        }
    }
}
