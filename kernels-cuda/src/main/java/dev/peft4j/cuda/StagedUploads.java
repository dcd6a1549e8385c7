package dev.peft4j.cuda;

import static dev.peft4j.cuda.Peft4jNative.*;

import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * A step's host inputs put on the device without waiting for the stream's queued work: each upload is written into
 * pinned staging memory and copied asynchronously on the backend's stream, so kernels queued after it see it.
 * {@link #ints} holds int32 kernel inputs (token ids, targets, embedding-gradient groups, adapter choices) in the
 * slot's own device memory, and an array equal to one a slot holds is not uploaded again (positions, token types and
 * [CLS] rows repeat every step, ids and targets repeat between forward and backward); {@link #floats} writes into a
 * tensor (a key mask). {@link #SLOTS} slots are reused least recently used first.
 *
 * <p>Safety: a slot's staging memory is rewritten only after its previous copy has completed (its event), and its
 * device memory only by a copy queued after every kernel that read the old contents (stream order).
 */
final class StagedUploads implements AutoCloseable {
    static final int SLOTS = 8;

    private final Slot[] slots = new Slot[SLOTS];
    private long clock;

    /** The device address of {@code values} as int32, uploaded on {@code stream} unless a slot holds them already. */
    Pointer ints(int[] values, Pointer stream) {
        for (Slot s : slots) {
            if (s != null && s.content != null && Arrays.equals(s.content, values)) {
                s.used = ++clock;
                return s.device.pointer();
            }
        }
        Slot victim = leastRecentlyUsed();
        victim.fill(values, stream);
        victim.used = ++clock;
        return victim.device.pointer();
    }

    /** {@code values} into the device floats at {@code dst}, queued on {@code stream}. */
    void floats(float[] values, Pointer dst, Pointer stream) {
        Slot victim = leastRecentlyUsed();
        victim.write(values, dst, stream);
        victim.used = ++clock;
    }

    /** The slot used longest ago (an unused one first, created on demand). */
    private Slot leastRecentlyUsed() {
        Slot victim = null;
        for (int i = 0; i < SLOTS; i++) {
            if (slots[i] == null) {
                slots[i] = new Slot();
            }
            victim = victim == null || slots[i].used < victim.used ? slots[i] : victim;
        }
        return victim;
    }

    @Override
    public void close() {
        for (int i = 0; i < SLOTS; i++) {
            if (slots[i] != null) {
                Slot s = slots[i];
                slots[i] = null;
                s.close();
            }
        }
    }

    /** Pinned staging memory, device memory and the event of the last copy between them. */
    private static final class Slot implements AutoCloseable {
        int[] content;
        long used;
        CudaStorage device;
        Pointer staging;
        long stagingBytes;
        Pointer event;

        /** values into this slot's device memory, remembered for reuse. */
        void fill(int[] values, Pointer stream) {
            content = null; // until the new copy is queued
            if (device == null || device.length() < values.length) {
                if (device != null) {
                    device.free(); // cudaFree waits for the kernels that may still read it
                }
                device = new CudaStorage(Math.max(1, values.length));
            }
            Pointer src = stage(4L * values.length);
            if (values.length > 0) {
                new IntPointer(src).capacity(values.length).put(values, 0, values.length);
            }
            copy(device.pointer(), src, 4L * values.length, stream, values.length + " ints");
            content = values.clone();
        }

        /** values into the device floats at dst (not remembered: dst is the caller's). */
        void write(float[] values, Pointer dst, Pointer stream) {
            content = null;
            Pointer src = stage(4L * values.length);
            if (values.length > 0) {
                new FloatPointer(src).capacity(values.length).put(values, 0, values.length);
            }
            copy(dst, src, 4L * values.length, stream, values.length + " floats");
        }

        /** Pinned staging memory of at least {@code bytes}, once the slot's previous copy out of it has completed. */
        private Pointer stage(long bytes) {
            if (event == null) {
                try (PointerPointer<Pointer> out = new PointerPointer<>(1)) {
                    CudaStatus.check(peft4j_event_create(out), "cudaEventCreate for an upload slot");
                    event = out.get(0);
                }
            }
            CudaStatus.check(peft4j_event_synchronize(event), "wait for an upload slot's previous copy");
            if (stagingBytes < bytes) {
                freeStaging();
                long grown = Math.max(bytes, 2 * stagingBytes);
                try (PointerPointer<Pointer> out = new PointerPointer<>(1)) {
                    CudaStatus.check(peft4j_host_alloc_pinned(out, grown), "cudaMallocHost of " + grown + " bytes");
                    staging = out.get(0);
                    stagingBytes = grown;
                }
            }
            return staging;
        }

        private void copy(Pointer dst, Pointer src, long bytes, Pointer stream, String what) {
            CudaStatus.check(peft4j_copy_to_device_async(dst, bytes > 0 ? src : null, bytes, event, stream),
                    "asynchronous upload of " + what);
        }

        private void freeStaging() {
            if (staging != null) {
                Pointer p = staging;
                staging = null;
                stagingBytes = 0;
                CudaStatus.check(peft4j_host_free_pinned(p), "cudaFreeHost");
            }
        }

        @Override
        public void close() {
            try {
                if (event != null) {
                    CudaStatus.check(peft4j_event_synchronize(event), "wait for an upload slot's last copy");
                }
            } finally {
                freeStaging();
                if (device != null) {
                    device.free();
                    device = null;
                }
                if (event != null) {
                    Pointer e = event;
                    event = null;
                    CudaStatus.check(peft4j_event_destroy(e), "cudaEventDestroy");
                }
            }
        }
    }
}
