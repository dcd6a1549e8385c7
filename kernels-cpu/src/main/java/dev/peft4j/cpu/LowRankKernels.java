package dev.peft4j.cpu;

import static dev.peft4j.cpu.Simd.L;
import static dev.peft4j.cpu.Simd.S;

import jdk.incubator.vector.FloatVector;

/**
 * The rank-r products of LoRA (r ≪ K), over a range of rows, each [N, K] operand streamed once:
 * <pre>
 *   project:  p[i,q]    = Σ_k src̃[i,k]·m[q,k]         src [N,K], m [r,K], p [N,r]   (u = x̃ Aᵀ; g = dy B with m = Bᵀ)
 *   outer:    acc[q,k] += s·Σ_i c[i,q]·src̃[i,k]       c [N,r], acc [r,K]            (dBᵀ += s·uᵀ dy; dA += s·gᵀ x̃)
 * </pre>
 * with src̃ = src ⊙ mask when a mask (same shape as src) is given. A general GEMM would run these with one side
 * only r wide (half-empty vectors at r = 8) and pack the [N, K] operand first; here {@code project} keeps four
 * dot products of a row in flight and {@code outer} keeps a [4, 2·lanes] block of acc in registers over a block of
 * rows, so src is read once from memory and the small m / acc stay in L1.
 */
final class LowRankKernels {
    /** Rows per block of {@link #outer}: 64 rows × K = 384 floats = 96 KiB stays in L2 across the q-groups. */
    static final int ROW_BLOCK = 64;

    private LowRankKernels() {}

    /**
     * p[po + i·r + q] = Σ_k src̃[i,k]·m[mo + q·K + k] for rows i in [from, to), q in [0, r), where
     * src̃[i,k] = src[so + i·K + k]·mask[mso + i·K + k] (mask nullable; each array read from its own offset).
     */
    static void project(float[] src, int so, float[] mask, int mso, int kDim, float[] m, int mo, int r,
                        float[] p, int po, int from, int to) {
        for (int i = from; i < to; i++) {
            int row = i * kDim;
            int q = 0;
            for (; q + 4 <= r; q += 4) {
                dot4(src, so + row, mask, mso + row, kDim, m, mo + q * kDim, p, po + i * r + q);
            }
            for (; q < r; q++) {
                p[po + i * r + q] = dot(src, so + row, mask, mso + row, kDim, m, mo + q * kDim);
            }
        }
    }

    /**
     * Four dot products of one row of src̃ (src from so, mask from mko) with rows mo, mo+K, mo+2K, mo+3K of m,
     * into p[po..po+4).
     */
    static void dot4(float[] src, int so, float[] mask, int mko, int kDim, float[] m, int mo, float[] p, int po) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int k = 0;
        for (int bnd = Simd.bound(kDim); k < bnd; k += L) {
            FloatVector x = FloatVector.fromArray(S, src, so + k);
            if (mask != null) {
                x = x.mul(FloatVector.fromArray(S, mask, mko + k));
            }
            a0 = x.fma(FloatVector.fromArray(S, m, mo + k), a0);
            a1 = x.fma(FloatVector.fromArray(S, m, mo + kDim + k), a1);
            a2 = x.fma(FloatVector.fromArray(S, m, mo + 2 * kDim + k), a2);
            a3 = x.fma(FloatVector.fromArray(S, m, mo + 3 * kDim + k), a3);
        }
        float s0 = Simd.sum(a0), s1 = Simd.sum(a1);
        float s2 = Simd.sum(a2), s3 = Simd.sum(a3);
        for (; k < kDim; k++) {
            float x = mask == null ? src[so + k] : src[so + k] * mask[mko + k];
            s0 += x * m[mo + k];
            s1 += x * m[mo + kDim + k];
            s2 += x * m[mo + 2 * kDim + k];
            s3 += x * m[mo + 3 * kDim + k];
        }
        p[po] = s0;
        p[po + 1] = s1;
        p[po + 2] = s2;
        p[po + 3] = s3;
    }

    /** Σ_k src[so+k]·mask[mko+k]·m[mo+k] over k in [0, K) (mask nullable). */
    static float dot(float[] src, int so, float[] mask, int mko, int kDim, float[] m, int mo) {
        FloatVector a = FloatVector.zero(S);
        int k = 0;
        for (int bnd = Simd.bound(kDim); k < bnd; k += L) {
            FloatVector x = FloatVector.fromArray(S, src, so + k);
            if (mask != null) {
                x = x.mul(FloatVector.fromArray(S, mask, mko + k));
            }
            a = x.fma(FloatVector.fromArray(S, m, mo + k), a);
        }
        float sum = Simd.sum(a);
        for (; k < kDim; k++) {
            sum += (mask == null ? src[so + k] : src[so + k] * mask[mko + k]) * m[mo + k];
        }
        return sum;
    }

    /**
     * acc[q·K + k] += s·Σ_{i in [from,to)} c[co + i·r + q]·src̃[i,k] for q in [0, r), k in [0, K), with
     * src̃[i,k] = src[so + i·K + k]·mask[mso + i·K + k] (mask nullable).
     */
    static void outer(float[] c, int co, int r, float s, float[] src, int so, float[] mask, int mso, int kDim,
                      float[] acc, int from, int to) {
        for (int b0 = from; b0 < to; b0 += ROW_BLOCK) {
            int b1 = Math.min(to, b0 + ROW_BLOCK);
            int q = 0;
            for (; q + 4 <= r; q += 4) {
                outer4(c, co, r, q, s, src, so, mask, mso, kDim, acc, b0, b1);
            }
            for (; q < r; q++) {
                outer1(c, co, r, q, s, src, so, mask, mso, kDim, acc, b0, b1);
            }
        }
    }

    /** Rows q..q+3 of acc over rows [b0, b1): a [4, 2L] register block per column step, then the tails. */
    private static void outer4(float[] c, int co, int r, int q, float s, float[] src, int so0, float[] mask,
                               int mso0, int kDim, float[] acc, int b0, int b1) {
        int o0 = q * kDim, o1 = o0 + kDim, o2 = o1 + kDim, o3 = o2 + kDim;
        int k = 0;
        int twoL = 2 * L;
        for (int bnd = Simd.SCALAR ? 0 : kDim - kDim % twoL; k < bnd; k += twoL) {
            FloatVector a00 = FloatVector.zero(S), a01 = a00, a10 = a00, a11 = a00;
            FloatVector a20 = a00, a21 = a00, a30 = a00, a31 = a00;
            for (int i = b0; i < b1; i++) {
                int so = so0 + i * kDim + k;
                FloatVector x0 = FloatVector.fromArray(S, src, so);
                FloatVector x1 = FloatVector.fromArray(S, src, so + L);
                if (mask != null) {
                    int mso = mso0 + i * kDim + k;
                    x0 = x0.mul(FloatVector.fromArray(S, mask, mso));
                    x1 = x1.mul(FloatVector.fromArray(S, mask, mso + L));
                }
                int ci = co + i * r + q;
                FloatVector c0 = FloatVector.broadcast(S, c[ci]);
                FloatVector c1 = FloatVector.broadcast(S, c[ci + 1]);
                FloatVector c2 = FloatVector.broadcast(S, c[ci + 2]);
                FloatVector c3 = FloatVector.broadcast(S, c[ci + 3]);
                a00 = c0.fma(x0, a00);
                a01 = c0.fma(x1, a01);
                a10 = c1.fma(x0, a10);
                a11 = c1.fma(x1, a11);
                a20 = c2.fma(x0, a20);
                a21 = c2.fma(x1, a21);
                a30 = c3.fma(x0, a30);
                a31 = c3.fma(x1, a31);
            }
            // acc += s·a for rows q..q+3, written out (no vector crosses a call)
            FloatVector sv = FloatVector.broadcast(S, s);
            a00.fma(sv, FloatVector.fromArray(S, acc, o0 + k)).intoArray(acc, o0 + k);
            a01.fma(sv, FloatVector.fromArray(S, acc, o0 + k + L)).intoArray(acc, o0 + k + L);
            a10.fma(sv, FloatVector.fromArray(S, acc, o1 + k)).intoArray(acc, o1 + k);
            a11.fma(sv, FloatVector.fromArray(S, acc, o1 + k + L)).intoArray(acc, o1 + k + L);
            a20.fma(sv, FloatVector.fromArray(S, acc, o2 + k)).intoArray(acc, o2 + k);
            a21.fma(sv, FloatVector.fromArray(S, acc, o2 + k + L)).intoArray(acc, o2 + k + L);
            a30.fma(sv, FloatVector.fromArray(S, acc, o3 + k)).intoArray(acc, o3 + k);
            a31.fma(sv, FloatVector.fromArray(S, acc, o3 + k + L)).intoArray(acc, o3 + k + L);
        }
        for (; k < kDim; k++) {
            float t0 = 0, t1 = 0, t2 = 0, t3 = 0;
            for (int i = b0; i < b1; i++) {
                float x = mask == null ? src[so0 + i * kDim + k]
                        : src[so0 + i * kDim + k] * mask[mso0 + i * kDim + k];
                int ci = co + i * r + q;
                t0 += c[ci] * x;
                t1 += c[ci + 1] * x;
                t2 += c[ci + 2] * x;
                t3 += c[ci + 3] * x;
            }
            acc[o0 + k] += s * t0;
            acc[o1 + k] += s * t1;
            acc[o2 + k] += s * t2;
            acc[o3 + k] += s * t3;
        }
    }

    /** Row q of acc over rows [b0, b1). */
    private static void outer1(float[] c, int co, int r, int q, float s, float[] src, int so0, float[] mask,
                               int mso0, int kDim, float[] acc, int b0, int b1) {
        int o = q * kDim;
        for (int i = b0; i < b1; i++) {
            float ci = s * c[co + i * r + q];
            int so = so0 + i * kDim;
            int mso = mso0 + i * kDim;
            int k = 0;
            for (int bnd = Simd.bound(kDim); k < bnd; k += L) {
                FloatVector x = FloatVector.fromArray(S, src, so + k);
                if (mask != null) {
                    x = x.mul(FloatVector.fromArray(S, mask, mso + k));
                }
                x.fma(FloatVector.broadcast(S, ci), FloatVector.fromArray(S, acc, o + k)).intoArray(acc, o + k);
            }
            for (; k < kDim; k++) {
                acc[o + k] += ci * (mask == null ? src[so + k] : src[so + k] * mask[mso + k]);
            }
        }
    }
}
