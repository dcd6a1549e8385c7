package dev.peft4j.cpu;

import static dev.peft4j.cpu.Simd.S;

import dev.peft4j.backend.FloatErf;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * This backend's own e^x ({@link #expBlock}) and the constants of its activations ({@link GeluLoops},
 * {@link ActivationLoops}). Why not {@code lanewise(EXP)}: compiled by C2 it calls an intrinsic (SVML) whose results
 * differ in the last bit from the per-lane Math.exp the interpreter and C1 run (about 1 % of lanes), so a kernel's
 * output depended on how far the JIT had got, and a resumed or repeated run could leave the bit-for-bit loss curve.
 * e^x and tanh here use only +, ×, fma, min/max, shifts and reinterpretation, which every tier computes identically.
 */
final class VectorMath {
    /** {@link FloatErf}'s polynomials, constant term first. */
    static final float[] ERF_SMALL = FloatErf.erfSmallCoefficients();
    static final float[] ERFC_LARGE = FloatErf.erfcLargeCoefficients();
    static final float LOG2E = 1.44269504088896341f;
    /** ln 2 = LN2_HI + LN2_LO, LN2_HI with few bits so k·LN2_HI is exact for |k| ≤ 2⁹. */
    static final float LN2_HI = 0.693359375f;
    static final float LN2_LO = -2.12194440e-4f;
    /** 1.5·2²³: adding it rounds a float of magnitude &lt; 2²² to an integer, kept in the low mantissa bits. */
    static final float ROUND = 12582912f;
    static final int ROUND_BITS = 0x4B400000;
    /** 1/n! for n = 0..7: e^r = 1 + r + r²/2 + … + r⁷/7! + O(r⁸), |r| ≤ ln2/2: truncation error &lt; 6e-9. */
    static final float[] EXP_TAYLOR = {1f, 1f, 1f / 2, 1f / 6, 1f / 24, 1f / 120, 1f / 720, 1f / 5040};
    /** tanh(x) = x·Σ c_i x^{2i} for |x| &lt; 1/2 (Taylor to x¹⁷: error &lt; 5e-9 relative). */
    static final float[] TANH_TAYLOR = {1f, -1f / 3, 2f / 15, -17f / 315, 62f / 2835, -1382f / 155925,
        21844f / 6081075, -929569f / 638512875, 6404582f / 10854718875f};

    private VectorMath() {}

    /**
     * dst[d+j] = e^(src[s+j] − shift) for j &lt; n, n a whole number of vectors (dst may be src). e^x: x is clamped
     * to [−104, 89] (outside, the float result is 0 or ∞ anyway), x = k·ln2 + r with k = round(x·log₂e), e^r by
     * {@link #EXP_TAYLOR}, times 2^k applied as two factors 2^⌊k/2⌋·2^(k−⌊k/2⌋) so that subnormal results are
     * right. Relative error ≤ 2 ulp; NaN stays NaN (min/max keep it and it poisons r). The whole arithmetic is
     * written out in the loop, so no vector crosses a call: a vector passed to a method C2 does not inline is
     * boxed on the heap, and whether C2 inlines a helper depends on whether it was compiled on its own first
     * (see {@link GeluLoops}).
     */
    static void expBlock(float[] src, int s, float shift, float[] dst, int d, int n) {
        for (int j = 0; j < n; j += Simd.L) {
            FloatVector xc = FloatVector.fromArray(S, src, s + j).sub(shift).max(-104f).min(89f);
            FloatVector t = xc.fma(FloatVector.broadcast(S, LOG2E), FloatVector.broadcast(S, ROUND));
            FloatVector kf = t.sub(ROUND);
            IntVector k = (IntVector) t.reinterpretAsInts().sub(ROUND_BITS);
            FloatVector r = kf.fma(FloatVector.broadcast(S, -LN2_HI), xc);
            r = kf.fma(FloatVector.broadcast(S, -LN2_LO), r);
            FloatVector p = FloatVector.broadcast(S, EXP_TAYLOR[7]);
            for (int i = 6; i >= 0; i--) {
                p = p.fma(r, FloatVector.broadcast(S, EXP_TAYLOR[i]));
            }
            IntVector k1 = k.lanewise(VectorOperators.ASHR, 1);
            FloatVector s1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector s2 = k.sub(k1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            p.mul(s1).mul(s2).intoArray(dst, d + j);
        }
    }
}
