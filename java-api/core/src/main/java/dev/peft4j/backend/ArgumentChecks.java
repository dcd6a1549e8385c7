package dev.peft4j.backend;

import dev.peft4j.tensor.Device;
import dev.peft4j.tensor.SegmentStorage;
import dev.peft4j.tensor.Shapes;
import dev.peft4j.tensor.Tensor;
import java.util.Arrays;

/** The checks {@link ValidatingBackend} runs; each failure names the argument and the shapes involved. */
final class ArgumentChecks {
    private final String op;
    private final Device device;

    ArgumentChecks(String op, Device device) {
        this.op = op;
        this.device = device;
    }

    IllegalArgumentException fail(String message) {
        return new ShapeMismatchException(op + ": " + message);
    }

    /** A present, open tensor on the backend's device. */
    Tensor tensor(String name, Tensor t) {
        if (t == null) {
            throw new IllegalArgumentException(op + ": " + name + " is null");
        }
        if (t.isClosed()) {
            throw new IllegalArgumentException(op + ": " + name + " " + Shapes.str(t) + " is closed");
        }
        if (t.device() != device) {
            throw new IllegalArgumentException(op + ": " + name + " lives on " + t.device()
                    + " but this backend computes on " + device
                    + (t.device() == Device.CPU ? " (host data, wrapped arrays included, goes to the device through"
                            + " backend.fromHost(...) or backend.upload(...))" : ""));
        }
        return t;
    }

    /** Like {@link #tensor} but null passes. */
    Tensor optional(String name, Tensor t) {
        return t == null ? null : tensor(name, t);
    }

    /** The tensor has exactly this shape. */
    void shape(String name, Tensor t, int... expected) {
        if (t != null && !Arrays.equals(t.shape(), expected)) {
            throw fail(name + " must have shape " + Arrays.toString(expected) + " but has " + Shapes.str(t));
        }
    }

    /** The tensor has rank ≥ 1 and its last dimension is d; returns its row count. */
    int lastDim(String name, Tensor t, int d) {
        if (t.rank() < 1 || t.dim(-1) != d) {
            throw fail(name + " must have last dimension " + d + " but has shape " + Shapes.str(t));
        }
        return Shapes.rows(t);
    }

    /** The tensor is a matrix [rows, cols] (rank ≥ 2 flattened to rows × last). */
    int[] matrix(String name, Tensor t) {
        if (t.rank() < 2) {
            throw fail(name + " must have rank ≥ 2 but has shape " + Shapes.str(t));
        }
        return new int[] {Shapes.rows(t), t.dim(-1)};
    }

    void rows(String name, Tensor t, int rows) {
        if (t != null && Shapes.rows(t) != rows) {
            throw fail(name + " must have " + rows + " rows but has shape " + Shapes.str(t));
        }
    }

    void sameShape(String name, Tensor t, String refName, Tensor ref) {
        if (t != null && !Arrays.equals(t.shape(), ref.shape())) {
            throw fail(name + " " + Shapes.str(t) + " must have the shape of " + refName + " " + Shapes.str(ref));
        }
    }

    void sameNumel(String name, Tensor t, String refName, Tensor ref) {
        if (t.numel() != ref.numel()) {
            throw fail(name + " " + Shapes.str(t) + " must have as many elements as " + refName + " " + Shapes.str(ref));
        }
    }

    void finite(String name, float value) {
        if (!Float.isFinite(value)) {
            throw new IllegalArgumentException(op + ": " + name + " must be finite, got " + value);
        }
    }

    void notNull(String name, Object o) {
        if (o == null) {
            throw new IllegalArgumentException(op + ": " + name + " is null");
        }
    }

    /** Every id lies in [0, bound), except {@code allowed} if given. */
    void ids(String name, int[] ids, int bound, Integer allowed) {
        notNull(name, ids);
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            if ((id < 0 || id >= bound) && (allowed == null || id != allowed)) {
                throw fail(name + "[" + i + "] = " + id + " is outside [0, " + bound + ")"
                        + (allowed == null ? "" : " and is not " + allowed));
            }
        }
    }

    /**
     * No two of the given tensors may touch the same memory (an output aliasing an input the method does not
     * allow): neither one storage nor overlapping ranges of one wrapped array ({@link Tensor#sharesMemoryWith}).
     */
    void distinct(String[] names, Tensor... ts) {
        for (int i = 0; i < ts.length; i++) {
            if (ts[i] == null) {
                continue;
            }
            for (int j = 0; j < i; j++) {
                if (ts[j] != null && ts[j].sharesMemoryWith(ts[i])) {
                    throw fail(names[j] + " and " + names[i] + " share storage (" + Shapes.str(ts[j]) + " and "
                            + Shapes.str(ts[i]) + " overlap in memory); they must be distinct tensors");
                }
            }
        }
    }

    /**
     * An output that may be computed in place: {@code out} is either the very same elements as {@code in} (one
     * storage, or one wrapped array at one offset) or shares no memory with it; a shifted overlap is rejected.
     */
    void inPlaceOrDisjoint(String inName, Tensor in, String outName, Tensor out) {
        if (in == null || out == null || !in.sharesMemoryWith(out) || in.storage() == out.storage()) {
            return;
        }
        if (in.hasArray() && out.hasArray() && in.array() == out.array() && in.offset() == out.offset()) {
            return;
        }
        if (in.storage() instanceof SegmentStorage a && out.storage() instanceof SegmentStorage b
                && a.segment().address() == b.segment().address()
                && a.segment().heapBase().equals(b.segment().heapBase())) {
            return;
        }
        throw fail(outName + " " + Shapes.str(out) + " overlaps " + inName + " " + Shapes.str(in)
                + " at a different offset; an in-place output must be exactly its input or distinct from it");
    }
}
