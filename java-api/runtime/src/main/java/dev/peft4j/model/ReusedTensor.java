package dev.peft4j.model;

import dev.peft4j.backend.Backend;
import dev.peft4j.tensor.Tensor;
import java.util.Arrays;

/**
 * One activation or scratch tensor of a module, kept from step to step: {@link #shaped} allocates it the first
 * time and again only when the shape changes, so a training run's memory stays flat. A module declares one field
 * per tensor it keeps (grouped in its typed forward-to-backward state) and closes them with itself.
 */
final class ReusedTensor implements AutoCloseable {
    private final Backend be;
    private Tensor tensor;

    ReusedTensor(Backend be) {
        this.be = be;
    }

    /** This tensor with exactly {@code shape}; its contents are whatever the last use left. */
    Tensor shaped(int... shape) {
        if (tensor != null && Arrays.equals(tensor.shape(), shape)) {
            return tensor;
        }
        if (tensor != null) {
            tensor.close();
        }
        tensor = be.allocate(shape);
        return tensor;
    }

    /**
     * The tensor as the last {@link #shaped} call left it: what a backward reads back from its forward.
     *
     * @throws IllegalStateException when no forward has written it yet
     */
    Tensor saved() {
        if (tensor == null) {
            throw new IllegalStateException("a backward read a tensor that no forward has written; run the forward first");
        }
        return tensor;
    }

    @Override
    public void close() {
        if (tensor != null) {
            tensor.close();
            tensor = null;
        }
    }
}
