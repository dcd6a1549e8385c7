package dev.peft4j.cpu;

import static dev.peft4j.cpu.Simd.L;
import static dev.peft4j.cpu.Simd.S;

import dev.peft4j.backend.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The vector loops of every activation but the exact GELU ({@link GeluLoops}), as {@link ScalarMath} defines them:
 * ReLU, identity, GELU's tanh form y = x·σ(2u) = x/(1 + e^(−2u)), u = √(2/π)(x + 0.044715x³), swish
 * y = x/(1 + e^(−x)), tanh(x) (the odd Taylor polynomial for |x| &lt; 1/2, else sign(x)(1 − 2/(e^(2|x|) + 1))),
 * and their derivatives. Each works on blocks of {@value #BLOCK} floats in passes: the argument of e^x into an L1
 * buffer, {@link VectorMath#expBlock} over it, then the rest. No vector is passed to or returned from a call, so C2
 * compiles them the same in every JVM (see GeluLoops for what a per-vector helper cost).
 */
final class ActivationLoops {
    /** Floats per block. */
    static final int BLOCK = 256;
    private static final float C3 = 0.044715f;
    private static final float INF = Float.POSITIVE_INFINITY;

    private ActivationLoops() {}

    /** y[yo+i] = f(x[xo+i]) for i in [from, to), a whole number of vectors (y may be x); f is not GELU. */
    static void forward(Activation f, float[] x, int xo, float[] y, int yo, int from, int to) {
        float[] e = new float[BLOCK];
        for (int b = from; b < to; b += BLOCK) {
            int n = Math.min(BLOCK, to - b);
            int xb = xo + b, yb = yo + b;
            switch (f) {
                case IDENTITY -> {
                    for (int i = 0; i < n; i += L) {
                        FloatVector.fromArray(S, x, xb + i).intoArray(y, yb + i);
                    }
                }
                case RELU -> {
                    for (int i = 0; i < n; i += L) {
                        FloatVector.fromArray(S, x, xb + i).max(0f).intoArray(y, yb + i);
                    }
                }
                case GELU_TANH, SWISH -> {
                    for (int i = 0; i < n; i += L) { // the exponent: −2u, or −x
                        FloatVector v = FloatVector.fromArray(S, x, xb + i);
                        (f == Activation.SWISH ? v.neg()
                                : v.mul(v).mul(v).fma(FloatVector.broadcast(S, C3), v).mul(-2f * ScalarMath.SQRT_2_OVER_PI))
                                .intoArray(e, i);
                    }
                    VectorMath.expBlock(e, 0, 0f, e, 0, n);
                    for (int i = 0; i < n; i += L) {
                        FloatVector.fromArray(S, x, xb + i).div(FloatVector.fromArray(S, e, i).add(1f)).intoArray(y, yb + i);
                    }
                }
                case TANH -> {
                    tanh(x, xb, e, n);
                    System.arraycopy(e, 0, y, yb, n);
                }
                case GELU -> throw new IllegalArgumentException("the exact GELU runs in GeluLoops");
            }
        }
    }

    /**
     * dx[dxo+i] = s·dy[dyo+i]·f'(x[xo+i]) for i in [from, to), a whole number of vectors (dx may be dy or x); f is
     * not GELU.
     */
    static void backward(Activation f, float[] dy, int dyo, float[] x, int xo, float[] dx, int dxo, float s,
                         int from, int to) {
        float[] e = new float[BLOCK];
        for (int b = from; b < to; b += BLOCK) {
            int n = Math.min(BLOCK, to - b);
            int xb = xo + b, gb = dyo + b, db = dxo + b;
            switch (f) {
                case IDENTITY, RELU -> {
                    for (int i = 0; i < n; i += L) {
                        FloatVector d = FloatVector.broadcast(S, 1f);
                        if (f == Activation.RELU) {
                            d = FloatVector.broadcast(S, 0f)
                                    .blend(1f, FloatVector.fromArray(S, x, xb + i).compare(VectorOperators.GT, 0f));
                        }
                        d.mul(FloatVector.fromArray(S, dy, gb + i)).mul(s).intoArray(dx, db + i);
                    }
                }
                case GELU_TANH -> { // as ScalarMath: s + 2x·s(1 − s)·u', a finite x clamped to ±10 (infinities kept)
                    for (int i = 0; i < n; i += L) {
                        FloatVector v = FloatVector.fromArray(S, x, xb + i);
                        FloatVector xc = v.max(-10f).min(10f).blend(v, v.abs().compare(VectorOperators.EQ, INF));
                        xc.mul(xc).mul(xc).fma(FloatVector.broadcast(S, C3), xc).mul(-2f * ScalarMath.SQRT_2_OVER_PI)
                                .intoArray(e, i);
                    }
                    VectorMath.expBlock(e, 0, 0f, e, 0, n);
                    for (int i = 0; i < n; i += L) {
                        FloatVector v = FloatVector.fromArray(S, x, xb + i);
                        FloatVector xc = v.max(-10f).min(10f).blend(v, v.abs().compare(VectorOperators.EQ, INF));
                        FloatVector x2 = xc.mul(xc);
                        FloatVector ev = FloatVector.fromArray(S, e, i);
                        FloatVector sg = FloatVector.broadcast(S, 1f).div(ev.add(1f));
                        FloatVector du = x2.mul(3f * C3).add(1f).mul(ScalarMath.SQRT_2_OVER_PI);
                        FloatVector d = xc.mul(2f).mul(sg).mul(ev.mul(sg)).mul(du).add(sg);
                        d.mul(FloatVector.fromArray(S, dy, gb + i)).mul(s).intoArray(dx, db + i);
                    }
                }
                case SWISH -> { // σ(x)·(1 + x(1 − σ(x)))
                    for (int i = 0; i < n; i += L) {
                        FloatVector.fromArray(S, x, xb + i).neg().intoArray(e, i);
                    }
                    VectorMath.expBlock(e, 0, 0f, e, 0, n);
                    for (int i = 0; i < n; i += L) {
                        FloatVector v = FloatVector.fromArray(S, x, xb + i);
                        FloatVector sg = FloatVector.broadcast(S, 1f).div(FloatVector.fromArray(S, e, i).add(1f));
                        FloatVector d = sg.mul(v.mul(sg.neg().add(1f)).add(1f));
                        d.mul(FloatVector.fromArray(S, dy, gb + i)).mul(s).intoArray(dx, db + i);
                    }
                }
                case TANH -> { // 1 − tanh²
                    tanh(x, xb, e, n);
                    for (int i = 0; i < n; i += L) {
                        FloatVector th = FloatVector.fromArray(S, e, i);
                        FloatVector d = th.mul(th).neg().add(1f);
                        d.mul(FloatVector.fromArray(S, dy, gb + i)).mul(s).intoArray(dx, db + i);
                    }
                }
                case GELU -> throw new IllegalArgumentException("the exact GELU runs in GeluLoops");
            }
        }
    }

    /**
     * out[j] = tanh(x[xo+j]) for j &lt; n, n a whole number of vectors (n ≤ out.length): e^(2|x|) into out first,
     * then the Taylor polynomial blended with sign(x)(1 − 2/(e^(2|x|) + 1)).
     */
    static void tanh(float[] x, int xo, float[] out, int n) {
        for (int j = 0; j < n; j += L) {
            FloatVector a = FloatVector.fromArray(S, x, xo + j).abs();
            a.add(a).intoArray(out, j);
        }
        VectorMath.expBlock(out, 0, 0f, out, 0, n);
        float[] c = VectorMath.TANH_TAYLOR;
        for (int j = 0; j < n; j += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + j);
            FloatVector a = v.abs();
            FloatVector x2 = v.mul(v);
            FloatVector p = FloatVector.broadcast(S, c[c.length - 1]);
            for (int i = c.length - 2; i >= 0; i--) {
                p = p.fma(x2, FloatVector.broadcast(S, c[i]));
            }
            FloatVector small = v.mul(p);
            FloatVector big = FloatVector.broadcast(S, 1f)
                    .sub(FloatVector.broadcast(S, 2f).div(FloatVector.fromArray(S, out, j).add(1f)));
            big = big.blend(big.neg(), v.compare(VectorOperators.LT, 0f));
            big.blend(small, a.compare(VectorOperators.LT, 0.5f)).intoArray(out, j);
        }
    }
}
