package dev.peft4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.peft4j.backend.Availability;
import dev.peft4j.tensor.Device;
import dev.peft4j.tensor.MemoryAccounting;
import dev.peft4j.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * The dense products of both GEMM engines on a device against a float64 host product (fp32 inputs, relative error
 * ≤ 1e-5 of the largest |value|). Needs a GPU (and cuBLAS for that engine); skips otherwise, with the reason.
 */
class CublasProductsTest {
    private static final double TOLERANCE = 1e-5;

    @ParameterizedTest
    @EnumSource(GemmEngine.class)
    void gemmMatchesTheHostProductForEveryTransposeAndBatch(GemmEngine engine) {
        assumeEngine(engine);
        try (CudaBackend be = new CudaBackend(engine)) {
            int[][] shapes = {{1, 33, 17, 65}, {3, 7, 130, 9}, {2, 1, 5, 1}, {1, 64, 64, 64}};
            for (int[] s : shapes) {
                for (int t = 0; t < 4; t++) {
                    boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                    checkGemm(be, ta, tb, s[0], s[1], s[2], s[3], 0.5f, 0f);
                    checkGemm(be, ta, tb, s[0], s[1], s[2], s[3], 1f, -2f);
                }
            }
            checkGemm(be, false, false, 1, 4, 3, 0, 1f, 0f); // k = 0: C = 0
            checkGemm(be, true, false, 2, 4, 3, 0, 1f, 0.5f); // k = 0: C = β·C
        }
    }

    @ParameterizedTest
    @EnumSource(GemmEngine.class)
    void linearLayerMatchesTheHostLayerWithAndWithoutBias(GemmEngine engine) {
        assumeEngine(engine);
        SplittableRandom rng = new SplittableRandom(5);
        int n = 37, in = 48, out = 19;
        float[] x = random(rng, n * in), w = random(rng, out * in), bias = random(rng, out), dy = random(rng, n * out);
        try (CudaBackend be = new CudaBackend(engine);
             Tensor dx = be.fromHost(x, n, in); Tensor dw = be.fromHost(w, out, in); Tensor db = be.fromHost(bias, out);
             Tensor y = be.allocate(n, out); Tensor ddy = be.fromHost(dy, n, out); Tensor gx = be.allocate(n, in);
             Tensor gw = be.allocate(out, in); Tensor gb = be.allocate(out)) {
            for (boolean withBias : new boolean[] {true, false}) {
                be.linearForward(dx, dw, withBias ? db : null, y);
                double[] expected = new double[n * out];
                for (int i = 0; i < n; i++) {
                    for (int o = 0; o < out; o++) {
                        double s = withBias ? bias[o] : 0;
                        for (int c = 0; c < in; c++) {
                            s += (double) x[i * in + c] * w[o * in + c];
                        }
                        expected[i * out + o] = s;
                    }
                }
                assertClose(expected, y.toArray(), "linearForward, bias " + withBias);
            }
            be.linearBackward(ddy, dx, dw, gx, gw, gb);
            double[] ex = new double[n * in], ew = new double[out * in], eb = new double[out];
            for (int i = 0; i < n; i++) {
                for (int o = 0; o < out; o++) {
                    double g = dy[i * out + o];
                    eb[o] += g;
                    for (int c = 0; c < in; c++) {
                        ex[i * in + c] += g * w[o * in + c];
                        ew[o * in + c] += g * x[i * in + c];
                    }
                }
            }
            assertClose(ex, gx.toArray(), "dx");
            assertClose(ew, gw.toArray(), "dW");
            assertClose(eb, gb.toArray(), "db");
        }
    }

    @Test
    void closingTheBackendReturnsTheCublasWorkspaceBytes() {
        assumeEngine(GemmEngine.CUBLAS);
        long before = MemoryAccounting.liveBytes(Device.CUDA);
        try (CudaBackend be = new CudaBackend(GemmEngine.CUBLAS);
             Tensor x = be.fromHost(new float[] {1, 2, 3, 4}, 2, 2); Tensor w = be.fromHost(new float[] {1, 0, 0, 1}, 2, 2);
             Tensor b = be.fromHost(new float[] {10, 20}, 2); Tensor y = be.allocate(2, 2)) {
            be.linearForward(x, w, b, y); // allocates the column of ones
            assertEquals(java.util.List.of(11f, 22f, 13f, 24f), boxed(y.toArray()));
        }
        assertEquals(before, MemoryAccounting.liveBytes(Device.CUDA), "live device bytes back to where they were");
    }

    private static void checkGemm(CudaBackend be, boolean ta, boolean tb, int batch, int m, int n, int k, float alpha,
                                  float beta) {
        SplittableRandom rng = new SplittableRandom(m * 1000L + n * 10L + k + batch);
        float[] a = random(rng, batch * m * k), b = random(rng, batch * k * n), c = random(rng, batch * m * n);
        if (beta == 0) {
            java.util.Arrays.fill(c, Float.NaN); // β = 0 must not read C
        }
        double[] expected = new double[c.length];
        for (int p = 0; p < batch; p++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int l = 0; l < k; l++) {
                        s += (double) (ta ? a[p * m * k + l * m + i] : a[p * m * k + i * k + l])
                                * (tb ? b[p * k * n + j * k + l] : b[p * k * n + l * n + j]);
                    }
                    int at = p * m * n + i * n + j;
                    expected[at] = alpha * s + (beta == 0 ? 0 : beta * (double) c[at]);
                }
            }
        }
        int[] as = batch == 1 ? (ta ? new int[] {k, m} : new int[] {m, k}) : (ta ? new int[] {batch, k, m} : new int[] {batch, m, k});
        int[] bs = batch == 1 ? (tb ? new int[] {n, k} : new int[] {k, n}) : (tb ? new int[] {batch, n, k} : new int[] {batch, k, n});
        int[] cs = batch == 1 ? new int[] {m, n} : new int[] {batch, m, n};
        try (Tensor da = be.fromHost(a, as); Tensor db = be.fromHost(b, bs); Tensor dc = be.fromHost(c, cs)) {
            be.gemm(da, ta, db, tb, dc, alpha, beta);
            assertClose(expected, dc.toArray(), "gemm transA=" + ta + " transB=" + tb + " batch=" + batch + " m=" + m
                    + " n=" + n + " k=" + k + " beta=" + beta);
        }
    }

    private static void assumeEngine(GemmEngine engine) {
        Availability device = NativeLibrary.probeDevices();
        assumeTrue(device.available(), () -> "SKIPPED: " + device.reason());
        if (engine == GemmEngine.CUBLAS) {
            Availability cublas = CublasLibrary.load();
            assumeTrue(cublas.available(), () -> "SKIPPED: " + cublas.reason());
        }
    }

    private static void assertClose(double[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = 1e-30;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(expected[i] - actual[i]) / scale;
            if (!(err <= TOLERANCE)) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]
                        + " (relative error " + err + " > " + TOLERANCE + ")");
            }
        }
    }

    private static java.util.List<Float> boxed(float[] v) {
        java.util.List<Float> out = new java.util.ArrayList<>();
        for (float f : v) {
            out.add(f);
        }
        return out;
    }

    private static float[] random(SplittableRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rng.nextDouble(-1, 1);
        }
        return v;
    }
}
