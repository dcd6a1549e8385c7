package dev.peft4j.backend;

import dev.peft4j.tensor.SegmentStorage;
import dev.peft4j.tensor.Tensor;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Copy-in/copy-out at a host backend's boundary, for tensors a kernel cannot index in place: each such argument
 * is replaced, for one call, by a compact copy over a new array; on {@link #close()} every copy whose contents the
 * kernel changed is written back into the caller's memory, and all copies are freed. Two policies:
 * <ul>
 * <li>{@link #of}: for kernels that index whole arrays from 0 ({@link Tensor#data()}): stages every tensor that is
 *     not its whole array (a {@link Tensor#wrap(float[], int, int...)} of part of an array, or a wrapped
 *     off-heap segment);
 * <li>{@link #arraysOnly}: for kernels that read {@link Tensor#array()} at {@link Tensor#offset()}: stages only
 *     tensors without a Java array (wrapped off-heap segments, {@link Tensor#wrap(java.lang.foreign.MemorySegment,
 *     int...)}); wrapped arrays pass through zero-copy.
 * </ul>
 * {@link #andThreadConfined} adds tensors that a kernel reads in place from any thread (arrays and off-heap
 * segments alike) but that live in a confined arena's segment, which worker threads may not touch: only those are
 * staged, on the calling thread.
 * Which kernels use which is listed where each backend uses it.
 *
 * <pre>{@code
 * try (HostStaging st = HostStaging.of(x, y)) {
 *     kernel(st.get(x), st.get(y));
 * }
 * }</pre>
 */
public final class HostStaging implements AutoCloseable {
    /** A compact copy and the contents it started with (to tell what the kernel wrote). */
    private record Copy(Tensor tensor, float[] before) {}

    /** Tensors staged by each thread so far (see {@link #stagedByThisThread()}). */
    private static final ThreadLocal<long[]> STAGED = ThreadLocal.withInitial(() -> new long[1]);

    private Map<Tensor, Copy> copies; // made on the first staged tensor: most calls stage none

    private HostStaging(boolean arraysPass) {
        this.arraysPass = arraysPass;
    }

    private final boolean arraysPass;

    /** Stages every tensor that is not its whole array (nulls and whole-array tensors pass through). */
    public static HostStaging of(Tensor... tensors) {
        return new HostStaging(false).and(tensors);
    }

    /** Stages only the tensors without a Java array (wrapped off-heap segments); nulls and arrays pass through. */
    public static HostStaging arraysOnly(Tensor... tensors) {
        return new HostStaging(true).and(tensors);
    }

    /** Also stages, under this staging's policy, every tensor of {@code tensors} (null: none). */
    public HostStaging and(Tensor[] tensors) {
        if (tensors != null) {
            for (Tensor t : tensors) {
                stage(t);
            }
        }
        return this;
    }

    /**
     * Also stages each tensor of {@code tensors} that wraps an off-heap segment only its owner thread may access
     * ({@link SegmentStorage#isSharedAcrossThreads()} false: a confined arena's); every other tensor passes through
     * zero-copy. For kernels that read arrays and shared segments in place on worker threads.
     */
    public HostStaging andThreadConfined(Tensor... tensors) {
        for (Tensor t : tensors) {
            if (t != null && !t.hasArray() && t.storage() instanceof SegmentStorage s && !s.isSharedAcrossThreads()) {
                copy(t);
            }
        }
        return this;
    }

    /** The tensor a kernel should use for {@code t}: its compact copy, or t itself (also for null). */
    public Tensor get(Tensor t) {
        if (t == null) {
            return null;
        }
        Copy c = copies == null ? null : copies.get(t);
        return c == null ? t : c.tensor();
    }

    /** {@link #get(Tensor)} for each element (null stays null). */
    public Tensor[] get(Tensor[] ts) {
        if (ts == null) {
            return null;
        }
        Tensor[] out = new Tensor[ts.length];
        for (int i = 0; i < ts.length; i++) {
            out[i] = get(ts[i]);
        }
        return out;
    }

    /**
     * How many tensors the calling thread has staged (copied to a compact array) since it started, over every
     * HostStaging: a backend call that is zero-copy for its arguments leaves it unchanged. For tests and
     * diagnostics; a backend stages on the thread that calls it.
     */
    public static long stagedByThisThread() {
        return STAGED.get()[0];
    }

    private void stage(Tensor t) {
        if (t == null || (arraysPass ? t.hasArray() : t.isWholeArray())) {
            return;
        }
        copy(t);
    }

    private void copy(Tensor t) {
        if (copies == null) {
            copies = new IdentityHashMap<>();
        } else if (copies.containsKey(t)) {
            return;
        }
        float[] contents = t.toArray();
        copies.put(t, new Copy(Tensor.of(contents, t.shape()), contents));
        STAGED.get()[0]++;
    }

    /**
     * Writes back every copy the kernel changed (compared bit for bit with its contents when staged, so an input
     * staged twice through two wraps of one range never overwrites what an in-place output wrote), then frees
     * the copies.
     */
    @Override
    public void close() {
        if (copies == null) {
            return;
        }
        for (Map.Entry<Tensor, Copy> e : copies.entrySet()) {
            Copy c = e.getValue();
            float[] after = c.tensor().data();
            float[] before = c.before();
            for (int i = 0; i < after.length; i++) {
                if (Float.floatToRawIntBits(after[i]) != Float.floatToRawIntBits(before[i])) {
                    e.getKey().copyFrom(after);
                    break;
                }
            }
            c.tensor().close();
        }
        copies.clear();
    }
}
