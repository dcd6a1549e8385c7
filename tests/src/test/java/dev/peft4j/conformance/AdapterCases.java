package dev.peft4j.conformance;

import dev.peft4j.backend.AdapterGradients;
import dev.peft4j.backend.AdapterWeights;
import dev.peft4j.backend.Activation;
import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The adapter bottleneck z = x W_dᵀ + b_d, y = residual + s·(f(z) W_uᵀ + b_u) for every activation, serial
 * (residual = x) and parallel (residual distinct, y aliasing it), biases present or not; backward with z from
 * the oracle's forward, including dScale.
 */
final class AdapterCases {
    private static final String FAMILY = "adapter bottleneck";

    private AdapterCases() {}

    /** How the forward is wired. */
    private enum Wiring { SERIAL, PARALLEL, PARALLEL_IN_PLACE }

    static List<KernelCase> cases() {
        List<KernelCase> list = new ArrayList<>();
        add(list, Activation.IDENTITY, 1, 1, 1, 1f, true, true, Wiring.SERIAL, true);
        add(list, Activation.RELU, 7, 33, 8, 4f, false, false, Wiring.PARALLEL, true);
        add(list, Activation.GELU, 127, 384, 24, 1f, true, true, Wiring.SERIAL, false);
        add(list, Activation.GELU_TANH, 7, 33, 3, 0.37f, true, false, Wiring.PARALLEL_IN_PLACE, true);
        add(list, Activation.SWISH, 127, 384, 64, 1f, false, true, Wiring.SERIAL, true);
        add(list, Activation.TANH, 1021, 384, 24, 4f, true, true, Wiring.PARALLEL, true);
        add(list, Activation.SWISH, 1, 1536, 96, 2f, true, true, Wiring.PARALLEL_IN_PLACE, false);
        add(list, Activation.GELU, 1021, 1536, 96, 1f, true, true, Wiring.PARALLEL, true);
        return list;
    }

    private static void add(List<KernelCase> list, Activation f, int n, int d, int m, float s, boolean bDown,
                            boolean bUp, Wiring wiring, boolean allGrads) {
        String sizes = f + " N=" + n + " d=" + d + " m=" + m + " s=" + s + (bDown ? " bDown" : "") + (bUp ? " bUp" : "")
                + " " + wiring;
        list.add(new KernelCase(FAMILY, "adapterForward", sizes, c -> inputs(c, n, d, m), k -> {
            Tensor x = k.in("x");
            Tensor residual = wiring == Wiring.SERIAL ? x : k.in("residual");
            Tensor y = wiring == Wiring.PARALLEL_IN_PLACE ? residual : k.out(n, d);
            Tensor z = k.out(n, m);
            k.b().adapterForward(x, residual, new AdapterWeights(k.in("wDown"), k.inIf(bDown, "bDown"), k.in("wUp"), k.inIf(bUp, "bUp"), f, s), y, z);
            k.result("y", y, Tolerance.GEMM);
            k.result("z", z, Tolerance.GEMM);
        }));
        list.add(new KernelCase(FAMILY, "adapterBackward", sizes + (allGrads ? " all grads + dScale" : " dx, dWUp only"), c -> {
            inputs(c, n, d, m);
            c.uniform("dy", n, d);
            c.savedByOracle(k -> {
                Tensor y = k.out(n, d);
                Tensor z = k.out(n, m);
                k.b().adapterForward(k.in("x"), k.in("x"), new AdapterWeights(k.in("wDown"), k.inIf(bDown, "bDown"), k.in("wUp"), k.inIf(bUp, "bUp"), f, s), y, z);
                k.result("z", z, Tolerance.GEMM);
            });
            c.zeros("zeroResidual", n, d);
            c.savedByOracle(k -> {
                Tensor o = k.out(n, d);
                k.b().adapterForward(k.in("x"), k.in("zeroResidual"), new AdapterWeights(k.in("wDown"), k.inIf(bDown, "bDown"), k.in("wUp"), k.inIf(bUp, "bUp"), f, 1f), o, k.out(n, m));
                k.result("adapterOutput", o, Tolerance.GEMM);
            });
            c.put("dScaleTerms", new float[] {(float) sumAbsProducts(c.tensor("dy").data(), c.tensor("adapterOutput").data())}, 1);
        }, k -> {
            Tensor dx = k.out(n, d);
            Tensor dWDown = k.outIf(allGrads, m, d);
            Tensor dbDown = k.outIf(allGrads, m);
            Tensor dWUp = k.out(d, m);
            Tensor dbUp = k.outIf(allGrads, d);
            Tensor dScale = k.outIf(allGrads, 1);
            k.b().adapterBackward(k.in("dy"), k.in("x"), new AdapterWeights(k.in("wDown"), null, k.in("wUp"), k.inIf(bUp, "bUp"), f, s), k.in("z"), AdapterGradients.none().withDx(dx).withDown(dWDown, dbDown).withUp(dWUp, dbUp).withDScale(dScale));
            // dx = dz W_d, dW_d = dzᵀ x and db_d = Σ dz go through f'(z): a transcendental factor inside a product.
            k.result("dx", dx, Tolerance.GEMM);
            k.result("dWDown", dWDown, Tolerance.GEMM);
            k.result("dbDown", dbDown, Tolerance.REDUCTION);
            k.result("dWUp", dWUp, Tolerance.GEMM);
            k.result("dbUp", dbUp, Tolerance.REDUCTION);
            if (dScale != null) {
                k.sum("dScale", dScale.toArray()[0], k.initial("dScaleTerms")[0], Tolerance.REDUCTION);
            }
        }));
    }

    /** Σ|dy ⊙ o| with o = f(z) W_uᵀ + b_u: the magnitude dScale = Σ dy ⊙ o is measured against. */
    private static double sumAbsProducts(float[] dy, float[] o) {
        double sum = 0;
        for (int i = 0; i < dy.length; i++) {
            sum += Math.abs((double) dy[i] * o[i]);
        }
        return sum;
    }

    private static void inputs(CaseInputs c, int n, int d, int m) {
        c.uniform("x", n, d);
        c.uniform("residual", n, d);
        c.uniform("wDown", m, d);
        c.uniform("bDown", m);
        c.uniform("wUp", d, m);
        c.uniform("bUp", d);
    }
}
