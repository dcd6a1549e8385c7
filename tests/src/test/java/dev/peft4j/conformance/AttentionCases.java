package dev.peft4j.conformance;

import dev.peft4j.backend.AttentionGradients;
import dev.peft4j.backend.AttentionInputs;
import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Multi-head attention with prefixes: prefix length L = 0, 1, 30; no mask, right padding, a scattered mask and a
 * fully padded sequence (queries that see no key: out = 0, lse = −∞); causal and not. The backward gets out and
 * lse from the oracle's forward. Outputs are GEMM-like (q·k and p·v products); exp enters through p.
 */
final class AttentionCases {
    private static final String FAMILY = "prefix attention";

    private AttentionCases() {}

    /** The key mask of a case. */
    private enum Mask { NONE, PADDING, SCATTERED, ONE_SEQUENCE_EMPTY }

    static List<KernelCase> cases() {
        List<KernelCase> list = new ArrayList<>();
        add(list, 1, 1, 1, 1, 0, Mask.NONE, false);
        add(list, 1, 1, 2, 3, 1, Mask.PADDING, true);
        add(list, 2, 7, 3, 11, 1, Mask.PADDING, true);
        add(list, 3, 33, 4, 16, 30, Mask.PADDING, false);
        add(list, 2, 30, 2, 8, 0, Mask.PADDING, true);
        add(list, 2, 17, 2, 5, 0, Mask.SCATTERED, true);
        add(list, 2, 17, 3, 7, 30, Mask.SCATTERED, false);
        add(list, 2, 5, 2, 4, 0, Mask.ONE_SEQUENCE_EMPTY, false);
        add(list, 2, 5, 2, 4, 1, Mask.ONE_SEQUENCE_EMPTY, true);
        add(list, 1, 61, 6, 64, 0, Mask.NONE, false);
        add(list, 2, 127, 12, 32, 30, Mask.PADDING, true);
        addSkippingMaskedQueries(list, 2, 7, 3, 11, 1, Mask.PADDING, true);
        addSkippingMaskedQueries(list, 3, 33, 4, 16, 30, Mask.PADDING, false);
        addSkippingMaskedQueries(list, 2, 17, 3, 7, 30, Mask.SCATTERED, false);
        addSkippingMaskedQueries(list, 2, 5, 2, 4, 1, Mask.ONE_SEQUENCE_EMPTY, true);
        addSkippingMaskedQueries(list, 4, 127, 12, 32, 0, Mask.PADDING, false);
        return list;
    }

    /**
     * The forward with {@link AttentionInputs#skippingMaskedQueries()}: the rows of masked query positions are
     * unspecified there (a backend may skip them), so both out and lse are compared at the unmasked positions only
     * (masked ones set to 0 in every backend's result before the comparison); poisoned outputs at unmasked rows fail.
     */
    private static void addSkippingMaskedQueries(List<KernelCase> list, int batch, int time, int heads, int dh, int len,
                                                 Mask mask, boolean causal) {
        int dModel = heads * dh;
        boolean prefix = len > 0;
        String sizes = "B=" + batch + " T=" + time + " heads=" + heads + " dh=" + dh + " L=" + len + " mask=" + mask
                + (causal ? " causal" : " bidirectional") + " masked queries skipped";
        list.add(new KernelCase(FAMILY, "attentionForward", sizes, c -> inputs(c, batch, time, dModel, len, mask), k -> {
            Tensor out = k.out(batch, time, dModel);
            Tensor lse = k.out(batch, heads, time);
            k.b().attentionForward(new AttentionInputs(k.in("q"), k.in("k"), k.in("v"), k.inIf(prefix, "prefixK"),
                    k.inIf(prefix, "prefixV"), k.in("keyMask"), causal, heads).skippingMaskedQueries(), out, lse);
            float[] keyMask = k.initial("keyMask");
            float[] o = out.toArray();
            float[] l = lse.toArray();
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < time; t++) {
                    if (keyMask[b * time + t] == 0f) {
                        java.util.Arrays.fill(o, (b * time + t) * dModel, (b * time + t + 1) * dModel, 0f);
                        for (int h = 0; h < heads; h++) {
                            l[(b * heads + h) * time + t] = 0f;
                        }
                    }
                }
            }
            k.result("out at unmasked queries", o, Tolerance.GEMM);
            k.result("lse at unmasked queries", l, Tolerance.GEMM);
        }));
    }

    private static void add(List<KernelCase> list, int batch, int time, int heads, int dh, int len, Mask mask,
                            boolean causal) {
        int dModel = heads * dh;
        boolean prefix = len > 0;
        boolean masked = mask != Mask.NONE;
        String sizes = "B=" + batch + " T=" + time + " heads=" + heads + " dh=" + dh + " L=" + len + " mask=" + mask
                + (causal ? " causal" : " bidirectional");
        list.add(new KernelCase(FAMILY, "attentionForward", sizes, c -> inputs(c, batch, time, dModel, len, mask), k -> {
            Tensor out = k.out(batch, time, dModel);
            Tensor lse = k.out(batch, heads, time);
            k.b().attentionForward(new AttentionInputs(k.in("q"), k.in("k"), k.in("v"), k.inIf(prefix, "prefixK"), k.inIf(prefix, "prefixV"), k.inIf(masked, "keyMask"), causal, heads), out, lse);
            k.result("out", out, Tolerance.GEMM);
            k.result("lse", lse, Tolerance.GEMM);
        }));
        for (boolean onlyPrefixGrads : prefix ? new boolean[] {false, true} : new boolean[] {false}) {
            list.add(new KernelCase(FAMILY, "attentionBackward", sizes + (onlyPrefixGrads ? " prefix grads only" : " all grads"), c -> {
                inputs(c, batch, time, dModel, len, mask);
                c.uniform("dOut", batch, time, dModel);
                c.savedByOracle(k -> {
                    Tensor out = k.out(batch, time, dModel);
                    Tensor lse = k.out(batch, heads, time);
                    k.b().attentionForward(new AttentionInputs(k.in("q"), k.in("k"), k.in("v"), k.inIf(prefix, "prefixK"), k.inIf(prefix, "prefixV"), k.inIf(masked, "keyMask"), causal, heads), out, lse);
                    k.result("out", out, Tolerance.GEMM);
                    k.result("lse", lse, Tolerance.GEMM);
                });
            }, k -> {
                Tensor dq = k.outIf(!onlyPrefixGrads, batch, time, dModel);
                Tensor dk = k.outIf(!onlyPrefixGrads, batch, time, dModel);
                Tensor dv = k.outIf(!onlyPrefixGrads, batch, time, dModel);
                Tensor dPk = k.outIf(prefix, len, dModel);
                Tensor dPv = k.outIf(prefix, len, dModel);
                k.b().attentionBackward(k.in("dOut"), new AttentionInputs(k.in("q"), k.in("k"), k.in("v"), k.inIf(prefix, "prefixK"), k.inIf(prefix, "prefixV"), k.inIf(masked, "keyMask"), causal, heads), k.in("out"), k.in("lse"), AttentionGradients.none().withDq(dq).withDk(dk).withDv(dv).withPrefixGradients(dPk, dPv));
                k.result("dq", dq, Tolerance.GEMM);
                k.result("dk", dk, Tolerance.GEMM);
                k.result("dv", dv, Tolerance.GEMM);
                k.result("dPrefixK", dPk, Tolerance.GEMM);
                k.result("dPrefixV", dPv, Tolerance.GEMM);
            }));
        }
    }

    /** q is drawn from [−3, 3) so the scaled scores have a spread of about 1 and softmax is far from uniform. */
    private static void inputs(CaseInputs c, int batch, int time, int dModel, int len, Mask mask) {
        c.between("q", -3, 3, batch, time, dModel);
        c.uniform("k", batch, time, dModel);
        c.uniform("v", batch, time, dModel);
        if (len > 0) {
            c.uniform("prefixK", len, dModel);
            c.uniform("prefixV", len, dModel);
        }
        switch (mask) {
            case NONE -> { }
            case PADDING -> c.paddingMask("keyMask", batch, time);
            case SCATTERED -> c.bernoulli("keyMask", 0.4, 1f, batch, time);
            case ONE_SEQUENCE_EMPTY -> {
                float[] m = new float[batch * time];
                java.util.Arrays.fill(m, 0, time, 1f);
                c.put("keyMask", m, batch, time);
            }
        }
    }
}
