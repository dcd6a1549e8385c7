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
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** {@link Tensor#wrap(MemorySegment, int...)}: heap float[] segments in place, off-heap segments through copies. */
class TensorSegmentWrapTest {

    @Test
    void aHeapSegmentOverAFloatArrayIsThatArrayAtItsOffset() {
        float[] caller = {0, 1, 2, 3, 4, 5, 6, 7};
        Tensor t = Tensor.wrap(MemorySegment.ofArray(caller).asSlice(8, 16), 2, 2);
        assertTrue(t.hasArray());
        assertSame(caller, t.array());
        assertEquals(2, t.offset());
        assertArrayEquals(new float[] {2, 3, 4, 5}, t.toArray());
        t.copyFrom(new float[] {-2, -3, -4, -5});
        assertArrayEquals(new float[] {0, 1, -2, -3, -4, -5, 6, 7}, caller);
    }

    @Test
    void badSegmentsAreRefusedWithTheReason() {
        IllegalArgumentException bytes = assertThrows(IllegalArgumentException.class,
                () -> Tensor.wrap(MemorySegment.ofArray(new byte[16]), 4));
        assertTrue(bytes.getMessage().contains("byte[]") && bytes.getMessage().contains("float[]"), bytes.getMessage());
        IllegalArgumentException misaligned = assertThrows(IllegalArgumentException.class,
                () -> Tensor.wrap(MemorySegment.ofArray(new float[4]).asSlice(2, 8), 2));
        assertTrue(misaligned.getMessage().contains("byte offset 2") && misaligned.getMessage().contains("aligned"),
                misaligned.getMessage());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment native8 = arena.allocate(8 * 4, 16);
            IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                    () -> Tensor.wrap(native8, 3, 3));
            assertTrue(small.getMessage().contains("[3, 3]") && small.getMessage().contains("32 bytes"),
                    small.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(native8.asSlice(1, 16), 2));
        }
        assertThrows(IllegalArgumentException.class, () -> Tensor.wrap((MemorySegment) null, 2));
    }

    @Test
    void anOffHeapSegmentIsBorrowedReadAndWrittenThroughCopies() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(10 * 4, 64);
            for (int i = 0; i < 10; i++) {
                seg.setAtIndex(ValueLayout.JAVA_FLOAT, i, i);
            }
            long before = MemoryAccounting.liveBytes(Device.CPU);
            Tensor t = Tensor.wrap(seg.asSlice(4 * 3), 2, 2);
            assertEquals(before, MemoryAccounting.liveBytes(Device.CPU));
            assertFalse(t.hasArray());
            assertFalse(t.isWholeArray());
            assertThrows(IllegalStateException.class, t::array);
            assertThrows(IllegalStateException.class, t::data);
            assertArrayEquals(new float[] {3, 4, 5, 6}, t.toArray());
            t.view(4).copyFrom(new float[] {9, 8, 7, 6});
            assertEquals(9f, seg.getAtIndex(ValueLayout.JAVA_FLOAT, 3));
            assertEquals(6f, seg.getAtIndex(ValueLayout.JAVA_FLOAT, 6));
            assertEquals(7f, seg.getAtIndex(ValueLayout.JAVA_FLOAT, 7), "the element after the slice is untouched");
            t.close();
            assertEquals(before, MemoryAccounting.liveBytes(Device.CPU));
            assertEquals(8f, seg.getAtIndex(ValueLayout.JAVA_FLOAT, 4), "closing leaves the caller's segment alive");
        }
    }

    @Test
    void kernelsWriteIntoOffHeapOutputsAndValidationSeesOverlappingSlices() {
        Backend b = new ValidatingBackend(new ReferenceBackend());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(20 * 4, 64);
            float[] xw = {1, 2, 3, 4, 5, 6, 1, 0, 1, 0, 1, 0};
            MemorySegment.copy(xw, 0, seg, ValueLayout.JAVA_FLOAT, 0, xw.length);
            Tensor x = Tensor.wrap(seg, 2, 3);
            Tensor w = Tensor.wrap(seg.asSlice(4 * 6), 2, 3);
            Tensor y = Tensor.wrap(seg.asSlice(4 * 12), 2, 2);
            b.linearForward(x, w, null, y);
            float[] got = new float[4];
            MemorySegment.copy(seg, ValueLayout.JAVA_FLOAT, 4 * 12, got, 0, 4);
            assertArrayEquals(new float[] {4, 2, 10, 5}, got);
            Tensor overX = Tensor.wrap(seg.asSlice(4 * 4), 2, 2);
            assertThrows(ShapeMismatchException.class, () -> b.linearForward(x, w, null, overX));
        }
    }
}
