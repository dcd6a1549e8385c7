package dev.peft4j.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The row-major to column-major mapping of the cuBLAS calls, checked without a GPU: a host sgemm that follows the BLAS
 * definition (column-major, op(X) = X or Xᵀ, leading dimensions, strides) is run with the mapped arguments and must
 * give the row-major product computed directly.
 */
class ColumnMajorGemmTest {

    @ParameterizedTest(name = "transA={0} transB={1} batch={2} m={3} n={4} k={5}")
    @CsvSource({
        "false, false, 1, 3, 5, 7", "true, false, 1, 3, 5, 7", "false, true, 1, 3, 5, 7", "true, true, 1, 3, 5, 7",
        "false, false, 3, 4, 1, 6", "true, false, 2, 1, 6, 5", "false, true, 2, 6, 5, 1", "true, true, 3, 5, 4, 3",
        "false, true, 1, 1, 1, 1", "true, false, 1, 2, 9, 17"})
    void theMappedColumnMajorCallComputesTheRowMajorProduct(boolean transA, boolean transB, int batch, int m, int n, int k) {
        SplittableRandom rng = new SplittableRandom(31L * m + 7L * n + k + (transA ? 100 : 0) + (transB ? 1000 : 0));
        float[] a = random(rng, batch * m * k);
        float[] b = random(rng, batch * k * n);
        float[] c = random(rng, batch * m * n);
        float alpha = 0.75f, beta = -0.5f;

        float[] expected = c.clone();
        for (int p = 0; p < batch; p++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    for (int l = 0; l < k; l++) {
                        float aij = transA ? a[p * m * k + l * m + i] : a[p * m * k + i * k + l];
                        float blj = transB ? b[p * k * n + j * k + l] : b[p * k * n + l * n + j];
                        sum += (double) aij * blj;
                    }
                    int at = p * m * n + i * n + j;
                    expected[at] = (float) (alpha * sum + beta * c[at]);
                }
            }
        }

        ColumnMajorGemm g = ColumnMajorGemm.forRowMajor(transA, transB, m, n, k);
        float[] actual = c.clone();
        for (int p = 0; p < batch; p++) {
            blasSgemm(g.transFirst(), g.transSecond(), g.m(), g.n(), g.k(), alpha,
                    b, (int) (p * g.strideFirst()), g.ldFirst(),
                    a, (int) (p * g.strideSecond()), g.ldSecond(), beta,
                    actual, (int) (p * g.strideC()), g.ldc());
        }
        assertArrayEquals(expected, actual, 1e-5f);
    }

    @Test
    void leadingDimensionsAreAtLeastOneForEmptyMatrices() {
        ColumnMajorGemm g = ColumnMajorGemm.forRowMajor(false, false, 4, 0, 0);
        assertEquals(1, g.ldFirst());
        assertEquals(1, g.ldSecond());
        assertEquals(1, g.ldc());
    }

    @Test
    void negativeSizesAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ColumnMajorGemm.forRowMajor(false, false, 2, -1, 3));
        assertEquals("gemm sizes must be non-negative: m=2, n=-1, k=3", e.getMessage());
    }

    /**
     * The BLAS sgemm definition on column-major arrays: C := α·op(X)·op(Y) + β·C with op(X) {@code [m,k]},
     * op(Y) {@code [k,n]}, element (i,j) of a column-major matrix at {@code i + j·ld}; with β = 0 C is not read.
     */
    private static void blasSgemm(boolean transX, boolean transY, int m, int n, int k, float alpha,
                                  float[] x, int xOff, int ldx, float[] y, int yOff, int ldy, float beta,
                                  float[] c, int cOff, int ldc) {
        assertTrue(ldx >= Math.max(1, transX ? k : m), "ldx " + ldx);
        assertTrue(ldy >= Math.max(1, transY ? n : k), "ldy " + ldy);
        assertTrue(ldc >= Math.max(1, m), "ldc " + ldc);
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                double sum = 0;
                for (int l = 0; l < k; l++) {
                    float xil = transX ? x[xOff + l + i * ldx] : x[xOff + i + l * ldx];
                    float ylj = transY ? y[yOff + j + l * ldy] : y[yOff + l + j * ldy];
                    sum += (double) xil * ylj;
                }
                int at = cOff + i + j * ldc;
                c[at] = (float) (alpha * sum + (beta == 0 ? 0 : beta * c[at]));
            }
        }
    }

    private static void assertTrue(boolean condition, String what) {
        org.junit.jupiter.api.Assertions.assertTrue(condition, "cuBLAS's leading-dimension rule is broken: " + what);
    }

    private static float[] random(SplittableRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rng.nextDouble(-1, 1);
        }
        return v;
    }
}
