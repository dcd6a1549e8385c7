package dev.peft4j.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.tensor.Tensor;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/** The test utilities must be able to fail: NaN never passes, and a wrong gradient is rejected. */
class TestingUtilitiesTest {

    /** L(x) = Σ r_i·x_i³, whose gradient 3·r_i·x_i² the test knows exactly. */
    private static final class Cubic {
        final Tensor x = new RandomTensors(1).uniform(-1.5f, 1.5f, 4, 5);
        final float[] r = new RandomTensors(2).uniformArray(-1f, 1f, 20);

        DoubleSupplier objective() {
            return () -> {
                double sum = 0;
                float[] xs = x.data();
                for (int i = 0; i < xs.length; i++) {
                    sum += r[i] * (double) xs[i] * xs[i] * xs[i];
                }
                return sum;
            };
        }

        Tensor gradient() {
            float[] g = new float[20];
            float[] xs = x.data();
            for (int i = 0; i < g.length; i++) {
                g[i] = (float) (3.0 * r[i] * xs[i] * xs[i]);
            }
            return Tensor.of(g, 4, 5);
        }
    }

    @Test
    void gradientCheckAcceptsTheTrueGradientAndRestoresTheInput() {
        Cubic c = new Cubic();
        float[] before = c.x.toArray();
        GradientCheck.check("cubic", c.objective(), c.x, c.gradient());
        assertArrayEquals(before, c.x.toArray(), "finite differences must restore every input element exactly");
    }

    @Test
    void gradientCheckRejectsOneSlightlyWrongElement() {
        Cubic c = new Cubic();
        Tensor wrong = c.gradient();
        int worst = 0;
        for (int i = 1; i < 20; i++) {
            if (Math.abs(wrong.data()[i]) > Math.abs(wrong.data()[worst])) {
                worst = i;
            }
        }
        wrong.data()[worst] *= 1.02f; // a 2% error in one element of twenty
        assertThrows(AssertionError.class, () -> GradientCheck.check("cubic, one element off", c.objective(), c.x, wrong));
    }

    @Test
    void gradientCheckRejectsStructuralMistakes() {
        Cubic c = new Cubic();
        Tensor missingFactor = c.gradient();
        for (int i = 0; i < 20; i++) {
            missingFactor.data()[i] /= 3f; // forgot the exponent
        }
        assertThrows(AssertionError.class, () -> GradientCheck.check("cubic/3", c.objective(), c.x, missingFactor));
        Tensor zero = Tensor.zeros(4, 5);
        assertThrows(AssertionError.class, () -> GradientCheck.check("zero", c.objective(), c.x, zero));
        Tensor nan = c.gradient();
        nan.data()[7] = Float.NaN;
        assertThrows(AssertionError.class, () -> GradientCheck.check("nan", c.objective(), c.x, nan));
    }

    @Test
    void finiteDifferenceOfALinearObjectiveIsItsCoefficients() {
        Tensor x = new RandomTensors(3).uniform(3);
        Tensor w = Tensor.of(new float[] {0.5f, -2f, 3f}, 3);
        double[] g = FiniteDifference.gradient(FiniteDifference.weightedSum(() -> { }, x, w), x);
        for (int i = 0; i < 3; i++) {
            assertEquals(w.data()[i], g[i], 1e-6);
        }
    }

    @Test
    void relativeErrorTreatsNanAsFailure() {
        float[] ref = {1f, 2f, 3f};
        assertEquals(0.0, Errors.relativeError(ref, ref.clone()));
        assertEquals(Math.sqrt(1.0 / 14.0), Errors.relativeError(new float[] {1f, 2f, 4f}, ref), 1e-12);
        double nanErr = Errors.relativeError(new float[] {1f, Float.NaN, 3f}, ref);
        assertFalse(nanErr <= 1e30, "NaN in the output must fail every tolerance");
        assertFalse(Errors.relativeError(ref, new float[] {1f, 2f, Float.NaN}) <= 1e30);
        assertFalse(Errors.relativeError(new float[] {1f}, new float[] {0f}) <= 1e30, "nonzero vs zero reference");
        assertThrows(AssertionError.class,
                () -> Errors.assertClose("nan", new float[] {Float.NaN, 2f, 3f}, ref, 1e-3));
    }

    @Test
    void poisonedTensorsAreAllNan() {
        Tensor t = Poison.nan(2, 3);
        for (float v : t.toArray()) {
            assertTrue(Float.isNaN(v));
        }
        Tensor u = Tensor.zeros(4);
        Poison.fill(u);
        assertTrue(Float.isNaN(u.data()[3]));
    }

    @Test
    void randomTensorsAreSeededAndInRange() {
        assertArrayEquals(new RandomTensors(9).uniform(5, 7).toArray(), new RandomTensors(9).uniform(5, 7).toArray());
        for (float v : new RandomTensors(4).awayFromZero(0.25f, 1f, 100).toArray()) {
            assertTrue(Math.abs(v) >= 0.25f && Math.abs(v) < 1f, "value " + v);
        }
        for (float v : new RandomTensors(4).uniform(2f, 3f, 100).toArray()) {
            assertTrue(v >= 2f && v < 3f, "value " + v);
        }
    }
}
