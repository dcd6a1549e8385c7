package dev.peft4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.peft4j.backend.Availability;
import dev.peft4j.backend.ShapeMismatchException;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class CudaLoraForwardTest {
    private static final double TOLERANCE = 1e-5; // fp32 accumulation, relative L2 error (DESIGN.md §6)

    // ---------------------------------------------------------------- on a GPU

    @ParameterizedTest(name = "n={0} in={1} out={2} r={3} s={4} bias={5} mask={6}")
    @CsvSource({
        "1, 1, 1, 1, 1.0, false, false",
        "37, 129, 67, 7, 0.5, true, false",
        "130, 61, 203, 16, 2.0, true, true",
        "65, 300, 3, 8, -1.25, false, true",
        "5, 0, 9, 3, 1.0, true, false",
    })
    void matchesAFloat64ReferenceOnOddSizes(int n, int in, int out, int r, float s, boolean withBias,
                                            boolean withMask) {
        Availability device = NativeLibrary.probeDevices();
        assumeTrue(device.available(), () -> "SKIPPED: no usable CUDA device: " + device.reason());
        SplittableRandom rnd = new SplittableRandom(31L * n + 7L * in + out + r);
        float[] x = uniform(rnd, n * in);
        float[] w = uniform(rnd, out * in);
        float[] bias = withBias ? uniform(rnd, out) : null;
        float[] a = uniform(rnd, r * in);
        float[] b = uniform(rnd, out * r);
        float[] mask = withMask ? dropMask(rnd, n * in, 0.25) : null;

        CudaLoraForward.Result got = CudaLoraForward.run(new CudaLoraForward.Dims(n, in, out, r), x, w, bias, a, b, s, mask);

        double[][] want = reference(n, in, out, r, x, w, bias, a, b, s, mask);
        assertWithin("y", got.y(), want[0]);
        assertWithin("u", got.u(), want[1]);
    }

    @Test
    void withoutADeviceRunFailsWithTheReason() {
        Availability device = NativeLibrary.probeDevices();
        assumeFalse(device.available(), "a CUDA device is present");
        CudaException e = assertThrows(CudaException.class, () -> CudaLoraForward.run(
                new CudaLoraForward.Dims(2, 3, 4, 1), new float[6], new float[12], null, new float[3], new float[4],
                1f, null));
        assertTrue(e.getMessage().contains(device.reason()), e.getMessage());
    }

    // ---------------------------------------------------------------- argument checks (no GPU needed)

    @Test
    void rejectsAnXOfTheWrongLengthNamingItsShape() {
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> CudaLoraForward.run(
                new CudaLoraForward.Dims(2, 3, 4, 1), new float[5], new float[12], null, new float[3], new float[4],
                1f, null));
        assertEquals("loraForward: x must have shape [2, 3] = 6 elements but has 5", e.getMessage());
    }

    @Test
    void rejectsMismatchedOptionalInputs() {
        ShapeMismatchException bias = assertThrows(ShapeMismatchException.class, () -> CudaLoraForward.run(
                new CudaLoraForward.Dims(2, 3, 4, 1), new float[6], new float[12], new float[3], new float[3],
                new float[4], 1f, null));
        assertTrue(bias.getMessage().contains("bias must have shape [4]"), bias.getMessage());
        ShapeMismatchException mask = assertThrows(ShapeMismatchException.class, () -> CudaLoraForward.run(
                new CudaLoraForward.Dims(2, 3, 4, 1), new float[6], new float[12], null, new float[3], new float[4],
                1f, new float[7]));
        assertTrue(mask.getMessage().contains("dropMask must have shape [2, 3]"), mask.getMessage());
    }

    @Test
    void rejectsBOfTheWrongRank() {
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> CudaLoraForward.run(
                new CudaLoraForward.Dims(2, 3, 4, 2), new float[6], new float[12], null, new float[6], new float[4],
                1f, null));
        assertTrue(e.getMessage().contains("b must have shape [4, 2]"), e.getMessage());
    }

    @Test
    void rejectsMissingRequiredInputs() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CudaLoraForward.run(
                new CudaLoraForward.Dims(2, 3, 4, 1), new float[6], null, null, new float[3], new float[4], 1f, null));
        assertEquals("loraForward: w is null", e.getMessage());
    }

    @Test
    void rejectsBadDimsAndScale() {
        IllegalArgumentException rank = assertThrows(IllegalArgumentException.class,
                () -> new CudaLoraForward.Dims(2, 3, 4, 0));
        assertTrue(rank.getMessage().contains("r must be ≥ 1"), rank.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> new CudaLoraForward.Dims(-2, 3, 4, 1));
        assertTrue(negative.getMessage().contains("n=-2"), negative.getMessage());
        IllegalArgumentException scale = assertThrows(IllegalArgumentException.class, () -> CudaLoraForward.run(
                new CudaLoraForward.Dims(2, 3, 4, 1), new float[6], new float[12], null, new float[3], new float[4],
                Float.NaN, null));
        assertTrue(scale.getMessage().contains("s must be finite"), scale.getMessage());
    }

    @Test
    void rejectsOutputsTooLargeForJavaArrays() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CudaLoraForward.run(
                new CudaLoraForward.Dims(1 << 16, 0, 1 << 16, 1), new float[0], new float[0], null, new float[0],
                new float[1 << 16], 1f, null));
        assertTrue(e.getMessage().contains("y [65536, 65536]"), e.getMessage());
    }

    // ---------------------------------------------------------------- reference

    /** {y, u} with u = (x ⊙ mask) Aᵀ and y = x Wᵀ + bias + s·u Bᵀ, accumulated in float64. */
    private static double[][] reference(int n, int in, int out, int r, float[] x, float[] w, float[] bias, float[] a,
                                        float[] b, float s, float[] mask) {
        double[] y = new double[n * out];
        double[] u = new double[n * r];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < r; j++) {
                double sum = 0;
                for (int k = 0; k < in; k++) {
                    double xm = mask == null ? x[i * in + k] : (double) x[i * in + k] * mask[i * in + k];
                    sum += xm * a[j * in + k];
                }
                u[i * r + j] = sum;
            }
            for (int o = 0; o < out; o++) {
                double base = bias == null ? 0 : bias[o];
                for (int k = 0; k < in; k++) {
                    base += (double) x[i * in + k] * w[o * in + k];
                }
                double low = 0;
                for (int j = 0; j < r; j++) {
                    low += u[i * r + j] * b[o * r + j];
                }
                y[i * out + o] = base + s * low;
            }
        }
        return new double[][] {y, u};
    }

    private static void assertWithin(String name, float[] got, double[] want) {
        assertEquals(want.length, got.length, name + " length");
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < want.length; i++) {
            assertTrue(Float.isFinite(got[i]), name + "[" + i + "] = " + got[i]);
            diff += (got[i] - want[i]) * (got[i] - want[i]);
            norm += want[i] * want[i];
        }
        double error = norm == 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
        assertTrue(error <= TOLERANCE, name + ": relative error " + error + " > " + TOLERANCE);
    }

    private static float[] uniform(SplittableRandom rnd, int count) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = (float) rnd.nextDouble(-1, 1);
        }
        return v;
    }

    /** Entries 0 (dropped with probability p) or 1/(1−p). */
    private static float[] dropMask(SplittableRandom rnd, int count, double p) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = rnd.nextDouble() < p ? 0f : (float) (1 / (1 - p));
        }
        return v;
    }
}
