package dev.peft4j.cpu;

import static dev.peft4j.cpu.Simd.L;
import static dev.peft4j.cpu.Simd.S;

import jdk.incubator.vector.FloatVector;

/**
 * The attention's tile products, C[m,n] (+)= Σ_p A(i,p)·B[p,j] with the operand conventions of
 * {@link TileGemm#mul} (A(i,p) = a[aOff + i·ars + p·aks], B and C row-major, n a multiple of the vector length),
 * with a taller register tile for the attention's shapes: 8 rows × 2 vectors (16 accumulators, 2 loads and
 * 8 broadcasts per 16 FMAs), which halves the B loads per FMA of TileGemm's 4×2 tile. Rows and columns the
 * 8×2 tile does not cover go to {@link TileGemm}.
 */
final class AttentionTiles {
    /** Rows of the register tile: a product's rows are computed in groups of ROWS from its first one. */
    static final int ROWS = 8;

    private AttentionTiles() {}

    static void mul(int m, int n, int k, float[] a, int aOff, int ars, int aks, float[] b, int bOff, int ldb,
                    float[] c, int cOff, int ldc, boolean accumulate) {
        if (Simd.SCALAR) {
            TileGemm.mul(m, n, k, a, aOff, ars, aks, b, bOff, ldb, c, cOff, ldc, accumulate);
            return;
        }
        int m8 = m / ROWS * ROWS, n2 = n / (2 * L) * (2 * L);
        for (int i = 0; i < m8; i += ROWS) {
            for (int j = 0; j < n2; j += 2 * L) {
                kernel8x2(k, a, aOff + i * ars, ars, aks, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, accumulate);
            }
        }
        if (n2 < n && m8 > 0) {
            TileGemm.mul(m8, n - n2, k, a, aOff, ars, aks, b, bOff + n2, ldb, c, cOff + n2, ldc, accumulate);
        }
        if (m8 < m) {
            TileGemm.mul(m - m8, n, k, a, aOff + m8 * ars, ars, aks, b, bOff, ldb, c, cOff + m8 * ldc, ldc,
                    accumulate);
        }
    }

    private static void kernel8x2(int k, float[] a, int a0, int ars, int aks, float[] b, int b0, int ldb,
                                  float[] c, int c0, int ldc, boolean accumulate) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (accumulate) {
            c00 = FloatVector.fromArray(S, c, c0); c01 = FloatVector.fromArray(S, c, c0 + L);
            c10 = FloatVector.fromArray(S, c, c0 + ldc); c11 = FloatVector.fromArray(S, c, c0 + ldc + L);
            c20 = FloatVector.fromArray(S, c, c0 + 2 * ldc); c21 = FloatVector.fromArray(S, c, c0 + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, c0 + 3 * ldc); c31 = FloatVector.fromArray(S, c, c0 + 3 * ldc + L);
            c40 = FloatVector.fromArray(S, c, c0 + 4 * ldc); c41 = FloatVector.fromArray(S, c, c0 + 4 * ldc + L);
            c50 = FloatVector.fromArray(S, c, c0 + 5 * ldc); c51 = FloatVector.fromArray(S, c, c0 + 5 * ldc + L);
            c60 = FloatVector.fromArray(S, c, c0 + 6 * ldc); c61 = FloatVector.fromArray(S, c, c0 + 6 * ldc + L);
            c70 = FloatVector.fromArray(S, c, c0 + 7 * ldc); c71 = FloatVector.fromArray(S, c, c0 + 7 * ldc + L);
        } else {
            FloatVector z = FloatVector.zero(S);
            c00 = z; c01 = z; c10 = z; c11 = z; c20 = z; c21 = z; c30 = z; c31 = z;
            c40 = z; c41 = z; c50 = z; c51 = z; c60 = z; c61 = z; c70 = z; c71 = z;
        }
        for (int p = 0, bi = b0, ap = a0; p < k; p++, bi += ldb, ap += aks) {
            FloatVector b0v = FloatVector.fromArray(S, b, bi);
            FloatVector b1v = FloatVector.fromArray(S, b, bi + L);
            FloatVector x = FloatVector.broadcast(S, a[ap]);
            c00 = b0v.fma(x, c00); c01 = b1v.fma(x, c01);
            x = FloatVector.broadcast(S, a[ap + ars]);
            c10 = b0v.fma(x, c10); c11 = b1v.fma(x, c11);
            x = FloatVector.broadcast(S, a[ap + 2 * ars]);
            c20 = b0v.fma(x, c20); c21 = b1v.fma(x, c21);
            x = FloatVector.broadcast(S, a[ap + 3 * ars]);
            c30 = b0v.fma(x, c30); c31 = b1v.fma(x, c31);
            x = FloatVector.broadcast(S, a[ap + 4 * ars]);
            c40 = b0v.fma(x, c40); c41 = b1v.fma(x, c41);
            x = FloatVector.broadcast(S, a[ap + 5 * ars]);
            c50 = b0v.fma(x, c50); c51 = b1v.fma(x, c51);
            x = FloatVector.broadcast(S, a[ap + 6 * ars]);
            c60 = b0v.fma(x, c60); c61 = b1v.fma(x, c61);
            x = FloatVector.broadcast(S, a[ap + 7 * ars]);
            c70 = b0v.fma(x, c70); c71 = b1v.fma(x, c71);
        }
        c00.intoArray(c, c0); c01.intoArray(c, c0 + L);
        c10.intoArray(c, c0 + ldc); c11.intoArray(c, c0 + ldc + L);
        c20.intoArray(c, c0 + 2 * ldc); c21.intoArray(c, c0 + 2 * ldc + L);
        c30.intoArray(c, c0 + 3 * ldc); c31.intoArray(c, c0 + 3 * ldc + L);
        c40.intoArray(c, c0 + 4 * ldc); c41.intoArray(c, c0 + 4 * ldc + L);
        c50.intoArray(c, c0 + 5 * ldc); c51.intoArray(c, c0 + 5 * ldc + L);
        c60.intoArray(c, c0 + 6 * ldc); c61.intoArray(c, c0 + 6 * ldc + L);
        c70.intoArray(c, c0 + 7 * ldc); c71.intoArray(c, c0 + 7 * ldc + L);
    }
}
