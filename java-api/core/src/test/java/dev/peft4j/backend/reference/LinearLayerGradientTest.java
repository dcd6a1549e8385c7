package dev.peft4j.backend.reference;

import dev.peft4j.backend.AdapterGradients;
import dev.peft4j.backend.AdapterWeights;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.ValidatingBackend;
import dev.peft4j.testing.FiniteDifference;
import dev.peft4j.testing.GradientCheck;
import dev.peft4j.testing.RandomTensors;
import dev.peft4j.tensor.Tensor;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Finite-difference checks of the linear, LoRA and adapter backwards: the objective is L = Σ y ⊙ R for a fixed
 * random R, so every backward is called with dy = R and must return ∂L/∂(each trainable input).
 */
class LinearLayerGradientTest {
    private static final int N = 3;
    private static final int IN = 5;
    private static final int OUT = 7;
    private static final int RANK = 2;
    private static final int BOTTLENECK = 3;

    /** Through the argument checks, so every call here also follows the contract. */
    private final Backend be = new ValidatingBackend(new ReferenceBackend());

    @Test
    void linearBackward() {
        RandomTensors rnd = new RandomTensors(11);
        Tensor x = rnd.uniform(N, IN);
        Tensor w = rnd.uniform(OUT, IN);
        Tensor b = rnd.uniform(OUT);
        Tensor r = rnd.uniform(N, OUT);
        Tensor y = Tensor.zeros(N, OUT);
        DoubleSupplier loss = FiniteDifference.weightedSum(() -> be.linearForward(x, w, b, y), y, r);
        Tensor dx = Tensor.zeros(N, IN);
        Tensor dw = Tensor.zeros(OUT, IN);
        Tensor db = Tensor.zeros(OUT);
        be.linearBackward(r, x, w, dx, dw, db);
        GradientCheck.check("linear dx", loss, x, dx);
        GradientCheck.check("linear dW", loss, w, dw);
        GradientCheck.check("linear db", loss, b, db);
    }

    @ParameterizedTest(name = "dropMask = {0}")
    @ValueSource(booleans = {false, true})
    void loraBackward(boolean withDropMask) {
        RandomTensors rnd = new RandomTensors(withDropMask ? 21 : 22);
        Tensor x = rnd.uniform(N, IN);
        Tensor w = rnd.uniform(OUT, IN);
        Tensor bias = rnd.uniform(OUT);
        Tensor a = rnd.uniform(RANK, IN);
        Tensor b = rnd.uniform(OUT, RANK);
        Tensor mask = null;
        if (withDropMask) {
            mask = Tensor.zeros(N, IN);
            be.dropoutForward(Tensor.of(filled(N * IN, 1f), N, IN), 0.3f, 5L, Tensor.zeros(N, IN), mask);
        }
        float s = 0.75f;
        Tensor r = rnd.uniform(N, OUT);
        Tensor y = Tensor.zeros(N, OUT);
        Tensor u = Tensor.zeros(N, RANK);
        Tensor dropMask = mask;
        DoubleSupplier loss = FiniteDifference.weightedSum(
                () -> be.loraForward(x, w, bias, a, b, s, dropMask, y, u), y, r);
        loss.getAsDouble(); // u at the unperturbed inputs, as a training step would save it
        Tensor dx = Tensor.zeros(N, IN);
        Tensor dA = Tensor.zeros(RANK, IN);
        Tensor dB = Tensor.zeros(OUT, RANK);
        be.loraBackward(r, x, w, a, b, u, s, dropMask, dx, dA, dB);
        GradientCheck.check("lora dx", loss, x, dx);
        GradientCheck.check("lora dA", loss, a, dA);
        GradientCheck.check("lora dB", loss, b, dB);
    }

    /** Parallel adapter (x and residual distinct), so ∂L/∂x is exactly the adapter-path dx. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Activation.class)
    void adapterBackward(Activation f) {
        AdapterCase c = AdapterCase.awayFromReluKink(be, f);
        Tensor r = new RandomTensors(31).uniform(N, IN);
        Tensor y = Tensor.zeros(N, IN);
        Tensor z = Tensor.zeros(N, BOTTLENECK);
        DoubleSupplier loss = FiniteDifference.weightedSum(() -> be.adapterForward(c.x, c.residual, new AdapterWeights(c.wDown, c.bDown, c.wUp, c.bUp, f, c.scale.data()[0]), y, z), y, r);
        loss.getAsDouble();
        Tensor dx = Tensor.zeros(N, IN);
        Tensor dWDown = Tensor.zeros(BOTTLENECK, IN);
        Tensor dbDown = Tensor.zeros(BOTTLENECK);
        Tensor dWUp = Tensor.zeros(IN, BOTTLENECK);
        Tensor dbUp = Tensor.zeros(IN);
        Tensor dScale = Tensor.zeros(1);
        be.adapterBackward(r, c.x, new AdapterWeights(c.wDown, null, c.wUp, c.bUp, f, c.scale.data()[0]), z, AdapterGradients.none().withDx(dx).withDown(dWDown, dbDown).withUp(dWUp, dbUp).withDScale(dScale));
        GradientCheck.check(f + " adapter dx", loss, c.x, dx);
        GradientCheck.check(f + " adapter dWDown", loss, c.wDown, dWDown);
        GradientCheck.check(f + " adapter dbDown", loss, c.bDown, dbDown);
        GradientCheck.check(f + " adapter dWUp", loss, c.wUp, dWUp);
        GradientCheck.check(f + " adapter dbUp", loss, c.bUp, dbUp);
        GradientCheck.check(f + " adapter dScale", loss, c.scale, dScale);
        GradientCheck.check(f + " adapter dResidual = dy", loss, c.residual, r);
    }

    /** Serial adapter: x is the residual, so ∂L/∂x = dx (adapter path) + dy, the term the caller adds. */
    @Test
    void serialAdapterGradientIsAdapterPathPlusResidual() {
        AdapterCase c = AdapterCase.awayFromReluKink(be, Activation.GELU);
        Tensor r = new RandomTensors(32).uniform(N, IN);
        Tensor y = Tensor.zeros(N, IN);
        Tensor z = Tensor.zeros(N, BOTTLENECK);
        float s = c.scale.data()[0];
        DoubleSupplier loss = FiniteDifference.weightedSum(
                () -> be.adapterForward(c.x, c.x, new AdapterWeights(c.wDown, c.bDown, c.wUp, c.bUp, Activation.GELU, s), y, z), y, r);
        loss.getAsDouble();
        Tensor dx = Tensor.zeros(N, IN);
        be.adapterBackward(r, c.x, new AdapterWeights(c.wDown, null, c.wUp, c.bUp, Activation.GELU, s), z, AdapterGradients.none().withDx(dx));
        be.add(dx, r, dx);
        GradientCheck.check("serial adapter dx + dy", loss, c.x, dx);
    }

    /** Random adapter inputs; for ReLU, a seed is searched whose pre-activations all lie ≥ 0.05 from the kink. */
    private record AdapterCase(Tensor x, Tensor residual, Tensor wDown, Tensor bDown, Tensor wUp, Tensor bUp,
                               Tensor scale) {
        static AdapterCase awayFromReluKink(Backend be, Activation f) {
            for (long seed = 100; seed < 200; seed++) {
                RandomTensors rnd = new RandomTensors(seed);
                AdapterCase c = new AdapterCase(rnd.uniform(N, IN), rnd.uniform(N, IN), rnd.uniform(BOTTLENECK, IN),
                        rnd.uniform(BOTTLENECK), rnd.uniform(IN, BOTTLENECK), rnd.uniform(IN),
                        Tensor.of(new float[] {0.7f}, 1));
                Tensor z = Tensor.zeros(N, BOTTLENECK);
                be.linearForward(c.x, c.wDown, c.bDown, z);
                boolean clear = true;
                for (float v : z.data()) {
                    clear &= Math.abs(v) >= 0.05f;
                }
                if (f != Activation.RELU || clear) {
                    return c;
                }
            }
            throw new AssertionError("no seed gave ReLU pre-activations away from 0");
        }
    }

    @Test
    void adapterCaseForReluReallyHasActiveAndInactiveUnits() {
        AdapterCase c = AdapterCase.awayFromReluKink(be, Activation.RELU);
        Tensor z = Tensor.zeros(N, BOTTLENECK);
        be.linearForward(c.x, c.wDown, c.bDown, z);
        boolean positive = false;
        boolean negative = false;
        for (float v : z.data()) {
            positive |= v > 0;
            negative |= v < 0;
        }
        assertTrue(positive && negative, "the ReLU gradient check should see both branches");
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
