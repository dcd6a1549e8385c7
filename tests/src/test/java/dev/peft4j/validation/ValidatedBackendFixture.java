package dev.peft4j.validation;

import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The reference backend as users get it (behind ValidatingBackend), and tensors closed after each test. */
abstract class ValidatedBackendFixture {
    protected Backend b;
    private final List<Tensor> made = new ArrayList<>();

    @BeforeEach
    void openBackend() {
        b = Backends.create("reference");
    }

    @AfterEach
    void closeAll() {
        made.forEach(Tensor::close);
        made.clear();
        b.close();
    }

    /** A tensor of this shape on the backend, filled with 0.5. */
    protected Tensor t(int... shape) {
        Tensor x = b.allocate(shape);
        b.fill(x, 0.5f);
        made.add(x);
        return x;
    }

    /** A tensor that claims to live on the GPU. */
    protected Tensor onGpu(int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        Tensor x = new Tensor(new FakeCudaStorage(n), shape);
        made.add(x);
        return x;
    }

    /** A closed tensor of this shape. */
    protected Tensor closed(int... shape) {
        Tensor x = b.allocate(shape);
        x.close();
        return x;
    }
}
