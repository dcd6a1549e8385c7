package dev.peft4j.conformance;

import dev.peft4j.backend.AdamW;
import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * BitFit: biasGradient db = Σ_rows dy, and the fused masked update (g = Σ_rows dy, then AdamW on bias, m, v only
 * where mask = 1). The update is compared on bias, m, v, db and on the step Δbias itself, so a wrong step is
 * not hidden behind |bias| ≫ |Δbias|.
 */
final class BitFitCases {
    private static final String FAMILY = "BitFit";
    static final AdamW HP = new AdamW(0.05f, 0.9f, 0.999f, 1e-8f, 0.01f);

    private BitFitCases() {}

    static List<KernelCase> cases() {
        List<KernelCase> list = new ArrayList<>();
        for (int[] shape : new int[][] {{1, 1}, {127, 33}, {3, 7, 384}, {1021, 1536}}) {
            int dim = shape[shape.length - 1];
            list.add(new KernelCase(FAMILY, "biasGradient", "dy " + Arrays.toString(shape), c -> c.uniform("dy", shape), k -> {
                Tensor db = k.out(dim);
                k.b().biasGradient(k.in("dy"), db);
                k.result("db", db, Tolerance.REDUCTION);
            }));
        }
        update(list, new int[] {1, 1}, 1, true);
        update(list, new int[] {7, 33}, 7, false);
        update(list, new int[] {2, 3, 384}, 1, false);
        update(list, new int[] {127, 1536}, 7, true);
        return list;
    }

    private static void update(List<KernelCase> list, int[] dyShape, long step, boolean withDb) {
        int dim = dyShape[dyShape.length - 1];
        String sizes = "dy " + Arrays.toString(dyShape) + " step=" + step + (withDb ? " db" : "");
        list.add(new KernelCase(FAMILY, "maskedBiasUpdate", sizes, c -> {
            c.uniform("dy", dyShape);
            c.uniform("bias", dim);
            c.bernoulli("mask", 0.5, 1f, dim);
            OptimizerCases.adamState(c, "m", "v", step, dim);
        }, k -> {
            Tensor bias = k.in("bias");
            Tensor m = k.in("m");
            Tensor v = k.in("v");
            Tensor db = k.outIf(withDb, dim);
            k.b().maskedBiasUpdate(k.in("dy"), bias, k.in("mask"), m, v, HP, step, db);
            float[] after = bias.toArray();
            k.result("bias", after, Tolerance.REDUCTION);
            k.result("Δbias", KernelRun.difference(after, k.initial("bias")), Tolerance.OPTIMIZER_STEP);
            k.result("m", m, Tolerance.REDUCTION);
            k.result("v", v, Tolerance.REDUCTION);
            k.result("db", db, Tolerance.REDUCTION);
        }));
    }
}
