package dev.peft4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.reference.ReferenceBackendProvider;
import dev.peft4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The argument records of the widest SPI calls: each field set by name lands where named, and null is refused by name. */
class ArgumentRecordsTest {
    private final Tensor q = Tensor.zeros(1, 2, 4), k = Tensor.zeros(1, 2, 4), v = Tensor.zeros(1, 2, 4);
    private final Tensor a = Tensor.zeros(1, 2, 4), b = Tensor.zeros(1, 2, 4), c = Tensor.zeros(1, 2, 4);
    private final Tensor pk = Tensor.zeros(3, 4), pv = Tensor.zeros(3, 4), mask = Tensor.zeros(1, 2);

    @Test
    void attentionInputsKeepEachTensorInItsPlace() {
        AttentionInputs in = AttentionInputs.of(q, k, v, 2);
        assertNull(in.prefixK());
        assertFalse(in.causal());
        AttentionInputs full = in.withPrefix(pk, pv).withKeyMask(mask).withCausal(true);
        assertSame(q, full.q());
        assertSame(k, full.k());
        assertSame(v, full.v());
        assertSame(pk, full.prefixK());
        assertSame(pv, full.prefixV());
        assertSame(mask, full.keyMask());
        assertTrue(full.causal());
        assertEquals(2, full.heads());
    }

    @Test
    void attentionGradientsAreSetByName() {
        AttentionGradients g = AttentionGradients.none().withDv(c).withDq(a).withDk(b).withPrefixGradients(pk, pv);
        assertSame(a, g.dq());
        assertSame(b, g.dk());
        assertSame(c, g.dv());
        assertSame(pk, g.dPrefixK());
        assertSame(pv, g.dPrefixV());
        assertNull(AttentionGradients.none().withDk(b).dv());
    }

    @Test
    void adapterGradientsAreSetByName() {
        Tensor dx = Tensor.zeros(2, 4), dWd = Tensor.zeros(3, 4), dbd = Tensor.zeros(3), dWu = Tensor.zeros(4, 3);
        Tensor dbu = Tensor.zeros(4), ds = Tensor.zeros(1);
        AdapterGradients g = AdapterGradients.none().withUp(dWu, dbu).withDx(dx).withDScale(ds).withDown(dWd, dbd);
        assertSame(dx, g.dx());
        assertSame(dWd, g.dWDown());
        assertSame(dbd, g.dbDown());
        assertSame(dWu, g.dWUp());
        assertSame(dbu, g.dbUp());
        assertSame(ds, g.dScale());
    }

    @Test
    void theValidatingBackendNamesAMissingRecord() {
        try (Backend be = new ValidatingBackend(new ReferenceBackendProvider().create())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> be.attentionForward(null, a, Tensor.zeros(1, 2, 2)));
            assertEquals("attentionForward: in is null", e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> be.attentionBackward(a, AttentionInputs.of(q, k, v, 2), b, Tensor.zeros(1, 2, 2), null));
            assertEquals("attentionBackward: grads is null", e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> be.adapterBackward(Tensor.zeros(2, 4), Tensor.zeros(2, 4), null, Tensor.zeros(2, 3),
                            AdapterGradients.none()));
            assertEquals("adapterBackward: w is null", e.getMessage());
        }
    }
}
