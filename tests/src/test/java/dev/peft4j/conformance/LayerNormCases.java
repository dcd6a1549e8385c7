package dev.peft4j.conformance;

import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Layer norm, forward (y, mean, rstd) and backward (dx, dγ, dβ, with mean and rstd from the oracle's forward).
 * x is drawn from [3, 5): an offset of 4 makes a variance computed as E[x²] − μ² in fp32 lose about
 * log10(16/(1/3)) ≈ 1.7 digits, which the tolerance still admits, while a grossly unstable one fails.
 * D = 1 (variance 0, rstd = 1/√eps) is included.
 */
final class LayerNormCases {
    private static final String FAMILY = "layer norm";

    private LayerNormCases() {}

    static List<KernelCase> cases() {
        List<KernelCase> list = new ArrayList<>();
        add(list, new int[] {1, 1}, 1e-12f, true, true);
        add(list, new int[] {7, 33}, 1e-5f, false, true);
        add(list, new int[] {3, 7, 33}, 1e-12f, true, false);
        add(list, new int[] {127, 384}, 1e-12f, true, true);
        add(list, new int[] {1021, 384}, 1e-5f, true, false);
        add(list, new int[] {7, 1536}, 1e-12f, false, true);
        return list;
    }

    private static void add(List<KernelCase> list, int[] shape, float eps, boolean beta, boolean allGrads) {
        int dim = shape[shape.length - 1];
        int rows = Arrays.stream(shape).reduce(1, (a, b) -> a * b) / dim;
        String sizes = "x " + Arrays.toString(shape) + " eps=" + eps + (beta ? " beta" : " no beta");
        list.add(new KernelCase(FAMILY, "layerNormForward", sizes, c -> inputs(c, shape, dim), k -> {
            Tensor y = k.out(shape);
            Tensor mean = k.out(rows);
            Tensor rstd = k.out(rows);
            k.b().layerNormForward(k.in("x"), k.in("gamma"), k.inIf(beta, "beta"), eps, y, mean, rstd);
            k.result("y", y, Tolerance.TRANSCENDENTAL);
            k.result("mean", mean, Tolerance.REDUCTION);
            k.result("rstd", rstd, Tolerance.TRANSCENDENTAL);
        }));
        list.add(new KernelCase(FAMILY, "layerNormBackward", sizes + (allGrads ? " dx, dγ, dβ" : " dx only"), c -> {
            inputs(c, shape, dim);
            c.uniform("dy", shape);
            c.savedByOracle(k -> {
                Tensor y = k.out(shape);
                Tensor mean = k.out(rows);
                Tensor rstd = k.out(rows);
                k.b().layerNormForward(k.in("x"), k.in("gamma"), k.inIf(beta, "beta"), eps, y, mean, rstd);
                k.result("mean", mean, Tolerance.REDUCTION);
                k.result("rstd", rstd, Tolerance.TRANSCENDENTAL);
            });
        }, k -> {
            Tensor dx = k.out(shape);
            Tensor dGamma = k.outIf(allGrads, dim);
            Tensor dBeta = k.outIf(allGrads, dim);
            k.b().layerNormBackward(k.in("dy"), k.in("x"), k.in("gamma"), k.in("mean"), k.in("rstd"), dx, dGamma, dBeta);
            k.result("dx", dx, Tolerance.TRANSCENDENTAL);
            k.result("dGamma", dGamma, Tolerance.REDUCTION);
            k.result("dBeta", dBeta, Tolerance.REDUCTION);
        }));
    }

    private static void inputs(CaseInputs c, int[] shape, int dim) {
        c.between("x", 3, 5, shape);
        c.between("gamma", 0.5, 1.5, dim);
        c.uniform("beta", dim);
    }
}
