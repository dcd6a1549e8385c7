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
        return list;
    }

    private static void add(List<KernelCase> list, int n, int in, int out, int r, int adapters) {
        String sizes = "N=" + n + " in=" + in + " out=" + out + " r=" + r + " adapters=" + adapters;
        list.add(new KernelCase(FAMILY, "loraMixedForward", sizes, c -> {
            c.uniform("x", n, in);
            c.uniform("a", adapters, r, in);
            c.uniform("b", adapters, out, r);
            c.between("scales", 0.25, 4, adapters);
            c.uniform("y", n, out);
            int[] rows = c.ids("adapterOfRow", n, adapters + 1, 0); // adapters + 1 values: the last one means "none"
            for (int i = 0; i < n; i++) {
                rows[i] = rows[i] == adapters ? -1 : rows[i];
            }
        }, k -> {
            Tensor y = k.in("y");
            k.b().loraMixedForward(k.in("x"), k.in("a"), k.in("b"), k.in("scales"), k.ids("adapterOfRow"), y);
            k.result("y", y, Tolerance.GEMM);
        }));
    }
}
