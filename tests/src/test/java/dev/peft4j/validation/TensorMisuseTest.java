package dev.peft4j.validation;

import static dev.peft4j.validation.Rejections.rejects;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.tensor.Device;
import dev.peft4j.tensor.MemoryAccounting;
import dev.peft4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Misuse of the Tensor API fails with a message saying what was wrong; memory accounting balances. */
class TensorMisuseTest {

    @Test
    void viewOfAClosedTensorIsRefused() {
        Tensor t = Tensor.zeros(2, 3);
        t.close();
        rejects(IllegalStateException.class, () -> t.view(3, 2), "[2, 3]", "closed");
        rejects(IllegalStateException.class, t::toArray, "closed");
    }

    @Test
    void aViewDiesWithItsOwnerButClosingAViewFreesNothing() {
        Tensor owner = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor view = owner.view(6);
        view.close();
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, owner.toArray());
        Tensor second = owner.view(3, 2);
        owner.close();
        assertTrue(second.isClosed());
        rejects(IllegalStateException.class, second::toArray, "closed");
    }

    @Test
    void viewWithAnotherElementCountIsRefused() {
        try (Tensor t = Tensor.zeros(2, 3)) {
            rejects(IllegalArgumentException.class, () -> t.view(7), "[7]", "6");
        }
    }

    @Test
    void copyFromNeedsExactlyNumelElements() {
        try (Tensor t = Tensor.zeros(2, 3)) {
            rejects(IllegalArgumentException.class, () -> t.copyFrom(new float[5]), "6", "[2, 3]", "5");
            rejects(IllegalArgumentException.class, () -> t.copyFrom(null), "null");
        }
    }

    @Test
    void negativeDimensionsAreRefused() {
        rejects(IllegalArgumentException.class, () -> Tensor.zeros(3, -1), "negative", "[3, -1]");
        rejects(IllegalArgumentException.class, () -> Tensor.of(new float[3], -3), "negative");
    }

    @Test
    void ofNeedsDataMatchingTheShape() {
        rejects(IllegalArgumentException.class, () -> Tensor.of(new float[5], 2, 3), "[2, 3]", "6", "5");
        rejects(IllegalArgumentException.class, () -> Tensor.of(null, 1), "null");
    }

    @Test
    void dataOfADeviceTensorPointsToToArray() {
        try (Tensor gpu = new Tensor(new FakeCudaStorage(6), 2, 3)) {
            rejects(IllegalStateException.class, gpu::data, "CUDA", "toArray()");
            assertEquals(6, gpu.toArray().length);
        }
    }

    @Test
    void dimOutOfRangeNamesTheShape() {
        try (Tensor t = Tensor.zeros(2, 3)) {
            rejects(IllegalArgumentException.class, () -> t.dim(2), "[2, 3]");
            assertEquals(3, t.dim(-1));
        }
    }

    @Test
    void memoryAccountingReturnsToItsStartAfterClosing() {
        long cpu = MemoryAccounting.liveBytes(Device.CPU);
        long gpu = MemoryAccounting.liveBytes(Device.CUDA);
        Tensor a = Tensor.zeros(127, 33);
        Tensor b = Tensor.of(new float[1021], 1021);
        Tensor c = new Tensor(new FakeCudaStorage(384), 384);
        Tensor v = a.view(33, 127);
        assertEquals(cpu + 4L * (127 * 33 + 1021), MemoryAccounting.liveBytes(Device.CPU));
        assertEquals(gpu + 4L * 384, MemoryAccounting.liveBytes(Device.CUDA));
        v.close();
        a.close();
        a.close();
        b.close();
        c.close();
        assertEquals(cpu, MemoryAccounting.liveBytes(Device.CPU));
        assertEquals(gpu, MemoryAccounting.liveBytes(Device.CUDA));
    }
}
