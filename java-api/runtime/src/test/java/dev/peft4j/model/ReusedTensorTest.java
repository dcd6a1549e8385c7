package dev.peft4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
