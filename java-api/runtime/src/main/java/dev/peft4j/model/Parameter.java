package dev.peft4j.model;

import dev.peft4j.backend.Backend;
import dev.peft4j.tensor.Tensor;
import java.util.List;

/**
 * A named model parameter: its value, and a gradient of the same shape once it is made trainable.
 * Frozen parameters have no gradient tensor at all, so the backward never computes one for them.
 */
public final class Parameter implements AutoCloseable {
    private final String name;
    private final Tensor value;
    private Tensor grad;

    public Parameter(String name, Tensor value) {
        if (name == null || value == null) {
            throw new IllegalArgumentException("a parameter needs a name and a value (got " + name + ", " + value + ")");
        }
        this.name = name;
        this.value = value;
    }

    public String name() {
        return name;
    }

    public Tensor value() {
        return value;
    }

    /** The gradient, or null while frozen. Kernels overwrite it on every backward. */
    public Tensor grad() {
        return grad;
    }

    public boolean trainable() {
        return grad != null;
    }

    public long numel() {
        return value.numel();
    }

    /** Makes the parameter trainable (allocating its gradient) or frozen (freeing it). */
    public void setTrainable(Backend backend, boolean trainable) {
        if (trainable && grad == null) {
            grad = backend.allocate(value.shape());
        } else if (!trainable && grad != null) {
            grad.close();
            grad = null;
        }
    }

    /** The parameter called {@code name} in {@code params}, or null. */
    public static Parameter named(List<Parameter> params, String name) {
        for (Parameter p : params) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }

    @Override
    public void close() {
        value.close();
        if (grad != null) {
            grad.close();
        }
    }

    @Override
    public String toString() {
        return name + value.toString().substring("Tensor".length()) + (trainable() ? " trainable" : " frozen");
    }
}
