package dev.peft4j.conformance;

import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Inverted dropout through the shared counter-based hash: every backend must draw the same mask for a seed, so
 * one flipped element fails (it moves the error far above {@link Tolerance#ROUNDING}).
 */
final class DropoutCases {
    private static final String FAMILY = "dropout";

    private DropoutCases() {}

    static List<KernelCase> cases() {
        List<KernelCase> list = new ArrayList<>();
        add(list, new int[] {1}, 0f, 7L, true, false);
        add(list, new int[] {7, 33}, 0.1f, 42L, true, false);
        add(list, new int[] {127, 384}, 0.5f, -3L, true, true);
        add(list, new int[] {3, 7, 127}, 0.9f, Long.MAX_VALUE, false, false);
        add(list, new int[] {1021}, 0.1f, 0x9E3779B97F4A7C15L, false, true);
        return list;
    }

    private static void add(List<KernelCase> list, int[] shape, float p, long seed, boolean withMask, boolean inPlace) {
        String sizes = Arrays.toString(shape) + " p=" + p + " seed=" + seed + (withMask ? " mask" : "")
                + (inPlace ? " in place" : "");
        list.add(new KernelCase(FAMILY, "dropoutForward", sizes, c -> c.uniform("x", shape), k -> {
            Tensor x = k.in("x");
            Tensor y = inPlace ? x : k.out(shape);
            Tensor mask = k.outIf(withMask, shape);
            k.b().dropoutForward(x, p, seed, y, mask);
            k.result("y", y, Tolerance.ROUNDING);
            k.result("mask", mask, Tolerance.ROUNDING);
        }));
    }
}
