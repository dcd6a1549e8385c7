package dev.peft4j.validation;

import dev.peft4j.backend.AdapterWeights;
import dev.peft4j.backend.AttentionGradients;
import dev.peft4j.backend.AttentionInputs;
import static dev.peft4j.validation.Rejections.rejects;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.AdamW;
import dev.peft4j.backend.Backend;
import dev.peft4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Out-of-range sizes, non-finite scalars and out-of-range ids are refused, naming the value. */
class HyperParameterTest extends ValidatedBackendFixture {
    private static final Class<IllegalArgumentException> IAE = IllegalArgumentException.class;

    @Test
    void loraRankMustBePositive() {
        rejects(IAE, () -> b.loraForward(t(2, 3), t(5, 3), null, t(0, 3), t(5, 0), 1f, null, t(2, 5), t(2, 0)),
                "loraForward", "rank", "[0, 3]");
        rejects(IAE, () -> b.allocate(-1, 3), "negative", "[-1, 3]");
        rejects(IAE, () -> b.fromHost(new float[3], -1, -3), "negative");
    }

    @Test
    void adapterBottleneckMustBePositive() {
        rejects(IAE, () -> b.adapterForward(t(2, 3), t(2, 3), new AdapterWeights(t(0, 3), null, t(3, 0), null, Activation.RELU, 1f), t(2, 3), t(2, 0)), "adapterForward", "bottleneck", "[0, 3]");
    }

    @Test
    void scalesMustBeFinite() {
        rejects(IAE, () -> b.loraForward(t(2, 3), t(5, 3), null, t(1, 3), t(5, 1), Float.NaN, null, t(2, 5), t(2, 1)),
                "loraForward", "s", "NaN");
        rejects(IAE, () -> b.loraBackward(t(2, 5), t(2, 3), t(5, 3), t(1, 3), t(5, 1), t(2, 1), Float.POSITIVE_INFINITY,
                null, null, null, null), "loraBackward", "s", "Infinity");
        rejects(IAE, () -> b.adapterForward(t(2, 3), t(2, 3), new AdapterWeights(t(1, 3), null, t(3, 1), null, Activation.SWISH, Float.NaN), t(2, 3), t(2, 1)), "adapterForward", "s", "NaN");
        rejects(IAE, () -> b.gemm(t(2, 2), false, t(2, 2), false, t(2, 2), Float.NaN, 0), "gemm", "alpha", "NaN");
        rejects(IAE, () -> b.gemm(t(2, 2), false, t(2, 2), false, t(2, 2), 1, Float.NEGATIVE_INFINITY), "gemm", "beta");
        rejects(IAE, () -> b.axpy(Float.NaN, t(3), t(3)), "axpy", "alpha", "NaN");
        rejects(IAE, () -> b.crossEntropyBackward(t(2, 3), new int[2], Float.NaN, t(2, 3)), "crossEntropyBackward", "scale");
        rejects(IAE, () -> b.clipGradNorm(new Tensor[] {t(3)}, Float.NaN), "clipGradNorm", "maxNorm");
        rejects(IAE, () -> b.clipGradNorm(new Tensor[] {t(3)}, 0f), "clipGradNorm", "maxNorm", "0.0");
    }

    @Test
    void adamWHyperParametersMustBeFiniteAndInRange() {
        rejects(IAE, () -> new AdamW(Float.POSITIVE_INFINITY, 0.9f, 0.999f, 1e-8f, 0f), "lr", "Infinity");
        rejects(IAE, () -> new AdamW(1e-3f, 0.9f, 0.999f, Float.NaN, 0f), "eps", "NaN");
        rejects(IAE, () -> new AdamW(1e-3f, 0.9f, 0.999f, 0f, 0f), "eps", "0.0");
        rejects(IAE, () -> new AdamW(1e-3f, 1f, 0.999f, 1e-8f, 0f), "beta");
        rejects(IAE, () -> new AdamW(-1e-3f, 0.9f, 0.999f, 1e-8f, 0f), "lr");
        rejects(IAE, () -> new AdamW(1e-3f, 0.9f, 0.999f, 1e-8f, Float.NaN), "weightDecay");
    }

    @Test
    void layerNormEpsMustBePositiveAndFinite() {
        rejects(IAE, () -> b.layerNormForward(t(2, 3), t(3), null, Float.NaN, t(2, 3), t(2), t(2)), "layerNormForward", "eps");
        rejects(IAE, () -> b.layerNormForward(t(2, 3), t(3), null, 0f, t(2, 3), t(2), t(2)), "layerNormForward", "eps", "0.0");
    }

    @Test
    void stepMustBeAtLeastOne() {
        rejects(IAE, () -> b.adamW(new Tensor[] {t(3)}, new Tensor[] {t(3)}, new Tensor[] {t(3)}, new Tensor[] {t(3)},
                AdamW.withLr(1e-3f), 0), "adamW", "step", "0");
        rejects(IAE, () -> b.maskedBiasUpdate(t(2, 3), t(3), t(3), t(3), t(3), AdamW.withLr(1e-3f), 0, null),
                "maskedBiasUpdate", "step", "0");
    }

    @Test
    void dropoutProbabilityMustLieInZeroToOne() {
        rejects(IAE, () -> b.dropoutForward(t(2, 3), 1f, 1L, t(2, 3), null), "dropoutForward", "p", "1.0");
        rejects(IAE, () -> b.dropoutForward(t(2, 3), -0.1f, 1L, t(2, 3), null), "dropoutForward", "p");
        rejects(IAE, () -> b.dropoutForward(t(2, 3), Float.NaN, 1L, t(2, 3), null), "dropoutForward", "p", "NaN");
    }

    @Test
    void headsMustDivideTheWidth() {
        rejects(IAE, () -> b.attentionForward(new AttentionInputs(t(1, 2, 12), t(1, 2, 12), t(1, 2, 12), null, null, null, false, 5), t(1, 2, 12), t(1, 5, 2)), "attentionForward", "heads = 5", "12", "[1, 2, 12]");
        rejects(IAE, () -> b.attentionBackward(t(1, 2, 12), new AttentionInputs(t(1, 2, 12), t(1, 2, 12), t(1, 2, 12), null, null, null, false, 0), t(1, 2, 12), t(1, 1, 2), AttentionGradients.none()), "attentionBackward", "heads = 0");
    }

    @Test
    void aBackwardRefusesInputsThatSkipMaskedQueries() {
        AttentionInputs skipping = AttentionInputs.of(t(1, 2, 4), t(1, 2, 4), t(1, 2, 4), 2).withKeyMask(t(1, 2))
                .skippingMaskedQueries();
        rejects(IAE, () -> b.attentionBackward(t(1, 2, 4), skipping, t(1, 2, 4), t(1, 2, 2), AttentionGradients.none()),
                "attentionBackward", "skipMaskedQueries", "every query row");
    }

    @Test
    void idsAndTargetsMustBeInRange() {
        rejects(IAE, () -> b.embeddingForward(t(10, 3), new int[] {0, 10}, t(2, 3)), "embeddingForward", "ids[1] = 10", "[0, 10)");
        rejects(IAE, () -> b.embeddingBackward(t(2, 3), new int[] {-1, 2}, t(10, 3)), "embeddingBackward", "ids[0] = -1");
        rejects(IAE, () -> b.embeddingForward(t(10, 3), new int[] {Backend.IGNORE_INDEX}, t(1, 3)), "embeddingForward",
                "ids[0] = -100");
        rejects(IAE, () -> b.crossEntropyForward(t(2, 5), new int[] {5, 0}, t(2, 5)), "crossEntropyForward", "targets[0] = 5");
        rejects(IAE, () -> b.crossEntropyBackward(t(2, 5), new int[] {0, -7}, 1f, t(2, 5)), "crossEntropyBackward",
                "targets[1] = -7");
    }
}
