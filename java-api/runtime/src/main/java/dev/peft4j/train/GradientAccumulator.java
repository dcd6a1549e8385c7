package dev.peft4j.train;

import dev.peft4j.backend.Backend;
import dev.peft4j.model.Parameter;
import dev.peft4j.tensor.Tensor;
import java.util.List;

/**
 * Sums micro-batch gradients (kernels overwrite gradients, so each backward's result is added here) and moves the
 * sum back into the parameters' gradients before the optimizer step. Owns one tensor per parameter.
 */
final class GradientAccumulator implements AutoCloseable {
    private final Backend be;
    private final List<Parameter> params;
    private final Tensor[] sums;
    private boolean empty = true;

    GradientAccumulator(Backend be, List<Parameter> params) {
        this.be = be;
        this.params = params;
        this.sums = new Tensor[params.size()];
        for (int i = 0; i < sums.length; i++) {
            sums[i] = be.allocate(params.get(i).value().shape());
        }
    }

    /** Adds the parameters' current gradients to the sums (the first call of a step copies them). */
    void add() {
        for (int i = 0; i < sums.length; i++) {
            if (empty) {
                be.copy(params.get(i).grad(), sums[i]);
            } else {
                be.axpy(1f, params.get(i).grad(), sums[i]);
            }
        }
        empty = false;
    }

    /** Copies the sums into the parameters' gradients and starts a new sum. */
    void moveIntoGradients() {
        for (int i = 0; i < sums.length; i++) {
            be.copy(sums[i], params.get(i).grad());
        }
        empty = true;
    }

    @Override
    public void close() {
        for (Tensor t : sums) {
            t.close();
        }
    }
}
