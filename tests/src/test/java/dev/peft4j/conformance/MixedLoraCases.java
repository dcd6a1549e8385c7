package dev.peft4j.conformance;

import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Mixed-adapter LoRA (SGMV): y[i,:] += s_α·(x[i,:] A_αᵀ) B_αᵀ with α = adapterOfRow[i], rows with −1 untouched.
 * y starts from random values (the base product), so a kernel that overwrites instead of adding, or touches a −1
 * row, fails.
 */
final class MixedLoraCases {
    private static final String FAMILY = "mixed-adapter LoRA (SGMV)";

    private MixedLoraCases() {}

    static List<KernelCase> cases() {
        List<KernelCase> list = new ArrayList<>();
        add(list, 1, 1, 1, 1, 1);
        add(list, 7, 33, 45, 8, 3);
        add(list, 130, 384, 384, 16, 4);
        add(list, 127, 384, 1536, 13, 2);
        add(list, 1021, 37, 384, 6, 5);
        add(list, 64, 1536, 33, 64, 1);
        // rows in runs of one adapter, as one sequence's tokens are: runs long enough to be read in place (≥ 16),
        // shorter ones gathered, runs longer than one group (128 rows), and a single adapter for every row
        addRuns(list, 700, 96, 130, 8, 3, 37);
        addRuns(list, 300, 384, 384, 16, 2, 150);
        addRuns(list, 259, 45, 77, 5, 4, 9);
        addRuns(list, 333, 64, 48, 4, 1, 333);
        return list;
    }

    private static void add(List<KernelCase> list, int n, int in, int out, int r, int adapters) {
        addRuns(list, n, in, out, r, adapters, 1);
    }

    /** Rows in consecutive runs of {@code run} that share one random adapter (or none). */
    private static void addRuns(List<KernelCase> list, int n, int in, int out, int r, int adapters, int run) {
        String sizes = "N=" + n + " in=" + in + " out=" + out + " r=" + r + " adapters=" + adapters
                + (run > 1 ? " runs of " + run : "");
        list.add(new KernelCase(FAMILY, "loraMixedForward", sizes, c -> {
            c.uniform("x", n, in);
            c.uniform("a", adapters, r, in);
            c.uniform("b", adapters, out, r);
            c.between("scales", 0.25, 4, adapters);
            c.uniform("y", n, out);
            int[] rows = c.ids("adapterOfRow", n, adapters + 1, 0); // adapters + 1 values: the last one means "none"
            for (int i = 0; i < n; i++) {
                int alpha = rows[i / run * run];
                rows[i] = alpha == adapters ? -1 : alpha;
            }
        }, k -> {
            Tensor y = k.in("y");
            k.b().loraMixedForward(k.in("x"), k.in("a"), k.in("b"), k.in("scales"), k.ids("adapterOfRow"), y);
            k.result("y", y, Tolerance.GEMM);
        }));
    }
}
