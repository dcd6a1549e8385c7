package dev.peft4j.conformance;

import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** linearForward y = x Wᵀ + b and linearBackward dx = dy W, dW = dyᵀ x, db = Σ_rows dy. */
final class LinearCases {
    private static final String FAMILY = "linear";

    private LinearCases() {}

    static List<KernelCase> cases() {
        List<KernelCase> list = new ArrayList<>();
        // {rows..., in, out}: x has shape {rows..., in}.
        add(list, new int[] {1}, 1, 1, true, true);
        add(list, new int[] {7}, 33, 384, false, true);
        add(list, new int[] {127}, 384, 33, true, false);
        add(list, new int[] {3, 7}, 33, 1, true, true);
        add(list, new int[] {127}, 1536, 384, true, true);
        add(list, new int[] {1021}, 384, 33, false, false);
        add(list, new int[] {1021}, 1536, 384, true, true);
        return list;
    }

    /** allGrads false: the frozen-weight call (dw null, db null). */
    private static void add(List<KernelCase> list, int[] rows, int in, int out, boolean bias, boolean allGrads) {
        int[] xShape = append(rows, in);
        int[] yShape = append(rows, out);
        String sizes = "x " + Arrays.toString(xShape) + " out=" + out + (bias ? " bias" : " no bias");
        list.add(new KernelCase(FAMILY, "linearForward", sizes, c -> {
            c.uniform("x", xShape);
            c.uniform("w", out, in);
            c.uniform("bias", out);
        }, k -> {
            Tensor y = k.out(yShape);
            k.b().linearForward(k.in("x"), k.in("w"), k.inIf(bias, "bias"), y);
            k.result("y", y, Tolerance.GEMM);
        }));
        list.add(new KernelCase(FAMILY, "linearBackward", sizes + (allGrads ? " dx,dW,db" : " dx only (frozen W)"), c -> {
            c.uniform("x", xShape);
            c.uniform("w", out, in);
            c.uniform("dy", yShape);
        }, k -> {
            Tensor dx = k.out(xShape);
            Tensor dw = k.outIf(allGrads, out, in);
            Tensor db = k.outIf(allGrads, out);
            k.b().linearBackward(k.in("dy"), k.in("x"), k.in("w"), dx, dw, db);
            k.result("dx", dx, Tolerance.GEMM);
            k.result("dW", dw, Tolerance.GEMM);
            k.result("db", db, Tolerance.REDUCTION);
        }));
    }

    static int[] append(int[] prefix, int last) {
        int[] s = Arrays.copyOf(prefix, prefix.length + 1);
        s[prefix.length] = last;
        return s;
    }
}
