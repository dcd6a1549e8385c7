package dev.peft4j.cpu;

import dev.peft4j.testing.Errors;
import dev.peft4j.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The attention tile GEMM against a double-precision triple loop, plain and transposed A, both write modes. */
class TileGemmTest {

    @ParameterizedTest(name = "m={0} nVectors={1} k={2} transA={3} accumulate={4}")
    @CsvSource({"1,1,1,false,false", "4,2,7,false,true", "7,3,33,true,false", "13,5,64,true,true", "32,4,32,false,false"})
    void matchesDoubleLoop(int m, int nVectors, int k, boolean transA, boolean accumulate) {
        int n = nVectors * Simd.L;
        Random rnd = new Random(m * 31 + n * 7 + k);
        int ldc = n + 3;
        float[] a = random(rnd, m * k + 5), b = random(rnd, k * n + 2), c = random(rnd, m * ldc);
        double[] expected = new double[m * n];
        float[] got = new float[m * n];
        int ars = transA ? 1 : k, aks = transA ? m : 1;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = accumulate ? c[i * ldc + j] : 0;
                for (int p = 0; p < k; p++) {
                    sum += (double) a[5 + i * ars + p * aks] * b[2 + p * n + j];
                }
                expected[i * n + j] = sum;
            }
        }
        if (!accumulate) {
            java.util.Arrays.fill(c, Float.NaN);
        }
        TileGemm.mul(m, n, k, a, 5, ars, aks, b, 2, n, c, 0, ldc, accumulate);
        float[] exp = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                got[i * n + j] = c[i * ldc + j];
                exp[i * n + j] = (float) expected[i * n + j];
            }
        }
        Errors.assertClose("tile gemm", Tensor.of(got, m, n), Tensor.of(exp, m, n), KernelTestBase.TOL);
    }

    private static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextFloat() * 2 - 1;
        }
        return x;
    }
}
