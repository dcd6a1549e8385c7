package dev.peft4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.Backend;
import dev.peft4j.backend.ShapeMismatchException;
import dev.peft4j.backend.ValidatingBackend;
import dev.peft4j.backend.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

/** {@link Tensor#wrap(float[], int, int...)}: borrowed, zero-copy, offset-aware host tensors. */
class TensorWrapTest {

    private static float[] iota(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    @Test
    void readsAndWritesTheCallersArrayAtTheOffset() {
        float[] caller = iota(10);
        Tensor t = Tensor.wrap(caller, 3, 2, 2);
        assertArrayEquals(new float[] {3, 4, 5, 6}, t.toArray());
        assertSame(caller, t.array());
        assertEquals(3, t.offset());
        t.copyFrom(new float[] {-1, -2, -3, -4});
        assertArrayEquals(new float[] {0, 1, 2, -1, -2, -3, -4, 7, 8, 9}, caller);
        caller[4] = 42;
        assertEquals(42f, t.toArray()[1]);
    }

    @Test
    void dataIndexesFromZeroSoItRefusesAnOffsetTensor() {
        Tensor atOffset = Tensor.wrap(new float[8], 1, 4);
        IllegalStateException e = assertThrows(IllegalStateException.class, atOffset::data);
        assertTrue(e.getMessage().contains("[1, 5)") && e.getMessage().contains("array() and offset()"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> Tensor.wrap(new float[8], 0, 4).data(), "a prefix is not the whole array");
        float[] caller = new float[4];
        assertSame(caller, Tensor.wrap(caller, 0, 4).data());
    }

    @Test
    void badArgumentsNameShapeOffsetAndArrayLength() {
        IllegalArgumentException nul = assertThrows(IllegalArgumentException.class, () -> Tensor.wrap((float[]) null, 0, 2, 3));
        assertTrue(nul.getMessage().contains("null") && nul.getMessage().contains("[2, 3]"), nul.getMessage());
        IllegalArgumentException neg = assertThrows(IllegalArgumentException.class,
                () -> Tensor.wrap(new float[10], -1, 2, 3));
        assertTrue(neg.getMessage().contains("-1") && neg.getMessage().contains("[2, 3]")
                && neg.getMessage().contains("10"), neg.getMessage());
        IllegalArgumentException past = assertThrows(IllegalArgumentException.class,
                () -> Tensor.wrap(new float[10], 5, 2, 3));
        assertTrue(past.getMessage().contains("[2, 3]") && past.getMessage().contains("offset 5")
                && past.getMessage().contains("length 10"), past.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(new float[10], 0, 2, -3));
        assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(new float[10], 0, (int[]) null));
        // exactly to the end is fine, and so is an empty tensor at the end
        assertEquals(6, Tensor.wrap(new float[10], 4, 2, 3).numel());
        assertEquals(0, Tensor.wrap(new float[10], 10, 0).numel());
    }

    @Test
    void isNotCountedAsOwnedMemoryAndCloseLeavesTheArray() {
        float[] caller = iota(1 << 20);
        long before = MemoryAccounting.liveBytes(Device.CPU);
        Tensor t = Tensor.wrap(caller, 16, 1024, 1000);
        assertEquals(before, MemoryAccounting.liveBytes(Device.CPU));
        Tensor v = t.view(1000, 1024);
        t.close();
        assertEquals(before, MemoryAccounting.liveBytes(Device.CPU));
        assertTrue(t.isClosed());
        assertTrue(v.isClosed(), "a view of a closed wrap is closed too");
        assertThrows(IllegalStateException.class, t::toArray);
        assertArrayEquals(iota(1 << 20), caller);
        t.close(); // idempotent
        assertEquals(before, MemoryAccounting.liveBytes(Device.CPU));
        // an owned tensor still counts
        try (Tensor owned = Tensor.zeros(1000)) {
            assertEquals(before + 4000, MemoryAccounting.liveBytes(Device.CPU));
        }
        assertEquals(before, MemoryAccounting.liveBytes(Device.CPU));
    }

    @Test
    void viewsKeepTheOffsetAndDoNotOwn() {
        float[] caller = iota(20);
        Tensor t = Tensor.wrap(caller, 5, 3, 4);
        Tensor v = t.view(2, 6);
        assertEquals(5, v.offset());
        assertArrayEquals(t.toArray(), v.toArray());
        v.copyFrom(new float[12]);
        assertEquals(4f, caller[4]);
        assertEquals(0f, caller[5]);
        assertEquals(0f, caller[16]);
        assertEquals(17f, caller[17]);
        v.close();
        assertFalse(t.isClosed(), "closing a view leaves its wrap usable");
    }

    @Test
    void sharesMemoryWithSeesOverlappingWrapsOfOneArrayOnly() {
        float[] caller = new float[30];
        Tensor a = Tensor.wrap(caller, 0, 10);
        Tensor overlapping = Tensor.wrap(caller, 9, 2, 5);
        Tensor disjoint = Tensor.wrap(caller, 10, 20);
        Tensor other = Tensor.wrap(new float[30], 0, 10);
        assertTrue(a.sharesMemoryWith(overlapping));
        assertTrue(overlapping.sharesMemoryWith(a));
        assertFalse(a.sharesMemoryWith(disjoint));
        assertTrue(overlapping.sharesMemoryWith(disjoint));
        assertFalse(a.sharesMemoryWith(other));
        assertFalse(a.sharesMemoryWith(Tensor.wrap(caller, 5, 0)), "an empty range overlaps nothing");
        assertTrue(a.sharesMemoryWith(a.view(2, 5)));
    }

    @Test
    void validationRejectsOverlappingWrapsAndAcceptsDisjointRangesOfOneArray() {
        Backend b = new ValidatingBackend(new ReferenceBackend());
        // x [2,3] at 0, W [2,3] at 6, y [2,2] at 12: three disjoint ranges of one array
        float[] caller = {1, 2, 3, 4, 5, 6, 1, 0, 1, 0, 1, 0, Float.NaN, Float.NaN, Float.NaN, Float.NaN, 99};
        Tensor x = Tensor.wrap(caller, 0, 2, 3);
        Tensor w = Tensor.wrap(caller, 6, 2, 3);
        b.linearForward(x, w, null, Tensor.wrap(caller, 12, 2, 2));
        // y = x Wᵀ: W rows (1,0,1) and (0,1,0)
        assertArrayEquals(new float[] {4, 2, 10, 5}, java.util.Arrays.copyOfRange(caller, 12, 16));
        assertEquals(99f, caller[16]);

        Tensor yOverX = Tensor.wrap(caller, 4, 2, 2); // overlaps x's last two elements
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> b.linearForward(x, w, null, yOverX));
        assertTrue(e.getMessage().contains("x") && e.getMessage().contains("y"), e.getMessage());
    }

    @Test
    void inPlaceElementwiseNeedsTheSameRangeNotAShiftedOne() {
        Backend b = new ValidatingBackend(new ReferenceBackend());
        float[] caller = {1, 2, 3, 4, 5, 10, 20, 30, 40};
        Tensor a = Tensor.wrap(caller, 0, 4);
        Tensor c = Tensor.wrap(caller, 5, 4);
        b.add(a, c, Tensor.wrap(caller, 0, 4)); // out is a's range exactly, through a second wrap: in place
        assertArrayEquals(new float[] {11, 22, 33, 44, 5, 10, 20, 30, 40}, caller);
        Tensor shifted = Tensor.wrap(caller, 1, 4);
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> b.add(a, c, shifted));
        assertTrue(e.getMessage().contains("different offset"), e.getMessage());
    }

    @Test
    void everyInPlaceKernelRefusesAShiftedOverlap() {
        Backend b = new ValidatingBackend(new ReferenceBackend());
        float[] caller = new float[20];
        for (int i = 0; i < caller.length; i++) {
            caller[i] = 0.05f * i;
        }
        Tensor x = Tensor.wrap(caller, 0, 2, 4);
        Tensor shifted = Tensor.wrap(caller, 2, 2, 4);
        assertThrows(ShapeMismatchException.class,
                () -> b.activationForward(dev.peft4j.backend.Activation.GELU, x, shifted));
        assertThrows(ShapeMismatchException.class, () -> b.softmaxForward(x, shifted));
        assertThrows(ShapeMismatchException.class, () -> b.scaleForward(x, Tensor.wrap(caller, 16, 4), shifted));
        assertThrows(ShapeMismatchException.class, () -> b.dropoutForward(x, 0.5f, 1L, shifted, Tensor.zeros(2, 4)));
        assertThrows(ShapeMismatchException.class, () -> b.activationBackward(dev.peft4j.backend.Activation.GELU,
                x, Tensor.zeros(2, 4), shifted));
        // the same range through a second wrap is in place, and allowed
        float[] expected = new float[8];
        for (int i = 0; i < 8; i++) {
            expected[i] = Math.max(0f, caller[i]);
        }
        b.activationForward(dev.peft4j.backend.Activation.RELU, x, Tensor.wrap(caller, 0, 2, 4));
        assertArrayEquals(expected, java.util.Arrays.copyOf(caller, 8));
    }
}
