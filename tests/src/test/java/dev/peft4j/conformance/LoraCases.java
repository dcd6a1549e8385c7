package dev.peft4j.conformance;

import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The fused LoRA linear: y = x Wᵀ + b + s·(x̃ Aᵀ) Bᵀ, u = x̃ Aᵀ, x̃ = x ⊙ dropMask; backward with g = dy B:
 * dB = s·dyᵀ u, dA = s·gᵀ x̃, dx = dy W + s·(g A) ⊙ dropMask. The backward gets u from the oracle's forward.
 */
final class LoraCases {
    private static final String FAMILY = "LoRA linear";
    private static final float DROP_P = 0.1f;

    private LoraCases() {}

    /** The gradients a backward call asks for. */
    private enum Grads { ALL, ADAPTER_ONLY, INPUT_ONLY }

    static List<KernelCase> cases() {
        List<KernelCase> list = new ArrayList<>();
        add(list, 1, 1, 1, 1, 2f, true, false, Grads.ALL);
        add(list, 7, 33, 33, 8, 0.5f, false, true, Grads.ALL);
        add(list, 127, 384, 384, 64, 0.125f, true, false, Grads.ADAPTER_ONLY);
        add(list, 127, 1536, 384, 8, 1f, true, true, Grads.ALL);
        add(list, 7, 384, 1536, 1, 16f, false, false, Grads.INPUT_ONLY);
        add(list, 1021, 384, 384, 8, 2f, true, true, Grads.ALL);
        add(list, 1021, 33, 1, 1, 1f, false, true, Grads.ALL);
        add(list, 1021, 384, 1536, 64, 0.25f, true, true, Grads.ALL);
        // r = 6 and 13: four-wide groups plus a remainder; in = 37, out = 45: column steps of 2 vectors plus tails
        add(list, 130, 37, 45, 6, 0.75f, true, true, Grads.ALL);
        add(list, 517, 45, 37, 13, 1.5f, false, false, Grads.ALL);
        return list;
    }

    private static void add(List<KernelCase> list, int n, int in, int out, int r, float s, boolean bias, boolean mask,
                            Grads grads) {
        String sizes = "N=" + n + " in=" + in + " out=" + out + " r=" + r + " s=" + s + (bias ? " bias" : "")
                + (mask ? " dropMask" : "");
        list.add(new KernelCase(FAMILY, "loraForward", sizes, c -> inputs(c, n, in, out, r, mask), k -> {
            Tensor y = k.out(n, out);
            Tensor u = k.out(n, r);
            k.b().loraForward(k.in("x"), k.in("w"), k.inIf(bias, "bias"), k.in("a"), k.in("b"), s,
                    k.inIf(mask, "dropMask"), y, u);
            k.result("y", y, Tolerance.GEMM);
            k.result("u", u, Tolerance.GEMM);
        }));
        if (!mask) {
            list.add(new KernelCase(FAMILY, "loraForward (inference, no u)", sizes, c -> inputs(c, n, in, out, r, false),
                    k -> {
                        Tensor y = k.out(n, out);
                        k.b().loraForward(k.in("x"), k.in("w"), k.inIf(bias, "bias"), k.in("a"), k.in("b"), s, y);
                        k.result("y", y, Tolerance.GEMM);
                    }));
        }
        list.add(new KernelCase(FAMILY, "loraBackward", sizes + " grads=" + grads, c -> {
            inputs(c, n, in, out, r, mask);
            c.uniform("dy", n, out);
            c.savedByOracle(k -> {
                Tensor y = k.out(n, out);
                Tensor u = k.out(n, r);
                k.b().loraForward(k.in("x"), k.in("w"), null, k.in("a"), k.in("b"), s, k.inIf(mask, "dropMask"), y, u);
                k.result("u", u, Tolerance.GEMM);
            });
        }, k -> {
            Tensor dx = k.outIf(grads != Grads.ADAPTER_ONLY, n, in);
            Tensor dA = k.outIf(grads != Grads.INPUT_ONLY, r, in);
            Tensor dB = k.outIf(grads != Grads.INPUT_ONLY, out, r);
            k.b().loraBackward(k.in("dy"), k.in("x"), k.in("w"), k.in("a"), k.in("b"), k.in("u"), s,
                    k.inIf(mask, "dropMask"), dx, dA, dB);
            k.result("dx", dx, Tolerance.GEMM);
            k.result("dA", dA, Tolerance.GEMM);
            k.result("dB", dB, Tolerance.GEMM);
        }));
    }

    private static void inputs(CaseInputs c, int n, int in, int out, int r, boolean mask) {
        c.uniform("x", n, in);
        c.uniform("w", out, in);
        c.uniform("bias", out);
        c.uniform("a", r, in);
        c.uniform("b", out, r);
        if (mask) {
            c.bernoulli("dropMask", DROP_P, 1f / (1f - DROP_P), n, in);
        }
    }
}
