package dev.peft4j.backend.plain;

/**
 * C = α·op(A)·op(B) + β·C in float32 with plain Java loops that the JIT vectorises. op(B) is first copied into
 * panels of {@link #NB} columns, one small array per row p of each panel; then for each row i of C and each panel,
 * an accumulator row of NB floats gets acc[j] += op(A)[i,p]·panel[p][j] for p = 0, 1, ..., k−1, and C's row block
 * becomes α·acc + β·C. The inner loop indexes both arrays with the same j from 0: that is the shape C2's
 * auto-vectoriser accepts without proving the arrays distinct (with two different offsets it stays scalar, about
 * 8 times slower). op(A) is read through strides, so A or Aᵀ costs the same. Rows of C are split over the
 * {@link RowPool}. Each element's sum runs in float in the order p = 0, 1, ..., so a result depends only on the
 * inputs, never on the thread count.
 */
final class PlainGemm {
    /** Columns per panel: 256 floats = 1 KiB of accumulator, k KiB of panel. */
    static final int NB = 256;

    private PlainGemm() {}

    /**
     * An m×k operand read as a[off + i·rowStride + p·colStride].
     *
     * @param a         the array
     * @param off       element of (0, 0)
     * @param rowStride step from row i to i+1
     * @param colStride step from column p to p+1
     */
    record Strided(float[] a, int off, int rowStride, int colStride) {
        /** A row-major [rows, cols] block at off: A itself. */
        static Strided rows(float[] a, int off, int cols) {
            return new Strided(a, off, cols, 1);
        }

        /** The transpose of a row-major [cols, rows] block at off (rows = its row length): Aᵀ without a copy. */
        static Strided transposed(float[] a, int off, int rows) {
            return new Strided(a, off, 1, rows);
        }
    }

    /**
     * C[cOff + i·n + j] = α·Σ_p op(A)(i,p)·op(B)(p,j) + β·C[...] for i &lt; m, j &lt; n, p &lt; k. With β = 0, C is not
     * read. op(A) is m×k through its strides; op(B) is k×n, given as B through its strides (B row-major [k, n]:
     * {@code Strided.rows(b, off, n)}; Bᵀ of a row-major [n, k]: {@code Strided.transposed(b, off, k)}); C is
     * row-major [m, n] at cOff.
     */
    static void multiply(RowPool pool, int m, int n, int k, float alpha, Strided a, Strided b,
                         float beta, float[] c, int cOff) {
        if (m == 0 || n == 0) {
            return;
        }
        float[][][] panels = panels(b, k, n);
        pool.forRows(m, (long) n * k, (from, to) -> rows(from, to, n, k, alpha, a, panels, beta, c, cOff));
    }

    /** panels[q][p][j] = op(B)(p, q·NB + j). */
    private static float[][][] panels(Strided b, int k, int n) {
        float[] bv = b.a();
        float[][][] panels = new float[(n + NB - 1) / NB][k][];
        for (int q = 0; q < panels.length; q++) {
            int j0 = q * NB, len = Math.min(NB, n - j0);
            float[][] panel = panels[q];
            for (int p = 0; p < k; p++) {
                panel[p] = new float[len];
            }
            if (b.colStride() == 1) {
                for (int p = 0; p < k; p++) {
                    System.arraycopy(bv, b.off() + p * b.rowStride() + j0, panel[p], 0, len);
                }
            } else {
                // a transposed B: walk each stored row (contiguous in p) once, scattering into the panel rows
                for (int j = 0; j < len; j++) {
                    int o = b.off() + (j0 + j) * b.colStride();
                    for (int p = 0; p < k; p++) {
                        panel[p][j] = bv[o + p * b.rowStride()];
                    }
                }
            }
        }
        return panels;
    }

    private static void rows(int from, int to, int n, int k, float alpha, Strided a, float[][][] panels,
                             float beta, float[] c, int cOff) {
        float[] av = a.a();
        float[] acc = new float[NB];
        for (int q = 0; q < panels.length; q++) {
            float[][] panel = panels[q];
            int j0 = q * NB, len = Math.min(NB, n - j0);
            for (int i = from; i < to; i++) {
                java.util.Arrays.fill(acc, 0f);
                int ai = a.off() + i * a.rowStride();
                for (int p = 0; p < k; p++) {
                    accumulate(av[ai + p * a.colStride()], panel[p], acc, len);
                }
                int row = cOff + i * n + j0;
                if (beta == 0f) {
                    for (int j = 0; j < len; j++) {
                        c[row + j] = alpha * acc[j];
                    }
                } else {
                    for (int j = 0; j < len; j++) {
                        c[row + j] = alpha * acc[j] + beta * c[row + j];
                    }
                }
            }
        }
    }

    /** acc[j] += s·x[j] for j &lt; len: one index for both arrays, so the JIT vectorises it. */
    private static void accumulate(float s, float[] x, float[] acc, int len) {
        for (int j = 0; j < len; j++) {
            acc[j] += s * x[j];
        }
    }
}
