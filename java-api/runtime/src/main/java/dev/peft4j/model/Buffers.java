package dev.peft4j.model;

import dev.peft4j.backend.Backend;
import dev.peft4j.tensor.Tensor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A module's activation and scratch tensors, kept from step to step: a tensor is allocated the first time a
 * key is asked for with a shape and reused while the shape stays the same, so a training run's memory stays flat.
 */
final class Buffers implements AutoCloseable {
    private final Backend backend;
    private final Map<String, Tensor> tensors = new HashMap<>();

    Buffers(Backend backend) {
        this.backend = backend;
    }

    /** The tensor for {@code key} with exactly this shape; contents are whatever the last use left. */
    Tensor get(String key, int... shape) {
        Tensor t = tensors.get(key);
        if (t != null && Arrays.equals(t.shape(), shape)) {
            return t;
        }
        if (t != null) {
            t.close();
        }
        t = backend.allocate(shape);
        tensors.put(key, t);
        return t;
    }

    @Override
    public void close() {
        tensors.values().forEach(Tensor::close);
        tensors.clear();
    }
}
