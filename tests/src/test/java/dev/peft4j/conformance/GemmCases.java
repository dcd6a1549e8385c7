package dev.peft4j.conformance;

import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * gemm, rank 2 and batched rank 3, all four transposes, α/β: C = α·op(A)·op(B) + β·C. With β = 0, C is
 * NaN-poisoned (the contract says it is not read); with β ≠ 0 it is a random input.
 */
final class GemmCases {
    private static final String FAMILY = "gemm";
    /** {m, k, n}; the last two are the few big ones. */
    private static final int[][] SIZES = {{1, 1, 1}, {7, 33, 127}, {127, 384, 33}, {33, 1, 1021}};
    private static final float[][] ALPHA_BETA = {{1f, 0f}, {0.5f, 0f}, {-1.25f, 0.75f}, {1f, 1f}};

    private GemmCases() {}

    static List<KernelCase> cases() {
        List<KernelCase> list = new ArrayList<>();
        int variant = 0;
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                for (int[] mkn : SIZES) {
                    float[] ab = ALPHA_BETA[variant++ % ALPHA_BETA.length];
                    list.add(gemm(0, mkn[0], mkn[1], mkn[2], ta, tb, ab[0], ab[1]));
                }
                float[] ab = ALPHA_BETA[variant++ % ALPHA_BETA.length];
                list.add(gemm(3, 7, 33, 127, ta, tb, ab[0], ab[1]));
                list.add(gemm(2, 33, 64, 1, ta, tb, 1f, 0f));
            }
        }
        list.add(gemm(0, 1021, 384, 384, false, false, 1f, 0f));
        list.add(gemm(0, 1021, 1536, 384, true, false, 1f, 0f));
        list.add(gemm(0, 127, 1536, 384, true, true, 0.5f, 0.25f));
        list.add(gemm(12, 127, 32, 127, false, true, 0.17677669f, 0f));
        return list;
    }

    /** batch = 0 means rank 2. */
    private static KernelCase gemm(int batch, int m, int k, int n, boolean ta, boolean tb, float alpha, float beta) {
        int[] aShape = shape(batch, ta ? k : m, ta ? m : k);
        int[] bShape = shape(batch, tb ? n : k, tb ? k : n);
        int[] cShape = shape(batch, m, n);
        String sizes = (batch > 0 ? "batch=" + batch + " " : "") + "m=" + m + " k=" + k + " n=" + n
                + " op=" + (ta ? "T" : "N") + (tb ? "T" : "N") + " alpha=" + alpha + " beta=" + beta;
        return new KernelCase(FAMILY, "gemm", sizes, in -> {
            in.uniform("a", aShape);
            in.uniform("b", bShape);
            in.uniform("c", cShape);
        }, run -> {
            Tensor c = beta == 0f ? run.out(cShape) : run.in("c");
            run.b().gemm(run.in("a"), ta, run.in("b"), tb, c, alpha, beta);
            run.result("c", c, Tolerance.GEMM);
        });
    }

    private static int[] shape(int batch, int rows, int cols) {
        return batch > 0 ? new int[] {batch, rows, cols} : new int[] {rows, cols};
    }
}
