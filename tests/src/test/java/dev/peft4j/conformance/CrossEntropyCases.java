package dev.peft4j.conformance;

import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Cross-entropy: the loss (a scalar), probs, and dLogits = scale·(probs − onehot)/count with probs from the
 * oracle; about 20% of targets are IGNORE_INDEX, and one case ignores every row (loss 0, dLogits all 0).
 */
final class CrossEntropyCases {
    private static final String FAMILY = "cross-entropy";

    private CrossEntropyCases() {}

    static List<KernelCase> cases() {
        List<KernelCase> list = new ArrayList<>();
        add(list, 1, 1, 0, 1f);
        add(list, 7, 33, 0.2, 0.25f);
        add(list, 127, 1021, 0.2, 1f);
        add(list, 1021, 2, 0.2, 0.5f);
        add(list, 7, 33, 1.0, 1f);
        return list;
    }

    private static void add(List<KernelCase> list, int n, int classes, double pIgnore, float scale) {
        String sizes = "N=" + n + " C=" + classes + " ignored≈" + (int) (pIgnore * 100) + "% scale=" + scale;
        list.add(new KernelCase(FAMILY, "crossEntropyForward", sizes, c -> inputs(c, n, classes, pIgnore), k -> {
            Tensor probs = k.out(n, classes);
            k.scalar("loss", k.b().crossEntropyForward(k.in("logits"), k.ids("targets"), probs), Tolerance.TRANSCENDENTAL);
            k.result("probs", probs, Tolerance.TRANSCENDENTAL);
        }));
        list.add(new KernelCase(FAMILY, "crossEntropyForward (loss on the device)", sizes,
                c -> inputs(c, n, classes, pIgnore), k -> {
            Tensor probs = k.out(n, classes);
            Tensor loss = k.out(1);
            k.b().crossEntropyForward(k.in("logits"), k.ids("targets"), probs, loss);
            k.result("loss", loss, Tolerance.TRANSCENDENTAL);
            k.result("probs", probs, Tolerance.TRANSCENDENTAL);
        }));
        list.add(new KernelCase(FAMILY, "crossEntropyBackward", sizes, c -> {
            inputs(c, n, classes, pIgnore);
            c.savedByOracle(k -> {
                Tensor probs = k.out(n, classes);
                k.b().crossEntropyForward(k.in("logits"), k.ids("targets"), probs);
                k.result("probs", probs, Tolerance.TRANSCENDENTAL);
            });
        }, k -> {
            Tensor dLogits = k.out(n, classes);
            k.b().crossEntropyBackward(k.in("probs"), k.ids("targets"), scale, dLogits);
            k.result("dLogits", dLogits, Tolerance.ROUNDING);
        }));
    }

    private static void inputs(CaseInputs c, int n, int classes, double pIgnore) {
        c.between("logits", -4, 4, n, classes);
        c.ids("targets", n, classes, pIgnore);
    }
}
