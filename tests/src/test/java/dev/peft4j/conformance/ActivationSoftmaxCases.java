package dev.peft4j.conformance;

import dev.peft4j.backend.Activation;
import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Every activation forward and backward (out of place and in place), and softmax forward and backward.
 * Activation inputs lie in [−4, 4) to reach the saturated tails of erf, tanh and the sigmoid.
 */
final class ActivationSoftmaxCases {
    private static final String FAMILY = "activations and softmax";
    private static final int[][] SHAPES = {{1}, {1021}, {127, 33}};

    private ActivationSoftmaxCases() {}

    static List<KernelCase> cases() {
        List<KernelCase> list = new ArrayList<>();
        int variant = 0;
        for (Activation f : Activation.values()) {
            for (int[] shape : SHAPES) {
                boolean inPlace = variant++ % 2 == 1;
                String sizes = f + " " + Arrays.toString(shape) + (inPlace ? " in place" : "");
                list.add(new KernelCase(FAMILY, "activationForward", sizes, c -> c.between("x", -4, 4, shape), k -> {
                    Tensor x = k.in("x");
                    Tensor y = inPlace ? x : k.out(shape);
                    k.b().activationForward(f, x, y);
                    k.result("y", y, Tolerance.TRANSCENDENTAL);
                }));
                list.add(new KernelCase(FAMILY, "activationBackward", sizes, c -> {
                    c.between("x", -4, 4, shape);
                    c.uniform("dy", shape);
                }, k -> {
                    Tensor dy = k.in("dy");
                    Tensor dx = inPlace ? dy : k.out(shape);
                    k.b().activationBackward(f, dy, k.in("x"), dx);
                    k.result("dx", dx, Tolerance.TRANSCENDENTAL);
                }));
            }
        }
        for (int[] shape : new int[][] {{1, 1}, {7, 33}, {127, 1021}, {2, 3, 127}}) {
            boolean inPlace = shape[0] == 7 || shape[0] == 2;
            String sizes = Arrays.toString(shape) + (inPlace ? " in place" : "");
            list.add(new KernelCase(FAMILY, "softmaxForward", sizes, c -> c.between("x", -8, 8, shape), k -> {
                Tensor x = k.in("x");
                Tensor y = inPlace ? x : k.out(shape);
                k.b().softmaxForward(x, y);
                k.result("y", y, Tolerance.TRANSCENDENTAL);
            }));
            list.add(new KernelCase(FAMILY, "softmaxBackward", Arrays.toString(shape), c -> {
                c.between("x", -8, 8, shape);
                c.uniform("dy", shape);
                c.savedByOracle(k -> {
                    Tensor y = k.out(shape);
                    k.b().softmaxForward(k.in("x"), y);
                    k.result("y", y, Tolerance.TRANSCENDENTAL);
                });
            }, k -> {
                Tensor dx = k.out(shape);
                k.b().softmaxBackward(k.in("dy"), k.in("y"), dx);
                k.result("dx", dx, Tolerance.TRANSCENDENTAL);
            }));
        }
        return list;
    }
}
