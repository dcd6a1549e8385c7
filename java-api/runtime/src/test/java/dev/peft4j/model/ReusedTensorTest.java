package dev.peft4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ReusedTensorTest {

    @Test
    void sameShapeGivesTheSameTensorAndANewShapeANewOne() {
        try (Backend be = Backends.create("reference"); ReusedTensor t = new ReusedTensor(be)) {
            Tensor first = t.shaped(2, 3);
            assertSame(first, t.shaped(2, 3), "a step with the same shape must reuse the tensor");
            assertSame(first, t.saved());
            Tensor second = t.shaped(4, 3);
            assertNotSame(first, second);
            assertArrayEquals(new int[] {4, 3}, second.shape());
            assertSame(second, t.saved());
        }
    }

    @Test
    void aSmallerShapeViewsTheLargestAllocationAndALargerOneAllocatesAgain() {
        try (Backend be = Backends.create("reference"); ReusedTensor t = new ReusedTensor(be)) {
            Tensor large = t.shaped(4, 3);
            large.copyFrom(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
            Tensor small = t.shaped(2, 3);
            assertArrayEquals(new int[] {2, 3}, small.shape());
            assertTrue(small.sharesMemoryWith(large), "a smaller batch must reuse the largest allocation");
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, small.toArray(), "a view of the first elements");
            assertSame(small, t.saved());
            assertFalse(large.isClosed(), "the allocation stays while views of it are handed out");

            Tensor other = t.shaped(3, 2);
            assertTrue(small.isClosed(), "the previous view must not be usable once another shape is asked for");
            assertTrue(other.sharesMemoryWith(large));
            Tensor again = t.shaped(4, 3);
            assertTrue(again.sharesMemoryWith(large), "the largest shape again: the same memory, no allocation");
            assertEquals(12, again.numel());

            Tensor larger = t.shaped(5, 3);
            assertTrue(large.isClosed() && again.isClosed(), "growing frees the old allocation and its view");
            assertFalse(larger.sharesMemoryWith(other));
            assertEquals(15, larger.numel());
        }
    }

    @Test
    void readingBackBeforeAnyForwardFailsInsteadOfGivingZeros() {
        try (Backend be = Backends.create("reference"); ReusedTensor t = new ReusedTensor(be)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, t::saved);
            assertTrue(e.getMessage().contains("forward"), e.getMessage());
        }
    }

    @Test
    void thePoolClosesEveryTensorItHandedOut() {
        try (Backend be = Backends.create("reference")) {
            ReusedTensor a;
            ReusedTensor b;
            try (ReusedTensors pool = new ReusedTensors(be)) {
                a = pool.next();
                b = pool.next();
                a.shaped(2);
                b.shaped(3);
            }
            assertThrows(IllegalStateException.class, a::saved);
            assertThrows(IllegalStateException.class, b::saved);
        }
    }
}
