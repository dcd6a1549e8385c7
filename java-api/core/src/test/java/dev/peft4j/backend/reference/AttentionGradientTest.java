package dev.peft4j.backend.reference;

import dev.peft4j.backend.AttentionGradients;
import dev.peft4j.backend.AttentionInputs;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.peft4j.backend.Backend;
import dev.peft4j.backend.ValidatingBackend;
import dev.peft4j.testing.FiniteDifference;
import dev.peft4j.testing.GradientCheck;
import dev.peft4j.testing.RandomTensors;
import dev.peft4j.tensor.Tensor;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Finite-difference checks of the attention backward for q, k, v and both prefixes, with L = 0, 1, 3, with and
 * without a padding mask, causal and not. Objective L = Σ out ⊙ R; the backward gets dOut = R.
 */
class AttentionGradientTest {
    private static final int B = 2;
    private static final int T = 5;
    private static final int HEADS = 2;
    private static final int DH = 3;
    private static final int D = HEADS * DH;

    /**
     * Batch 0 sees every key; batch 1 hides keys 0 and 4. With causal and L = 0, query 0 of batch 1 then sees
     * nothing, which exercises the empty-row rule (out = 0, zero gradient).
     */
    private static final float[] PADDING = {1, 1, 1, 1, 1, 0, 1, 1, 1, 0};

    /** Through the argument checks, so every call here also follows the contract. */
    private final Backend be = new ValidatingBackend(new ReferenceBackend());

    @ParameterizedTest(name = "L={0} masked={1} causal={2}")
    @CsvSource({
        "0, false, false", "0, true, false", "0, false, true", "0, true, true",
        "1, false, false", "1, true, true",
        "3, false, false", "3, true, false", "3, false, true", "3, true, true"})
    void attentionBackward(int prefixLen, boolean masked, boolean causal) {
        RandomTensors rnd = new RandomTensors(1000 + 10L * prefixLen + (masked ? 2 : 0) + (causal ? 1 : 0));
        Tensor q = rnd.uniform(-1.5f, 1.5f, B, T, D);
        Tensor k = rnd.uniform(-1.5f, 1.5f, B, T, D);
        Tensor v = rnd.uniform(B, T, D);
        Tensor pk = prefixLen == 0 ? null : rnd.uniform(-1.5f, 1.5f, prefixLen, D);
        Tensor pv = prefixLen == 0 ? null : rnd.uniform(prefixLen, D);
        Tensor mask = masked ? Tensor.of(PADDING, B, T) : null;
        Tensor r = rnd.uniform(B, T, D);
        Tensor out = Tensor.zeros(B, T, D);
        Tensor lse = Tensor.zeros(B, HEADS, T);
        DoubleSupplier loss = FiniteDifference.weightedSum(
                () -> be.attentionForward(new AttentionInputs(q, k, v, pk, pv, mask, causal, HEADS), out, lse), out, r);
        loss.getAsDouble();
        if (masked && causal && prefixLen == 0) {
            assertEquals(Float.NEGATIVE_INFINITY, lse.data()[(HEADS) * T], "batch 1, head 0, query 0 sees no key");
        }
        Tensor dq = Tensor.zeros(B, T, D);
        Tensor dk = Tensor.zeros(B, T, D);
        Tensor dv = Tensor.zeros(B, T, D);
        Tensor dpk = prefixLen == 0 ? null : Tensor.zeros(prefixLen, D);
        Tensor dpv = prefixLen == 0 ? null : Tensor.zeros(prefixLen, D);
        be.attentionBackward(r, new AttentionInputs(q, k, v, pk, pv, mask, causal, HEADS), out, lse, AttentionGradients.none().withDq(dq).withDk(dk).withDv(dv).withPrefixGradients(dpk, dpv));
        String name = "attention L=" + prefixLen + " masked=" + masked + " causal=" + causal;
        GradientCheck.check(name + " dq", loss, q, dq);
        GradientCheck.check(name + " dk", loss, k, dk);
        GradientCheck.check(name + " dv", loss, v, dv);
        if (prefixLen > 0) {
            GradientCheck.check(name + " dPrefixK", loss, pk, dpk);
            GradientCheck.check(name + " dPrefixV", loss, pv, dpv);
        }
    }
}
