package dev.peft4j.model;

import dev.peft4j.backend.Backend;
import dev.peft4j.tensor.Shapes;
import dev.peft4j.tensor.Tensor;
import java.util.Arrays;

/**
 * One activation or scratch tensor of a module, kept from step to step, so that a training run's memory stays
 * flat. {@link #shaped} allocates it the first time; a later shape with no more elements than the largest so far
 * is a view of the first elements of that allocation (host tensors; a device tensor is allocated again), and only
 * a larger one allocates anew. Batches of changing size and length, as an embedding service sees them, then cost
 * no allocation once the largest has run (each new allocation zeroes tens of MB: G1 takes an array of over half a
 * region as a humongous object, and a run of them starts GC cycles). A module declares one field per tensor it
 * keeps (grouped in its typed forward-to-backward state) and closes them with itself.
 */
final class ReusedTensor implements AutoCloseable {
    private final Backend be;
    private Tensor backing;   // the largest allocation so far, owned
    private Tensor current;   // what shaped() last returned: backing itself or a view of its first elements

    ReusedTensor(Backend be) {
        this.be = be;
    }

    /** This tensor with exactly {@code shape}; its contents are whatever the last use left (zeros when new). */
    Tensor shaped(int... shape) {
        if (current != null && Arrays.equals(current.shape(), shape)) {
            return current;
        }
        long n = Shapes.numel(Shapes.checkedCopy(shape));
        if (backing != null && backing.hasArray() && n <= backing.numel()) {
            closeView();
            current = Tensor.wrap(backing.array(), backing.offset(), shape);
            return current;
        }
        close();
        backing = be.allocate(shape);
        current = backing;
        return current;
    }

    /**
     * The tensor as the last {@link #shaped} call left it: what a backward reads back from its forward.
     *
     * @throws IllegalStateException when no forward has written it yet
     */
    Tensor saved() {
        if (current == null) {
            throw new IllegalStateException("a backward read a tensor that no forward has written; run the forward first");
        }
        return current;
    }

    private void closeView() {
        if (current != null && current != backing) {
            current.close(); // a view: it only stops being usable
        }
        current = null;
    }

    @Override
    public void close() {
        closeView();
        if (backing != null) {
            backing.close();
            backing = null;
        }
    }
}
