package dev.peft4j.conformance;

import dev.peft4j.backend.AdamW;
import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * adamW over several parameter tensors of odd sizes (first step with zero state, a later step with random
 * state) and clipGradNorm with the norm above and below maxNorm.
 */
final class OptimizerCases {
    private static final String FAMILY = "optimiser";
    private static final int[][] SHAPES = {{1}, {33}, {127, 33}, {1536}, {8, 384}};

    private OptimizerCases() {}

    static List<KernelCase> cases() {
        List<KernelCase> list = new ArrayList<>();
        adam(list, 1, new AdamW(0.05f, 0.9f, 0.999f, 1e-8f, 0.01f));
        adam(list, 7, new AdamW(0.05f, 0.8f, 0.99f, 1e-6f, 0f));
        clip(list, 0.5);
        clip(list, 2.0);
        return list;
    }

    /** Optimiser state for {@code step}: zero before the first step, else m ∈ [−0.1, 0.1), v ∈ [0, 0.01). */
    static void adamState(CaseInputs c, String m, String v, long step, int... shape) {
        if (step == 1) {
            c.zeros(m, shape);
            c.zeros(v, shape);
        } else {
            c.between(m, -0.1, 0.1, shape);
            c.between(v, 0, 0.01, shape);
        }
    }

    private static void adam(List<KernelCase> list, long step, AdamW hp) {
        String sizes = "params " + Arrays.deepToString(SHAPES) + " step=" + step + " " + hp;
        list.add(new KernelCase(FAMILY, "adamW", sizes, c -> {
            for (int i = 0; i < SHAPES.length; i++) {
                c.uniform("p" + i, SHAPES[i]);
                c.uniform("g" + i, SHAPES[i]);
                adamState(c, "m" + i, "v" + i, step, SHAPES[i]);
            }
        }, k -> {
            int n = SHAPES.length;
            Tensor[] p = new Tensor[n];
            Tensor[] g = new Tensor[n];
            Tensor[] m = new Tensor[n];
            Tensor[] v = new Tensor[n];
            for (int i = 0; i < n; i++) {
                p[i] = k.in("p" + i);
                g[i] = k.in("g" + i);
                m[i] = k.in("m" + i);
                v[i] = k.in("v" + i);
            }
            k.b().adamW(p, g, m, v, hp, step);
            for (int i = 0; i < n; i++) {
                float[] after = p[i].toArray();
                k.result("params[" + i + "]", after, Tolerance.OPTIMIZER_STEP);
                k.result("Δparams[" + i + "]", KernelRun.difference(after, k.initial("p" + i)), Tolerance.OPTIMIZER_STEP);
                k.result("m[" + i + "]", m[i], Tolerance.ROUNDING);
                k.result("v[" + i + "]", v[i], Tolerance.ROUNDING);
            }
        }));
    }

    /** Random gradients g0.. of {@link #SHAPES} and maxNorm = factor × their norm. */
    private static void clipInputs(CaseInputs c, double factor) {
        double sq = 0;
        for (int i = 0; i < SHAPES.length; i++) {
            for (float x : c.uniform("g" + i, SHAPES[i]).data()) {
                sq += (double) x * x;
            }
        }
        c.put("maxNorm", new float[] {(float) (factor * Math.sqrt(sq))}, 1);
    }

    private static Tensor[] grads(KernelRun k) {
        Tensor[] g = new Tensor[SHAPES.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = k.in("g" + i);
        }
        return g;
    }

    /** maxNorm = factor × the true norm: factor &lt; 1 clips, factor &gt; 1 leaves the gradients alone. */
    private static void clip(List<KernelCase> list, double factor) {
        String sizes = "grads " + Arrays.deepToString(SHAPES) + " maxNorm=" + factor + "×norm";
        list.add(new KernelCase(FAMILY, "clipGradNorm", sizes, c -> clipInputs(c, factor), k -> {
            Tensor[] g = grads(k);
            k.scalar("norm", k.b().clipGradNorm(g, k.initial("maxNorm")[0]), Tolerance.REDUCTION);
            for (int i = 0; i < g.length; i++) {
                k.result("grads[" + i + "]", g[i], Tolerance.REDUCTION);
            }
        }));
        list.add(new KernelCase(FAMILY, "clipGradNorm (norm on the device)", sizes, c -> clipInputs(c, factor), k -> {
            Tensor[] g = grads(k);
            Tensor norm = k.out(1);
            k.b().clipGradNorm(g, k.initial("maxNorm")[0], norm);
            k.result("norm", norm, Tolerance.REDUCTION);
            for (int i = 0; i < g.length; i++) {
                k.result("grads[" + i + "]", g[i], Tolerance.REDUCTION);
            }
        }));
    }
}
