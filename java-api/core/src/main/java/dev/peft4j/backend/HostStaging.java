package dev.peft4j.backend;

import dev.peft4j.tensor.Tensor;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Copy-in/copy-out for a host kernel that indexes whole arrays from 0 ({@link Tensor#data()}): each argument that
 * wraps only part of a caller's array ({@link Tensor#wrap(float[], int, int...)}) is replaced, for one call, by a
 * compact copy; on {@link #close()} every copy whose contents the kernel changed is written back into the caller's
 * range, and all copies are freed. Tensors that are their whole array pass through untouched (no copy). Used only by the kernels that do
 * not read offsets themselves; which ones those are is listed where each backend uses it.
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

    private final Map<Tensor, Copy> copies = new IdentityHashMap<>();

    private HostStaging() {}

    /** Stages the given tensors (nulls and offset-0 tensors are passed through). */
    public static HostStaging of(Tensor... tensors) {
        HostStaging st = new HostStaging();
        for (Tensor t : tensors) {
            st.stage(t);
        }
        return st;
    }

    /** Also stages every tensor of {@code tensors}. */
    public HostStaging and(Tensor[] tensors) {
        if (tensors != null) {
            for (Tensor t : tensors) {
                stage(t);
            }
        }
        return this;
    }

    /** The tensor a kernel should use for {@code t}: its compact copy, or t itself (also for null). */
    public Tensor get(Tensor t) {
        if (t == null) {
            return null;
        }
        Copy c = copies.get(t);
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

    private void stage(Tensor t) {
        if (t == null || copies.containsKey(t) || t.isWholeArray()) {
            return;
        }
        float[] contents = t.toArray();
        copies.put(t, new Copy(Tensor.of(contents, t.shape()), contents));
    }

    /**
     * Writes back every copy the kernel changed (compared bit for bit with its contents when staged, so an input
     * staged twice through two wraps of one range never overwrites what an in-place output wrote), then frees
     * the copies.
     */
    @Override
    public void close() {
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
