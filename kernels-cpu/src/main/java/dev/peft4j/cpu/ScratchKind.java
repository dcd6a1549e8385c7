package dev.peft4j.cpu;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * One kind of kernel scratch memory (GEMM packing panels, attention tiles, a row buffer): how to make a set. Sets
 * are handed out by {@link WorkerPool#acquire}: each worker thread keeps its own, calling threads borrow one from
 * a bounded pool, so the memory a backend holds follows its thread count, not the number of threads that call it.
 *
 * @param <T> the scratch set's type
 */
final class ScratchKind<T> {
    private final String name;
    private final Supplier<T> factory;
    private final AtomicLong created = new AtomicLong();

    ScratchKind(String name, Supplier<T> factory) {
        this.name = name;
        this.factory = factory;
    }

    T create() {
        created.incrementAndGet();
        return factory.get();
    }

    /** Sets of this kind made so far, by every pool (for tests). */
    long created() {
        return created.get();
    }

    @Override
    public String toString() {
        return name;
    }
}
