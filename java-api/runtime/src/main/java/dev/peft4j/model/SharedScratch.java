package dev.peft4j.model;

import dev.peft4j.backend.Backend;
import java.util.ArrayList;
import java.util.List;

/**
 * The backward intermediates of one layer stack, shared by all its layers: only one layer runs its backward at a
 * time, so the stack keeps one set of gradient buffers instead of one per layer.
 *
 * <p>Each layer takes its scratch through its own {@link #layer()} cursor: the k-th tensor a cursor hands out is
 * this stack's k-th slot, the same one the k-th request of every other layer gets. Layers of one stack are built
 * alike, so slot k holds the same role (and shape) in every layer. Within one layer every request gets a distinct
 * slot, so a layer's backward sees exactly what it would with buffers of its own.
 *
 * <p>What may come from here: tensors written and read within one layer's backward, and forward results that no
 * backward reads (used within the layer's forward; the next layer's forward overwrites them). What may not: what a
 * forward keeps for its backward (the next layer's forward would overwrite it) and the gradient a layer returns to
 * the layer below (that layer's backward would overwrite it while reading it).
 */
final class SharedScratch implements AutoCloseable {
    private final ReusedTensors slots;
    private final List<ReusedTensor> handedOut = new ArrayList<>();

    SharedScratch(Backend be) {
        this.slots = new ReusedTensors(be);
    }

    /** A cursor for one layer's modules, starting at slot 0. */
    ScratchSource layer() {
        return new ScratchSource() {
            private int next;

            @Override
            public ReusedTensor next() {
                if (next == handedOut.size()) {
                    handedOut.add(slots.next());
                }
                return handedOut.get(next++);
            }
        };
    }

    /** How many slots the layers asked for at most (one layer's worth). */
    int slots() {
        return handedOut.size();
    }

    /** Frees every slot's tensor; the layers must not run a backward afterwards. */
    @Override
    public void close() {
        slots.close();
    }
}
