package dev.peft4j.validation;

import dev.peft4j.backend.AdapterGradients;
import dev.peft4j.backend.AdapterWeights;
import dev.peft4j.backend.AttentionGradients;
import dev.peft4j.backend.AttentionInputs;
import static dev.peft4j.validation.Rejections.rejects;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.AdamW;
import dev.peft4j.backend.ShapeMismatchException;
import dev.peft4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Every kernel family refuses mismatched shapes with a message naming the operation, the argument and the shapes. */
class ShapeMismatchTest extends ValidatedBackendFixture {
    private static final Class<ShapeMismatchException> SHAPE = ShapeMismatchException.class;

    @Test
    void elementwise() {
        rejects(SHAPE, () -> b.add(t(7), t(8), t(7)), "add", "b", "[8]", "[7]");
        rejects(SHAPE, () -> b.mul(t(7, 3), t(7, 3), t(3, 7)), "mul", "out", "[3, 7]", "[7, 3]");
        rejects(SHAPE, () -> b.axpy(1f, t(7), t(6)), "axpy", "y", "[6]", "[7]");
        rejects(SHAPE, () -> b.copy(t(7), t(2, 3)), "copy", "dst", "[2, 3]", "[7]");
        rejects(SHAPE, () -> b.fromHost(new float[5], 2, 3), "fromHost", "[2, 3]", "5");
        rejects(SHAPE, () -> b.upload(new float[5], t(2, 3)), "upload", "dst [2, 3]", "6 elements", "src has 5");
    }

    @Test
    void gemm() {
        rejects(SHAPE, () -> b.gemm(t(7, 33), false, t(34, 5), false, t(7, 5), 1, 0), "gemm", "[7, 33]", "[34, 5]", "[7, 5]");
        rejects(SHAPE, () -> b.gemm(t(7, 33), true, t(7, 5), false, t(7, 5), 1, 0), "gemm", "transposed", "[33,5]");
        rejects(SHAPE, () -> b.gemm(t(2, 7, 3), false, t(3, 3, 5), false, t(2, 7, 5), 1, 0), "gemm", "batch", "[3, 3, 5]");
        rejects(SHAPE, () -> b.gemm(t(7, 3), false, t(2, 3, 5), false, t(7, 5), 1, 0), "gemm", "rank", "[2, 3, 5]");
    }

    @Test
    void linear() {
        rejects(SHAPE, () -> b.linearForward(t(7, 33), t(5, 32), null, t(7, 5)), "linearForward", "x", "[7, 33]", "32");
        rejects(SHAPE, () -> b.linearForward(t(7, 33), t(5, 33), t(4), t(7, 5)), "linearForward", "bias", "[4]", "[5]");
        rejects(SHAPE, () -> b.linearForward(t(7, 33), t(5, 33), null, t(6, 5)), "linearForward", "y", "7 rows", "[6, 5]");
        rejects(SHAPE, () -> b.linearBackward(t(7, 5), t(7, 33), t(5, 33), t(7, 32), null, null),
                "linearBackward", "dx", "[7, 32]", "[7, 33]");
        rejects(SHAPE, () -> b.linearBackward(t(7, 5), t(7, 33), t(5, 33), null, t(33, 5), null),
                "linearBackward", "dw", "[33, 5]", "[5, 33]");
    }

    @Test
    void lora() {
        rejects(SHAPE, () -> b.loraForward(t(7, 33), t(5, 33), null, t(8, 32), t(5, 8), 1f, null, t(7, 5), t(7, 8)),
                "loraForward", "a", "[8, 32]", "33");
        rejects(SHAPE, () -> b.loraForward(t(7, 33), t(5, 33), null, t(8, 33), t(8, 5), 1f, null, t(7, 5), t(7, 8)),
                "loraForward", "b", "[8, 5]", "[5, 8]");
        rejects(SHAPE, () -> b.loraForward(t(7, 33), t(5, 33), null, t(8, 33), t(5, 8), 1f, t(7, 32), t(7, 5), t(7, 8)),
                "loraForward", "dropMask", "[7, 32]", "[7, 33]");
        rejects(SHAPE, () -> b.loraForward(t(7, 33), t(5, 33), null, t(8, 33), t(5, 8), 1f, null, t(7, 5), t(7, 4)),
                "loraForward", "u", "[7, 4]");
        rejects(SHAPE, () -> b.loraBackward(t(7, 5), t(7, 33), t(5, 33), t(8, 33), t(5, 8), t(7, 8), 1f, null,
                null, t(33, 8), null), "loraBackward", "dA", "[33, 8]", "[8, 33]");
    }

    @Test
    void lossAndNormOnTheDevice() {
        rejects(SHAPE, () -> b.crossEntropyForward(t(4, 3), new int[] {0, 1, 2, 0}, t(4, 3), t(2)),
                "crossEntropyForward", "loss", "[1]", "[2]");
        rejects(SHAPE, () -> b.clipGradNorm(new Tensor[] {t(3), t(5)}, 1f, t(1, 1)), "clipGradNorm", "norm", "[1]",
                "[1, 1]");
    }

    @Test
    void mixedLora() {
        int[] rows = {0, 1, -1, 2, 0, 1, 2};
        rejects(SHAPE, () -> b.loraMixedForward(t(7, 33), t(8, 33), t(3, 5, 8), t(3), rows, t(7, 5)),
                "loraMixedForward", "a", "[k, r, in]", "[8, 33]");
        rejects(SHAPE, () -> b.loraMixedForward(t(7, 32), t(3, 8, 33), t(3, 5, 8), t(3), rows, t(7, 5)),
                "loraMixedForward", "x", "33", "[7, 32]");
        rejects(SHAPE, () -> b.loraMixedForward(t(7, 33), t(3, 8, 33), t(3, 5, 4), t(3), rows, t(7, 5)),
                "loraMixedForward", "b", "[3, out, 8]", "[3, 5, 4]");
        rejects(SHAPE, () -> b.loraMixedForward(t(7, 33), t(3, 8, 33), t(2, 5, 8), t(3), rows, t(7, 5)),
                "loraMixedForward", "b", "[2, 5, 8]");
        rejects(SHAPE, () -> b.loraMixedForward(t(7, 33), t(3, 8, 33), t(3, 5, 8), t(2), rows, t(7, 5)),
                "loraMixedForward", "scales", "[3]", "[2]");
        rejects(SHAPE, () -> b.loraMixedForward(t(7, 33), t(3, 8, 33), t(3, 5, 8), t(3), rows, t(6, 5)),
                "loraMixedForward", "y", "7 rows", "[6, 5]");
        rejects(SHAPE, () -> b.loraMixedForward(t(7, 33), t(3, 8, 33), t(3, 5, 8), t(3), new int[6], t(7, 5)),
                "loraMixedForward", "adapterOfRow has 6 entries", "7 rows");
        rejects(SHAPE, () -> b.loraMixedForward(t(7, 33), t(3, 8, 33), t(3, 5, 8), t(3), new int[] {0, 0, 0, 3, 0, 0, 0},
                t(7, 5)), "loraMixedForward", "adapterOfRow[3] = 3", "[0, 3)", "-1");
        rejects(SHAPE, () -> b.loraMixedForward(t(7, 33), t(3, 8, 33), t(3, 5, 8), t(3), new int[] {0, 0, -2, 0, 0, 0, 0},
                t(7, 5)), "loraMixedForward", "adapterOfRow[2] = -2");
    }

    @Test
    void adapter() {
        rejects(SHAPE, () -> b.adapterForward(t(7, 33), t(7, 33), new AdapterWeights(t(4, 33), null, t(4, 33), null, Activation.RELU, 1f), t(7, 33), t(7, 4)), "adapterForward", "wUp", "[4, 33]", "[33, 4]");
        rejects(SHAPE, () -> b.adapterForward(t(7, 33), t(7, 32), new AdapterWeights(t(4, 33), null, t(33, 4), null, Activation.RELU, 1f), t(7, 33), t(7, 4)), "adapterForward", "residual", "[7, 32]", "[7, 33]");
        rejects(SHAPE, () -> b.adapterForward(t(7, 33), t(7, 33), new AdapterWeights(t(4, 33), t(5), t(33, 4), null, Activation.RELU, 1f), t(7, 33), t(7, 4)), "adapterForward", "bDown", "[5]", "[4]");
        rejects(SHAPE, () -> b.adapterBackward(t(7, 33), t(7, 33), new AdapterWeights(t(4, 33), null, t(33, 4), null, Activation.GELU, 1f), t(7, 4), AdapterGradients.none().withDScale(t(2))), "adapterBackward", "dScale", "[2]", "[1]");
    }

    @Test
    void attention() {
        rejects(SHAPE, () -> b.attentionForward(new AttentionInputs(t(2, 5, 12), t(2, 5, 12), t(2, 6, 12), null, null, null, false, 3), t(2, 5, 12), t(2, 3, 5)), "attentionForward", "v", "[2, 6, 12]", "[2, 5, 12]");
        rejects(SHAPE, () -> b.attentionForward(new AttentionInputs(t(2, 5, 12), t(2, 5, 12), t(2, 5, 12), t(4, 12), t(4, 11), null, false, 3), t(2, 5, 12), t(2, 3, 5)), "attentionForward", "prefixV", "[4, 11]", "[4, 12]");
        rejects(SHAPE, () -> b.attentionForward(new AttentionInputs(t(2, 5, 12), t(2, 5, 12), t(2, 5, 12), t(4, 12), null, null, false, 3), t(2, 5, 12), t(2, 3, 5)), "attentionForward", "prefixK", "prefixV");
        rejects(SHAPE, () -> b.attentionForward(new AttentionInputs(t(2, 5, 12), t(2, 5, 12), t(2, 5, 12), null, null, t(5, 2), false, 3), t(2, 5, 12), t(2, 3, 5)), "attentionForward", "keyMask", "[5, 2]", "[2, 5]");
        rejects(SHAPE, () -> b.attentionForward(new AttentionInputs(t(2, 5, 12), t(2, 5, 12), t(2, 5, 12), null, null, null, false, 3), t(2, 5, 12), t(2, 5, 3)), "attentionForward", "lse", "[2, 5, 3]", "[2, 3, 5]");
        rejects(SHAPE, () -> b.attentionBackward(t(2, 5, 12), new AttentionInputs(t(2, 5, 12), t(2, 5, 12), t(2, 5, 12), null, null, null, false, 3), t(2, 5, 12), t(2, 3, 5), AttentionGradients.none().withPrefixGradients(t(4, 12), null)), "attentionBackward", "dPrefixK");
    }

    @Test
    void scaleAndBitFit() {
        rejects(SHAPE, () -> b.scaleForward(t(7, 33), t(32), t(7, 33)), "scaleForward", "x", "[7, 33]", "32");
        rejects(SHAPE, () -> b.scaleBackward(t(7, 33), t(7, 33), t(33), null, t(32)), "scaleBackward", "dl", "[32]", "[33]");
        rejects(SHAPE, () -> b.biasGradient(t(7, 33), t(32)), "biasGradient", "dy", "[7, 33]", "32");
        rejects(SHAPE, () -> b.maskedBiasUpdate(t(7, 33), t(33), t(32), t(33), t(33), AdamW.withLr(1e-3f), 1, null),
                "maskedBiasUpdate", "mask", "[32]", "[33]");
    }

    @Test
    void normsActivationsAndSoftmax() {
        rejects(SHAPE, () -> b.layerNormForward(t(7, 33), t(32), null, 1e-5f, t(7, 33), t(7), t(7)),
                "layerNormForward", "x", "[7, 33]", "32");
        rejects(SHAPE, () -> b.layerNormForward(t(7, 33), t(33), null, 1e-5f, t(7, 33), t(6), t(7)),
                "layerNormForward", "mean", "[6]", "[7]");
        rejects(SHAPE, () -> b.layerNormBackward(t(7, 33), t(7, 33), t(33), t(7), t(7), null, t(32), null),
                "layerNormBackward", "dGamma", "[32]", "[33]");
        rejects(SHAPE, () -> b.activationForward(Activation.GELU, t(7, 33), t(33, 7)), "activationForward", "y", "[33, 7]");
        rejects(SHAPE, () -> b.activationBackward(Activation.GELU, t(7, 33), t(7, 32), t(7, 33)),
                "activationBackward", "[7, 32]", "[7, 33]");
        rejects(SHAPE, () -> b.softmaxForward(t(7, 33), t(7, 32)), "softmaxForward", "y", "[7, 32]", "[7, 33]");
        rejects(SHAPE, () -> b.softmaxBackward(t(7, 33), t(7, 33), t(7, 34)), "softmaxBackward", "dx", "[7, 34]");
    }

    @Test
    void tokensPoolingDropoutAndLoss() {
        rejects(SHAPE, () -> b.embeddingForward(t(10, 33), new int[] {1, 2}, t(3, 33)), "embeddingForward", "out", "[3, 33]");
        rejects(SHAPE, () -> b.embeddingBackward(t(2, 32), new int[] {1, 2}, t(10, 33)), "embeddingBackward", "dOut", "[2, 32]");
        rejects(SHAPE, () -> b.meanPoolForward(t(2, 5, 33), t(2, 4), t(2, 33)), "meanPoolForward", "mask", "[2, 4]", "[2, 5]");
        rejects(SHAPE, () -> b.meanPoolBackward(t(2, 32), null, t(2, 5, 33)), "meanPoolBackward", "dOut", "[2, 32]");
        rejects(SHAPE, () -> b.dropoutForward(t(7, 33), 0.1f, 1L, t(7, 33), t(33, 7)), "dropoutForward", "mask", "[33, 7]");
        rejects(SHAPE, () -> b.crossEntropyForward(t(7, 5), new int[] {1, 2}, t(7, 5)), "crossEntropyForward", "targets",
                "[7, 5]");
        rejects(SHAPE, () -> b.crossEntropyBackward(t(7, 5), new int[7], 1f, t(7, 4)), "crossEntropyBackward", "dLogits",
                "[7, 4]", "[7, 5]");
    }

    @Test
    void optimiser() {
        Tensor p = t(33);
        rejects(SHAPE, () -> b.adamW(new Tensor[] {p}, new Tensor[] {t(32)}, new Tensor[] {t(33)}, new Tensor[] {t(33)},
                AdamW.withLr(1e-3f), 1), "adamW", "grads[0]", "[32]", "[33]");
        rejects(SHAPE, () -> b.adamW(new Tensor[] {p}, new Tensor[] {t(33)}, new Tensor[0], new Tensor[] {t(33)},
                AdamW.withLr(1e-3f), 1), "adamW", "same length");
    }
}
