package dev.peft4j.validation;

import dev.peft4j.backend.AdapterGradients;
import dev.peft4j.backend.AdapterWeights;
import dev.peft4j.backend.AttentionInputs;
import static dev.peft4j.validation.Rejections.rejects;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.AdamW;
import dev.peft4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Null, closed and other-device tensors are refused with the argument's name (and shape where it has one). */
class TensorArgumentTest extends ValidatedBackendFixture {
    private static final Class<IllegalArgumentException> IAE = IllegalArgumentException.class;

    @Test
    void nullTensorsAreNamed() {
        rejects(IAE, () -> b.add(t(3), null, t(3)), "add", "b is null");
        rejects(IAE, () -> b.gemm(t(2, 2), false, t(2, 2), false, null, 1, 0), "gemm", "c is null");
        rejects(IAE, () -> b.linearForward(null, t(5, 3), null, t(2, 5)), "linearForward", "x is null");
        rejects(IAE, () -> b.loraForward(t(2, 3), t(5, 3), null, null, t(5, 1), 1f, null, t(2, 5), t(2, 1)),
                "loraForward", "a is null");
        rejects(IAE, () -> b.attentionForward(new AttentionInputs(t(1, 2, 4), t(1, 2, 4), t(1, 2, 4), null, null, null, false, 2), t(1, 2, 4), null),
                "attentionForward", "lse is null");
        rejects(IAE, () -> b.activationForward(null, t(3), t(3)), "activationForward", "activation is null");
        rejects(IAE, () -> b.embeddingForward(t(4, 3), null, t(0, 3)), "embeddingForward", "ids is null");
        rejects(IAE, () -> b.crossEntropyBackward(t(2, 3), null, 1f, t(2, 3)), "crossEntropyBackward", "targets is null");
        rejects(IAE, () -> b.adamW(new Tensor[] {t(3)}, new Tensor[] {null}, new Tensor[] {t(3)}, new Tensor[] {t(3)},
                AdamW.withLr(1e-3f), 1), "adamW", "grads[0] is null");
        rejects(IAE, () -> b.maskedBiasUpdate(t(2, 3), t(3), t(3), t(3), t(3), null, 1, null), "maskedBiasUpdate", "hp is null");
        rejects(IAE, () -> b.clipGradNorm(null, 1f), "clipGradNorm", "grads is null");
        rejects(IAE, () -> b.fromHost(null, 3), "fromHost", "data is null");
    }

    @Test
    void closedTensorsAreNamedWithTheirShape() {
        rejects(IAE, () -> b.copy(closed(7, 3), t(7, 3)), "copy", "src", "[7, 3]", "closed");
        rejects(IAE, () -> b.linearForward(t(2, 3), t(5, 3), closed(5), t(2, 5)), "linearForward", "bias", "[5]", "closed");
        rejects(IAE, () -> b.softmaxForward(t(2, 3), closed(2, 3)), "softmaxForward", "y", "closed");
        rejects(IAE, () -> b.clipGradNorm(new Tensor[] {t(3), closed(4)}, 1f), "clipGradNorm", "grads[1]", "[4]", "closed");
        Tensor owner = t(6);
        Tensor view = owner.view(2, 3);
        view.close();
        rejects(IAE, () -> b.fill(view, 1f), "fill", "[2, 3]", "closed");
    }

    @Test
    void tensorsOfAnotherDeviceAreRefused() {
        rejects(IAE, () -> b.add(t(3), onGpu(3), t(3)), "add", "b", "CUDA", "CPU");
        rejects(IAE, () -> b.gemm(t(2, 2), false, t(2, 2), false, onGpu(2, 2), 1, 0), "gemm", "c", "CUDA");
        rejects(IAE, () -> b.loraForward(t(2, 3), t(5, 3), null, t(1, 3), t(5, 1), 1f, onGpu(2, 3), t(2, 5), t(2, 1)),
                "loraForward", "dropMask", "CUDA");
        rejects(IAE, () -> b.adapterBackward(t(2, 3), t(2, 3), new AdapterWeights(t(1, 3), null, t(3, 1), null, Activation.RELU, 1f), t(2, 1), AdapterGradients.none().withDx(onGpu(2, 3))), "adapterBackward", "dx", "CUDA");
        rejects(IAE, () -> b.attentionForward(new AttentionInputs(t(1, 2, 4), t(1, 2, 4), t(1, 2, 4), null, null, onGpu(1, 2), false, 2), t(1, 2, 4), t(1, 2, 2)), "attentionForward", "keyMask", "CUDA");
        rejects(IAE, () -> b.adamW(new Tensor[] {t(3)}, new Tensor[] {t(3)}, new Tensor[] {onGpu(3)}, new Tensor[] {t(3)},
                AdamW.withLr(1e-3f), 1), "adamW", "m[0]", "CUDA");
        rejects(IAE, () -> b.copy(onGpu(3), t(3)), "copy", "src", "CUDA");
    }
}
