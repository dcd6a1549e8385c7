package dev.peft4j.backend.reference;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.ValidatingBackend;
import dev.peft4j.testing.FiniteDifference;
import dev.peft4j.testing.GradientCheck;
import dev.peft4j.testing.RandomTensors;
import dev.peft4j.tensor.Tensor;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Finite-difference checks of the remaining backwards: (IA)³ scale, layer norm, activations, softmax, embedding
 * scatter-add, mean pooling and cross-entropy. Objective L = Σ output ⊙ R unless stated.
 */
class PointwiseGradientTest {
    /** Through the argument checks, so every call here also follows the contract. */
    private final Backend be = new ValidatingBackend(new ReferenceBackend());

    @Test
    void scaleBackward() {
        RandomTensors rnd = new RandomTensors(41);
        Tensor x = rnd.uniform(3, 5);
        Tensor l = rnd.uniform(0.5f, 1.5f, 5);
        Tensor r = rnd.uniform(3, 5);
        Tensor y = Tensor.zeros(3, 5);
        DoubleSupplier loss = FiniteDifference.weightedSum(() -> be.scaleForward(x, l, y), y, r);
        Tensor dx = Tensor.zeros(3, 5);
        Tensor dl = Tensor.zeros(5);
        be.scaleBackward(r, x, l, dx, dl);
        GradientCheck.check("scale dx", loss, x, dx);
        GradientCheck.check("scale dl", loss, l, dl);
    }

    @Test
    void layerNormBackward() {
        RandomTensors rnd = new RandomTensors(42);
        Tensor x = rnd.uniform(-2f, 2f, 3, 7);
        Tensor gamma = rnd.uniform(0.5f, 1.5f, 7);
        Tensor beta = rnd.uniform(7);
        Tensor r = rnd.uniform(3, 7);
        Tensor y = Tensor.zeros(3, 7);
        Tensor mean = Tensor.zeros(3);
        Tensor rstd = Tensor.zeros(3);
        DoubleSupplier loss = FiniteDifference.weightedSum(
                () -> be.layerNormForward(x, gamma, beta, 1e-5f, y, mean, rstd), y, r);
        loss.getAsDouble();
        Tensor dx = Tensor.zeros(3, 7);
        Tensor dGamma = Tensor.zeros(7);
        Tensor dBeta = Tensor.zeros(7);
        be.layerNormBackward(r, x, gamma, mean, rstd, dx, dGamma, dBeta);
        GradientCheck.check("layerNorm dx", loss, x, dx);
        GradientCheck.check("layerNorm dGamma", loss, gamma, dGamma);
        GradientCheck.check("layerNorm dBeta", loss, beta, dBeta);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Activation.class)
    void activationBackward(Activation f) {
        RandomTensors rnd = new RandomTensors(43);
        Tensor x = rnd.awayFromZero(0.05f, 3f, 3, 5); // away from ReLU's kink; covers both tails elsewhere
        Tensor r = rnd.uniform(3, 5);
        Tensor y = Tensor.zeros(3, 5);
        DoubleSupplier loss = FiniteDifference.weightedSum(() -> be.activationForward(f, x, y), y, r);
        Tensor dx = Tensor.zeros(3, 5);
        be.activationBackward(f, r, x, dx);
        GradientCheck.check(f + " dx", loss, x, dx);
    }

    @Test
    void softmaxBackward() {
        RandomTensors rnd = new RandomTensors(44);
        Tensor x = rnd.uniform(-2f, 2f, 3, 7);
        Tensor r = rnd.uniform(3, 7);
        Tensor y = Tensor.zeros(3, 7);
        DoubleSupplier loss = FiniteDifference.weightedSum(() -> be.softmaxForward(x, y), y, r);
        loss.getAsDouble();
        Tensor dx = Tensor.zeros(3, 7);
        be.softmaxBackward(r, y, dx);
        GradientCheck.check("softmax dx", loss, x, dx);
    }

    @Test
    void embeddingBackwardScatterAddsRepeatedIds() {
        RandomTensors rnd = new RandomTensors(45);
        Tensor table = rnd.uniform(7, 5);
        int[] ids = {2, 5, 2, 0, 2};
        Tensor r = rnd.uniform(ids.length, 5);
        Tensor out = Tensor.zeros(ids.length, 5);
        DoubleSupplier loss = FiniteDifference.weightedSum(() -> be.embeddingForward(table, ids, out), out, r);
        Tensor dTable = rnd.uniform(7, 5); // stale values: the backward must overwrite, not accumulate
        be.embeddingBackward(r, ids, dTable);
        GradientCheck.check("embedding dTable", loss, table, dTable);
    }

    @ParameterizedTest(name = "masked = {0}")
    @ValueSource(booleans = {false, true})
    void meanPoolBackward(boolean masked) {
        RandomTensors rnd = new RandomTensors(46);
        Tensor x = rnd.uniform(3, 5, 3);
        Tensor mask = masked ? Tensor.of(new float[] {1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0}, 3, 5) : null;
        Tensor r = rnd.uniform(3, 3);
        Tensor out = Tensor.zeros(3, 3);
        DoubleSupplier loss = FiniteDifference.weightedSum(() -> be.meanPoolForward(x, mask, out), out, r);
        Tensor dx = Tensor.zeros(3, 5, 3);
        be.meanPoolBackward(r, mask, dx);
        GradientCheck.check("meanPool dx masked=" + masked, loss, x, dx);
    }

    /** The objective is the returned loss itself, times scale; row 1 is ignored and must get zero gradient. */
    @Test
    void crossEntropyBackwardIsTheGradientOfTheReturnedLoss() {
        RandomTensors rnd = new RandomTensors(47);
        Tensor logits = rnd.uniform(-2f, 2f, 4, 7);
        int[] targets = {3, Backend.IGNORE_INDEX, 0, 6};
        float scale = 0.5f;
        Tensor probs = Tensor.zeros(4, 7);
        DoubleSupplier loss = () -> scale * (double) be.crossEntropyForward(logits, targets, probs);
        loss.getAsDouble();
        Tensor dLogits = Tensor.zeros(4, 7);
        be.crossEntropyBackward(probs, targets, scale, dLogits);
        GradientCheck.check("crossEntropy dLogits", loss, logits, dLogits);
    }

    @Test
    void crossEntropyWithEveryRowIgnoredHasZeroLossAndGradient() {
        Tensor logits = new RandomTensors(48).uniform(2, 3);
        int[] targets = {Backend.IGNORE_INDEX, Backend.IGNORE_INDEX};
        Tensor probs = Tensor.zeros(2, 3);
        DoubleSupplier loss = () -> be.crossEntropyForward(logits, targets, probs);
        Tensor dLogits = new RandomTensors(49).uniform(2, 3);
        be.crossEntropyBackward(probs, targets, 1f, dLogits);
        GradientCheck.check("crossEntropy all ignored", loss, logits, dLogits);
        for (float g : dLogits.data()) {
            org.junit.jupiter.api.Assertions.assertEquals(0f, g);
        }
    }
}
