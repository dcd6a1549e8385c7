package dev.peft4j.cpu;

import static dev.peft4j.cpu.Simd.S;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.FloatErf;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Vector activations with the polynomials of {@link ScalarMath} (both branches computed, then blended), and this
 * backend's own e^x and tanh. Why not {@code lanewise(EXP)}: compiled by C2 it calls an intrinsic (SVML) whose
 * results differ in the last bit from the per-lane Math.exp the interpreter and C1 run (about 1 % of lanes), so a
 * kernel's output depended on how far the JIT had got, and a resumed or repeated run could leave the bit-for-bit
 * loss curve. exp and tanh here use only +, ×, fma, min/max, shifts and reinterpretation, which every tier
 * computes identically.
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
     * e^x: x = k·ln2 + r with k = round(x·log₂e), e^r by {@link #EXP_TAYLOR}, times 2^k applied as two factors
     * 2^⌊k/2⌋·2^(k−⌊k/2⌋) so that subnormal results are right. x is clamped to [−104, 89], outside which the
     * float result is 0 or ∞ anyway. Relative error ≤ 2 ulp; NaN stays NaN.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(-104f).min(89f);
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
        IntVector k2 = k.sub(k1);
        FloatVector s1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = k2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(s1).mul(s2); // NaN in, NaN out: min/max keep it and it poisons r
    }

    /**
     * dst[d+j] = e^(src[s+j] − shift) for j &lt; n, n a whole number of vectors (dst may be src): {@link #exp}'s
     * arithmetic written out in the loop, so no vector crosses a call. Loops over many vectors use this rather than
     * {@link #exp}: a vector passed to a method C2 does not inline is boxed on the heap, and whether C2 inlines
     * exp depends on whether exp was compiled on its own first (see {@link GeluLoops}).
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

    /** y[j .. j+L) = f(x[i .. i+L)), arrays in and out (no vector crosses the call). */
    static void activationAt(Activation f, float[] x, int i, float[] y, int j) {
        activation(f, FloatVector.fromArray(S, x, i)).intoArray(y, j);
    }

    /** dx[j .. j+L) = s·dy[g .. g+L) ⊙ f'(x[i .. i+L)), arrays in and out (no vector crosses the call). */
    static void derivativeAt(Activation f, float[] dy, int g, float[] x, int i, float s, float[] dx, int j) {
        derivative(f, FloatVector.fromArray(S, x, i)).mul(FloatVector.fromArray(S, dy, g)).mul(s).intoArray(dx, j);
    }

    /** tanh(x): the odd Taylor polynomial for |x| &lt; 1/2, else sign(x)·(1 − 2/(e^{2|x|} + 1)). */
    static FloatVector tanh(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector x2 = x.mul(x);
        FloatVector p = FloatVector.broadcast(S, TANH_TAYLOR[TANH_TAYLOR.length - 1]);
        for (int i = TANH_TAYLOR.length - 2; i >= 0; i--) {
            p = p.fma(x2, FloatVector.broadcast(S, TANH_TAYLOR[i]));
        }
        FloatVector small = x.mul(p);
        FloatVector big = FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(exp(a.add(a)).add(1f)));
        big = big.blend(big.neg(), x.compare(VectorOperators.LT, 0f));
        return big.blend(small, a.compare(VectorOperators.LT, 0.5f));
    }

    private static FloatVector horner(float[] c, FloatVector x) {
        FloatVector p = FloatVector.broadcast(S, c[c.length - 1]);
        for (int i = c.length - 2; i >= 0; i--) {
            p = p.fma(x, FloatVector.broadcast(S, c[i]));
        }
        return p;
    }

    /** Φ(x) = (1 + erf(x/√2))/2, through erfc in both tails. */
    static FloatVector phi(FloatVector x) {
        FloatVector z = x.mul(FloatErf.INV_SQRT2);
        FloatVector a = z.abs();
        FloatVector small = z.mul(horner(ERF_SMALL, z.mul(z))).fma(FloatVector.broadcast(S, 0.5f),
                FloatVector.broadcast(S, 0.5f));
        FloatVector ac = a.max(1f).min(10f);
        FloatVector t = FloatVector.broadcast(S, 1f).div(ac);
        FloatVector hi = ac.mul(ac);
        FloatVector lo = ac.fma(ac, hi.neg());
        FloatVector e = exp(hi.neg()).mul(lo.neg().add(1f));
        FloatVector c = e.mul(horner(ERFC_LARGE, t)).mul(t).mul(0.5f)
                .blend(0f, a.compare(VectorOperators.GT, 10f)); // erfc = 0 beyond 10, as FloatErf
        FloatVector large = c.neg().add(1f).blend(c, z.compare(VectorOperators.LT, 0f));
        return small.blend(large, a.compare(VectorOperators.GT, 1f));
    }

    static FloatVector activation(Activation f, FloatVector x) {
        return switch (f) {
            case IDENTITY -> x;
            case RELU -> x.max(0f);
            case GELU -> x.mul(phi(x));
            // x·(1 + tanh u)/2 = x·σ(2u), as ScalarMath
            case GELU_TANH -> x.div(exp(x.mul(x).mul(x).fma(FloatVector.broadcast(S, 0.044715f), x)
                    .mul(-2f * ScalarMath.SQRT_2_OVER_PI)).add(1f));
            case SWISH -> x.div(exp(x.neg()).add(1f));
            case TANH -> tanh(x);
        };
    }

    static FloatVector derivative(Activation f, FloatVector x) {
        return switch (f) {
            case IDENTITY -> FloatVector.broadcast(S, 1f);
            case RELU -> FloatVector.broadcast(S, 0f).blend(1f, x.compare(VectorOperators.GT, 0f));
            case GELU -> exp(x.mul(x).mul(-0.5f)).mul(FloatErf.INV_SQRT_2PI).fma(x, phi(x));
            case GELU_TANH -> { // as ScalarMath: s + 2x·s(1 − s)·u', a finite x clamped to ±10
                FloatVector xc = x.max(-10f).min(10f).blend(x, x.abs().compare(VectorOperators.EQ, Float.POSITIVE_INFINITY));
                FloatVector x2 = xc.mul(xc);
                FloatVector e = exp(x2.mul(xc).fma(FloatVector.broadcast(S, 0.044715f), xc).mul(-2f * ScalarMath.SQRT_2_OVER_PI));
                FloatVector sg = FloatVector.broadcast(S, 1f).div(e.add(1f));
                FloatVector du = x2.mul(3f * 0.044715f).add(1f).mul(ScalarMath.SQRT_2_OVER_PI);
                yield xc.mul(2f).mul(sg).mul(e.mul(sg)).mul(du).add(sg);
            }
            case SWISH -> {
                FloatVector sg = FloatVector.broadcast(S, 1f).div(exp(x.neg()).add(1f));
                yield sg.mul(x.mul(sg.neg().add(1f)).add(1f));
            }
            case TANH -> {
                FloatVector th = tanh(x);
                yield th.mul(th).neg().add(1f);
            }
        };
    }
}
