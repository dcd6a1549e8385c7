package dev.peft4j.cpu;

import static dev.peft4j.cpu.Simd.L;
import static dev.peft4j.cpu.Simd.S;

import jdk.incubator.vector.FloatVector;

/**
 * Small unpacked GEMM for cache-resident tiles (the attention blocks): C[m,n] (+)= Σ_p A(i,p)·B[p,j] with
 * A(i,p) = a[aOff + i·ars + p·aks] (any strides, so Aᵀ is read in place), B row-major (leading dimension ldb),
 * C row-major (ldc). n must be a multiple of {@link Simd#L} (callers zero-pad). Register tile: 4 rows × 2
 * vectors (8 accumulators, 2 loads + 4 broadcasts per 8 FMAs), with 4-row × 1-vector and 1-row edge kernels.
 */
final class TileGemm {
    private TileGemm() {}

    static void mul(int m, int n, int k, float[] a, int aOff, int ars, int aks, float[] b, int bOff, int ldb,
                    float[] c, int cOff, int ldc, boolean accumulate) {
        if (Simd.SCALAR) {
            scalar(m, n, k, a, aOff, ars, aks, b, bOff, ldb, c, cOff, ldc, accumulate);
            return;
        }
        int i = 0;
        for (; i + 4 <= m; i += 4) {
            int j = 0;
            for (; j + 2 * L <= n; j += 2 * L) {
                kernel4x2(k, a, aOff + i * ars, ars, aks, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, accumulate);
            }
            for (; j < n; j += L) {
                kernel4x1(k, a, aOff + i * ars, ars, aks, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, accumulate);
            }
        }
        for (; i < m; i++) {
            for (int j = 0; j < n; j += L) {
                kernel1x1(k, a, aOff + i * ars, aks, b, bOff + j, ldb, c, cOff + i * ldc + j, accumulate);
            }
        }
    }

    private static void kernel4x2(int k, float[] a, int a0, int ars, int aks, float[] b, int b0, int ldb,
                                  float[] c, int c0, int ldc, boolean accumulate) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        if (accumulate) {
            c00 = FloatVector.fromArray(S, c, c0); c01 = FloatVector.fromArray(S, c, c0 + L);
            c10 = FloatVector.fromArray(S, c, c0 + ldc); c11 = FloatVector.fromArray(S, c, c0 + ldc + L);
            c20 = FloatVector.fromArray(S, c, c0 + 2 * ldc); c21 = FloatVector.fromArray(S, c, c0 + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, c0 + 3 * ldc); c31 = FloatVector.fromArray(S, c, c0 + 3 * ldc + L);
        }
        int a1 = a0 + ars, a2 = a0 + 2 * ars, a3 = a0 + 3 * ars;
        for (int p = 0, bi = b0, ap = 0; p < k; p++, bi += ldb, ap += aks) {
            FloatVector b0v = FloatVector.fromArray(S, b, bi);
            FloatVector b1v = FloatVector.fromArray(S, b, bi + L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + ap]);
            c00 = b0v.fma(x, c00); c01 = b1v.fma(x, c01);
            x = FloatVector.broadcast(S, a[a1 + ap]);
            c10 = b0v.fma(x, c10); c11 = b1v.fma(x, c11);
            x = FloatVector.broadcast(S, a[a2 + ap]);
            c20 = b0v.fma(x, c20); c21 = b1v.fma(x, c21);
            x = FloatVector.broadcast(S, a[a3 + ap]);
            c30 = b0v.fma(x, c30); c31 = b1v.fma(x, c31);
        }
        c00.intoArray(c, c0); c01.intoArray(c, c0 + L);
        c10.intoArray(c, c0 + ldc); c11.intoArray(c, c0 + ldc + L);
        c20.intoArray(c, c0 + 2 * ldc); c21.intoArray(c, c0 + 2 * ldc + L);
        c30.intoArray(c, c0 + 3 * ldc); c31.intoArray(c, c0 + 3 * ldc + L);
    }

    private static void kernel4x1(int k, float[] a, int a0, int ars, int aks, float[] b, int b0, int ldb,
                                  float[] c, int c0, int ldc, boolean accumulate) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c0v = z, c1v = z, c2v = z, c3v = z;
        if (accumulate) {
            c0v = FloatVector.fromArray(S, c, c0); c1v = FloatVector.fromArray(S, c, c0 + ldc);
            c2v = FloatVector.fromArray(S, c, c0 + 2 * ldc); c3v = FloatVector.fromArray(S, c, c0 + 3 * ldc);
        }
        int a1 = a0 + ars, a2 = a0 + 2 * ars, a3 = a0 + 3 * ars;
        for (int p = 0, bi = b0, ap = 0; p < k; p++, bi += ldb, ap += aks) {
            FloatVector bv = FloatVector.fromArray(S, b, bi);
            c0v = bv.fma(FloatVector.broadcast(S, a[a0 + ap]), c0v);
            c1v = bv.fma(FloatVector.broadcast(S, a[a1 + ap]), c1v);
            c2v = bv.fma(FloatVector.broadcast(S, a[a2 + ap]), c2v);
            c3v = bv.fma(FloatVector.broadcast(S, a[a3 + ap]), c3v);
        }
        c0v.intoArray(c, c0); c1v.intoArray(c, c0 + ldc); c2v.intoArray(c, c0 + 2 * ldc); c3v.intoArray(c, c0 + 3 * ldc);
    }

    private static void kernel1x1(int k, float[] a, int a0, int aks, float[] b, int b0, int ldb,
                                  float[] c, int c0, boolean accumulate) {
        FloatVector acc = accumulate ? FloatVector.fromArray(S, c, c0) : FloatVector.zero(S);
        FloatVector acc2 = FloatVector.zero(S);
        int p = 0;
        for (; p + 1 < k; p += 2) {
            acc = FloatVector.fromArray(S, b, b0 + p * ldb).fma(FloatVector.broadcast(S, a[a0 + p * aks]), acc);
            acc2 = FloatVector.fromArray(S, b, b0 + (p + 1) * ldb).fma(FloatVector.broadcast(S, a[a0 + (p + 1) * aks]), acc2);
        }
        if (p < k) {
            acc = FloatVector.fromArray(S, b, b0 + p * ldb).fma(FloatVector.broadcast(S, a[a0 + p * aks]), acc);
        }
        acc.add(acc2).intoArray(c, c0);
    }

    private static void scalar(int m, int n, int k, float[] a, int aOff, int ars, int aks, float[] b, int bOff,
                               int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            if (!accumulate) {
                java.util.Arrays.fill(c, ci, ci + n, 0f);
            }
            for (int p = 0; p < k; p++) {
                float x = a[aOff + i * ars + p * aks];
                int bi = bOff + p * ldb;
                for (int j = 0; j < n; j++) {
                    c[ci + j] += x * b[bi + j];
                }
            }
        }
    }
}
