package dev.peft4j.validation;

import dev.peft4j.backend.AdapterGradients;
import dev.peft4j.backend.AdapterWeights;
import dev.peft4j.backend.AttentionGradients;
import dev.peft4j.backend.AttentionInputs;
import static dev.peft4j.validation.Rejections.rejects;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.AdamW;
import dev.peft4j.backend.ShapeMismatchException;
import dev.peft4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * An output may share storage with an input only where the contract says so (add/mul out, scale/activation/
 * softmax/dropout y, adapter y with residual); everywhere else both arguments are named. Views count: a view
 * shares its owner's storage.
 */
class AliasingTest extends ValidatedBackendFixture {
    private static final Class<ShapeMismatchException> ALIAS = ShapeMismatchException.class;

    @Test
    void gemmOutputMayNotBeAnOperand() {
        Tensor a = t(3, 3);
        rejects(ALIAS, () -> b.gemm(a, false, t(3, 3), false, a, 1, 0), "gemm", "a and c", "share storage");
        Tensor bm = t(3, 3);
        rejects(ALIAS, () -> b.gemm(t(3, 3), false, bm, true, bm.view(3, 3), 1, 0), "gemm", "b and c");
    }

    @Test
    void linearAndLoraOutputsMayNotAliasInputs() {
        Tensor x = t(2, 5);
        rejects(ALIAS, () -> b.linearForward(x, t(5, 5), null, x), "linearForward", "x and y");
        Tensor y = t(1, 5);
        rejects(ALIAS, () -> b.linearForward(t(1, 5), t(5, 5), y.view(5), y), "linearForward", "bias", "y");
        Tensor u = t(2, 3);
        rejects(ALIAS, () -> b.loraForward(u, t(5, 3), null, t(3, 3), t(5, 3), 1f, null, t(2, 5), u), "loraForward", "x and u");
        Tensor dy = t(1, 5);
        rejects(ALIAS, () -> b.loraBackward(dy, t(1, 3), t(5, 3), t(1, 3), t(5, 1), t(1, 1), 1f, null, null, null,
                dy.view(5, 1)), "loraBackward", "dy and dB");
    }

    @Test
    void adapterGradientsMayNotAliasTheirInputs() {
        Tensor bUp = t(3);
        rejects(ALIAS, () -> b.adapterBackward(t(2, 3), t(2, 3), new AdapterWeights(t(1, 3), null, t(3, 1), bUp, Activation.RELU, 1f), t(2, 1), AdapterGradients.none().withUp(null, bUp)), "adapterBackward", "bUp", "dbUp");
        Tensor x = t(2, 3);
        rejects(ALIAS, () -> b.adapterForward(x, t(2, 3), new AdapterWeights(t(1, 3), null, t(3, 1), null, Activation.RELU, 1f), x, t(2, 1)),
                "adapterForward", "x and y");
    }

    @Test
    void adapterOutputMayAliasTheResidual() {
        Tensor residual = b.fromHost(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        try (residual) {
            b.adapterForward(t(2, 3), residual, new AdapterWeights(t(1, 3), null, t(3, 1), null, Activation.IDENTITY, 0f), residual, t(2, 1));
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, residual.toArray());
        }
    }

    @Test
    void attentionOutputsMayNotAliasInputs() {
        Tensor q = t(1, 2, 4);
        rejects(ALIAS, () -> b.attentionForward(new AttentionInputs(q, t(1, 2, 4), t(1, 2, 4), null, null, null, false, 2), q, t(1, 2, 2)),
                "attentionForward", "q and out");
        Tensor pk = t(2, 4);
        rejects(ALIAS, () -> b.attentionBackward(t(1, 2, 4), new AttentionInputs(t(1, 2, 4), t(1, 2, 4), t(1, 2, 4), pk, t(2, 4), null, false, 2), t(1, 2, 4), t(1, 2, 2), AttentionGradients.none().withPrefixGradients(pk, null)), "attentionBackward", "prefixK", "dPrefixK");
    }

    @Test
    void normsSoftmaxAndLossOutputsMayNotAliasInputs() {
        Tensor x = t(2, 3);
        rejects(ALIAS, () -> b.layerNormForward(x, t(3), null, 1e-5f, x, t(2), t(2)), "layerNormForward", "x and y");
        Tensor dy = t(2, 3);
        rejects(ALIAS, () -> b.softmaxBackward(dy, t(2, 3), dy), "softmaxBackward", "dy and dx");
        Tensor ax = t(2, 3);
        rejects(ALIAS, () -> b.activationBackward(Activation.GELU, t(2, 3), ax, ax), "activationBackward", "x and dx");
        Tensor logits = t(2, 3);
        rejects(ALIAS, () -> b.crossEntropyForward(logits, new int[] {0, 1}, logits), "crossEntropyForward", "logits", "probs");
        Tensor dLogits = t(2, 3);
        rejects(ALIAS, () -> b.crossEntropyBackward(dLogits, new int[] {0, 1}, 1f, dLogits), "crossEntropyBackward",
                "probs", "dLogits");
        Tensor dropX = t(2, 3);
        rejects(ALIAS, () -> b.dropoutForward(dropX, 0.5f, 1L, t(2, 3), dropX), "dropoutForward", "x and mask");
        Tensor table = t(4, 3);
        rejects(ALIAS, () -> b.embeddingForward(table, new int[] {0, 1, 2, 3}, table), "embeddingForward", "table and out");
    }

    @Test
    void optimiserTensorsMustAllBeDistinct() {
        Tensor p = t(3);
        rejects(ALIAS, () -> b.adamW(new Tensor[] {p}, new Tensor[] {p}, new Tensor[] {t(3)}, new Tensor[] {t(3)},
                AdamW.withLr(1e-3f), 1), "adamW", "params[0] and grads[0]");
        Tensor shared = t(3);
        rejects(ALIAS, () -> b.adamW(new Tensor[] {shared, shared}, new Tensor[] {t(3), t(3)}, new Tensor[] {t(3), t(3)},
                new Tensor[] {t(3), t(3)}, AdamW.withLr(1e-3f), 1), "adamW", "params[0]", "params[1]");
        Tensor g = t(3);
        rejects(ALIAS, () -> b.adamW(new Tensor[] {t(3), t(3)}, new Tensor[] {g, t(3)}, new Tensor[] {t(3), g},
                new Tensor[] {t(3), t(3)}, AdamW.withLr(1e-3f), 1), "adamW", "grads[0]", "m[1]");
        Tensor cg = t(3);
        rejects(ALIAS, () -> b.clipGradNorm(new Tensor[] {cg, cg}, 1f), "clipGradNorm", "grads[0]", "grads[1]");
    }
}
