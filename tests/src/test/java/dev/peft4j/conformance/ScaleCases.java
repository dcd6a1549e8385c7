package dev.peft4j.conformance;

import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** (IA)³: y = l ⊙ x (y may alias x); dx = l ⊙ dy, dl = Σ_rows dy ⊙ x. */
final class ScaleCases {
    private static final String FAMILY = "(IA)3 scale";
    private static final int[][] SHAPES = {{1, 1}, {7, 33}, {2, 127, 384}, {1021, 1536}};

    private ScaleCases() {}

    static List<KernelCase> cases() {
        List<KernelCase> list = new ArrayList<>();
        for (int i = 0; i < SHAPES.length; i++) {
            int[] shape = SHAPES[i];
            int dim = shape[shape.length - 1];
            boolean inPlace = i % 2 == 1;
            boolean onlyDl = i == 2;
            String sizes = "x " + Arrays.toString(shape);
            list.add(new KernelCase(FAMILY, "scaleForward", sizes + (inPlace ? " y aliasing x" : ""), c -> {
                c.uniform("x", shape);
                c.between("l", 0, 2, dim);
            }, k -> {
                Tensor x = k.in("x");
                Tensor y = inPlace ? x : k.out(shape);
                k.b().scaleForward(x, k.in("l"), y);
                k.result("y", y, Tolerance.ROUNDING);
            }));
            list.add(new KernelCase(FAMILY, "scaleBackward", sizes + (onlyDl ? " dl only" : " dx, dl"), c -> {
                c.uniform("x", shape);
                c.between("l", 0, 2, dim);
                c.uniform("dy", shape);
            }, k -> {
                Tensor dx = k.outIf(!onlyDl, shape);
                Tensor dl = k.out(dim);
                k.b().scaleBackward(k.in("dy"), k.in("x"), k.in("l"), dx, dl);
                k.result("dx", dx, Tolerance.ROUNDING);
                k.result("dl", dl, Tolerance.REDUCTION);
            }));
        }
        return list;
    }
}
