package dev.peft4j.model;

import dev.peft4j.backend.Backend;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@link ReusedTensor}s of one module, created through {@link #next()} so that one {@link #close()} frees them
 * all: the module that creates the pool owns every tensor in it.
 */
final class ReusedTensors implements ScratchSource, AutoCloseable {
    private final Backend be;
    private final List<ReusedTensor> all = new ArrayList<>();

    ReusedTensors(Backend be) {
        this.be = be;
    }

    /** A new, still unallocated tensor owned by this pool. */
    @Override
    public ReusedTensor next() {
        ReusedTensor t = new ReusedTensor(be);
        all.add(t);
        return t;
    }

    @Override
    public void close() {
        all.forEach(ReusedTensor::close);
    }
}
