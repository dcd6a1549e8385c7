package dev.peft4j.cpu;

import static dev.peft4j.cpu.Simd.S;

import dev.peft4j.backend.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Vector activations with the polynomials of {@link ScalarMath} (both branches computed, then blended). */
final class VectorMath {
    private VectorMath() {}

    private static FloatVector horner(float[] c, FloatVector x) {
        FloatVector p = FloatVector.broadcast(S, c[c.length - 1]);
        for (int i = c.length - 2; i >= 0; i--) {
            p = p.fma(x, FloatVector.broadcast(S, c[i]));
        }
        return p;
    }

    /** Φ(x) = (1 + erf(x/√2))/2, through erfc in both tails. */
    static FloatVector phi(FloatVector x) {
        FloatVector z = x.mul(ScalarMath.INV_SQRT2);
        FloatVector a = z.abs();
        FloatVector small = z.mul(horner(ScalarMath.ERF_SMALL, z.mul(z))).fma(FloatVector.broadcast(S, 0.5f),
                FloatVector.broadcast(S, 0.5f));
        FloatVector ac = a.max(1f).min(10f);
        FloatVector t = FloatVector.broadcast(S, 1f).div(ac);
        FloatVector hi = ac.mul(ac);
        FloatVector lo = ac.fma(ac, hi.neg());
        FloatVector e = hi.neg().lanewise(VectorOperators.EXP).mul(lo.neg().add(1f));
        FloatVector c = e.mul(horner(ScalarMath.ERFC_LARGE, t)).mul(t).mul(0.5f);
        FloatVector large = c.neg().add(1f).blend(c, z.compare(VectorOperators.LT, 0f));
        return small.blend(large, a.compare(VectorOperators.GT, 1f));
    }

    static FloatVector activation(Activation f, FloatVector x) {
        return switch (f) {
            case IDENTITY -> x;
            case RELU -> x.max(0f);
            case GELU -> x.mul(phi(x));
            case GELU_TANH -> x.mul(x).mul(x).fma(FloatVector.broadcast(S, 0.044715f), x).mul(ScalarMath.SQRT_2_OVER_PI)
                    .lanewise(VectorOperators.TANH).add(1f).mul(x).mul(0.5f);
            case SWISH -> x.div(x.neg().lanewise(VectorOperators.EXP).add(1f));
            case TANH -> x.lanewise(VectorOperators.TANH);
        };
    }

    static FloatVector derivative(Activation f, FloatVector x) {
        return switch (f) {
            case IDENTITY -> FloatVector.broadcast(S, 1f);
            case RELU -> FloatVector.broadcast(S, 0f).blend(1f, x.compare(VectorOperators.GT, 0f));
            case GELU -> x.mul(x).mul(-0.5f).lanewise(VectorOperators.EXP).mul(ScalarMath.INV_SQRT_2PI).fma(x, phi(x));
            case GELU_TANH -> {
                FloatVector x2 = x.mul(x);
                FloatVector th = x2.mul(x).fma(FloatVector.broadcast(S, 0.044715f), x).mul(ScalarMath.SQRT_2_OVER_PI)
                        .lanewise(VectorOperators.TANH);
                FloatVector sech2 = th.mul(th).neg().add(1f);
                FloatVector inner = x2.mul(3f * 0.044715f).add(1f).mul(ScalarMath.SQRT_2_OVER_PI);
                yield th.add(1f).mul(0.5f).add(x.mul(0.5f).mul(sech2).mul(inner));
            }
            case SWISH -> {
                FloatVector sg = FloatVector.broadcast(S, 1f).div(x.neg().lanewise(VectorOperators.EXP).add(1f));
                yield sg.mul(x.mul(sg.neg().add(1f)).add(1f));
            }
            case TANH -> {
                FloatVector th = x.lanewise(VectorOperators.TANH);
                yield th.mul(th).neg().add(1f);
            }
        };
    }
}
