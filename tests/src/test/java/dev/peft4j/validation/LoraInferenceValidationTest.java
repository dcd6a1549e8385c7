package dev.peft4j.validation;

import static dev.peft4j.validation.Rejections.rejects;

import dev.peft4j.backend.ShapeMismatchException;
import dev.peft4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The inference overload loraForward(x, w, bias, a, b, s, y) is checked like the training one, u aside. */
class LoraInferenceValidationTest extends ValidatedBackendFixture {
    private static final Class<ShapeMismatchException> SHAPE = ShapeMismatchException.class;

    @Test
    void shapesAreChecked() {
        rejects(SHAPE, () -> b.loraForward(t(2, 5), t(4, 5), null, t(3, 4), t(4, 3), 1f, t(2, 4)),
                "loraForward", "a must be [r, in] = [r, 5]");
        rejects(SHAPE, () -> b.loraForward(t(2, 5), t(4, 5), null, t(3, 5), t(4, 2), 1f, t(2, 4)), "loraForward", "b");
        rejects(SHAPE, () -> b.loraForward(t(2, 5), t(4, 5), t(5), t(3, 5), t(4, 3), 1f, t(2, 4)), "loraForward", "bias");
        rejects(SHAPE, () -> b.loraForward(t(2, 5), t(4, 5), null, t(3, 5), t(4, 3), 1f, t(3, 4)), "loraForward", "y");
        rejects(IllegalArgumentException.class,
                () -> b.loraForward(t(2, 5), t(4, 5), null, t(3, 5), t(4, 3), Float.NaN, t(2, 4)), "loraForward", "s");
        rejects(IllegalArgumentException.class,
                () -> b.loraForward(null, t(4, 5), null, t(3, 5), t(4, 3), 1f, t(2, 4)), "loraForward", "x is null");
    }

    @Test
    void theOutputMayNotAliasAnInput() {
        Tensor x = t(4, 4);
        rejects(SHAPE, () -> b.loraForward(x, t(4, 4), null, t(2, 4), t(4, 2), 1f, x), "loraForward", "x and y");
        float[] caller = new float[40];
        Tensor wrappedX = Tensor.wrap(caller, 0, 2, 5);
        Tensor overlappingY = Tensor.wrap(caller, 8, 2, 4);
        rejects(SHAPE, () -> b.loraForward(wrappedX, t(4, 5), null, t(3, 5), t(4, 3), 1f, overlappingY),
                "loraForward", "x and y");
    }
}
