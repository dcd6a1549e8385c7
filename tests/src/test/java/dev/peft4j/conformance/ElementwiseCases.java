package dev.peft4j.conformance;

import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** add, mul, axpy, copy, upload, fill: every element is one or two fp32 roundings, so {@link Tolerance#ROUNDING}. */
final class ElementwiseCases {
    private static final String FAMILY = "elementwise (add, mul, axpy, copy, upload, fill)";
    private static final int[][] SHAPES = {{1}, {7}, {1021}, {33, 384}, {3, 7, 127}};

    private ElementwiseCases() {}

    static List<KernelCase> cases() {
        List<KernelCase> list = new ArrayList<>();
        for (int[] shape : SHAPES) {
            String sizes = "shape " + Arrays.toString(shape);
            list.add(new KernelCase(FAMILY, "add", sizes, in -> ab(in, shape), k -> {
                Tensor out = k.out(shape);
                k.b().add(k.in("a"), k.in("b"), out);
                k.result("out", out, Tolerance.ROUNDING);
            }));
            list.add(new KernelCase(FAMILY, "mul", sizes, in -> ab(in, shape), k -> {
                Tensor out = k.out(shape);
                k.b().mul(k.in("a"), k.in("b"), out);
                k.result("out", out, Tolerance.ROUNDING);
            }));
            list.add(new KernelCase(FAMILY, "axpy", sizes + " alpha=-0.75", in -> ab(in, shape), k -> {
                Tensor y = k.in("b");
                k.b().axpy(-0.75f, k.in("a"), y);
                k.result("y", y, Tolerance.ROUNDING);
            }));
            list.add(new KernelCase(FAMILY, "upload", sizes, in -> ab(in, shape), k -> {
                Tensor t = k.out(shape);
                k.b().upload(k.initial("a"), t);
                k.result("t", t, Tolerance.ROUNDING);
            }));
            list.add(new KernelCase(FAMILY, "fill", sizes + " value=2.5", in -> { }, k -> {
                Tensor t = k.out(shape);
                k.b().fill(t, 2.5f);
                k.result("t", t, Tolerance.ROUNDING);
            }));
        }
        list.add(new KernelCase(FAMILY, "add", "shape [127, 33], out aliasing a", in -> ab(in, new int[] {127, 33}), k -> {
            Tensor a = k.in("a");
            k.b().add(a, k.in("b"), a);
            k.result("out=a", a, Tolerance.ROUNDING);
        }));
        list.add(new KernelCase(FAMILY, "mul", "shape [127, 33], out aliasing b", in -> ab(in, new int[] {127, 33}), k -> {
            Tensor b = k.in("b");
            k.b().mul(k.in("a"), b, b);
            k.result("out=b", b, Tolerance.ROUNDING);
        }));
        list.add(new KernelCase(FAMILY, "copy", "src [127, 33] to dst [33, 127]", in -> in.uniform("src", 127, 33), k -> {
            Tensor dst = k.out(33, 127);
            k.b().copy(k.in("src"), dst);
            k.result("dst", dst, Tolerance.ROUNDING);
        }));
        list.add(new KernelCase(FAMILY, "copy", "src [1] to dst [1]", in -> in.uniform("src", 1), k -> {
            Tensor dst = k.out(1);
            k.b().copy(k.in("src"), dst);
            k.result("dst", dst, Tolerance.ROUNDING);
        }));
        return list;
    }

    private static void ab(CaseInputs in, int[] shape) {
        in.uniform("a", shape);
        in.uniform("b", shape);
    }
}
