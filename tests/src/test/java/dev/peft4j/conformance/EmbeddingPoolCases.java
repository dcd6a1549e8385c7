package dev.peft4j.conformance;

import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Embedding gather and scatter-add (ids with repeats; dTable is NaN-poisoned, so the kernel must zero it), and
 * masked mean pooling (a fully masked sequence divides by max(1, 0) = 1).
 */
final class EmbeddingPoolCases {
    private static final String FAMILY = "embedding and pooling";

    private EmbeddingPoolCases() {}

    static List<KernelCase> cases() {
        List<KernelCase> list = new ArrayList<>();
        embedding(list, 1, 1, 1);
        embedding(list, 7, 33, 127);
        embedding(list, 1021, 384, 127);
        embedding(list, 30, 1536, 7);
        pool(list, 1, 1, 1, false);
        pool(list, 2, 7, 33, true);
        pool(list, 3, 127, 384, true);
        pool(list, 4, 30, 1, false);
        return list;
    }

    private static void embedding(List<KernelCase> list, int vocab, int dim, int n) {
        String sizes = "V=" + vocab + " D=" + dim + " ids=" + n;
        list.add(new KernelCase(FAMILY, "embeddingForward", sizes, c -> {
            c.uniform("table", vocab, dim);
            c.ids("ids", n, vocab, 0);
        }, k -> {
            Tensor out = k.out(n, dim);
            k.b().embeddingForward(k.in("table"), k.ids("ids"), out);
            k.result("out", out, Tolerance.ROUNDING);
        }));
        list.add(new KernelCase(FAMILY, "embeddingBackward", sizes, c -> {
            c.uniform("dOut", n, dim);
            c.ids("ids", n, vocab, 0);
        }, k -> {
            Tensor dTable = k.out(vocab, dim);
            k.b().embeddingBackward(k.in("dOut"), k.ids("ids"), dTable);
            k.result("dTable", dTable, Tolerance.REDUCTION);
        }));
    }

    /** With a mask, sequence 0 is fully masked when batch &gt; 1. */
    private static void pool(List<KernelCase> list, int batch, int time, int dim, boolean masked) {
        String sizes = "B=" + batch + " T=" + time + " D=" + dim + (masked ? " mask (sequence 0 fully masked)" : " no mask");
        list.add(new KernelCase(FAMILY, "meanPoolForward", sizes, c -> {
            c.uniform("x", batch, time, dim);
            mask(c, batch, time);
        }, k -> {
            Tensor out = k.out(batch, dim);
            k.b().meanPoolForward(k.in("x"), k.inIf(masked, "mask"), out);
            k.result("out", out, Tolerance.REDUCTION);
        }));
        list.add(new KernelCase(FAMILY, "meanPoolBackward", sizes, c -> {
            c.uniform("dOut", batch, dim);
            mask(c, batch, time);
        }, k -> {
            Tensor dx = k.out(batch, time, dim);
            k.b().meanPoolBackward(k.in("dOut"), k.inIf(masked, "mask"), dx);
            k.result("dx", dx, Tolerance.ROUNDING);
        }));
    }

    private static void mask(CaseInputs c, int batch, int time) {
        HostTensor m = c.paddingMask("mask", batch, time);
        if (batch > 1) {
            java.util.Arrays.fill(m.data(), 0, time, 0f);
        }
    }
}
