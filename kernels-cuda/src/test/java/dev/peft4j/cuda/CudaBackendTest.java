package dev.peft4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.peft4j.backend.Availability;
import dev.peft4j.tensor.Device;
import dev.peft4j.tensor.MemoryAccounting;
import dev.peft4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** What of {@link CudaBackend} can be checked here; the kernels themselves need a device (the conformance suite). */
class CudaBackendTest {

    @Test
    void aHostTensorIsRejectedBeforeAnyNativeCall() {
        CudaBackend be = new CudaBackend();
        try (Tensor host = Tensor.zeros(2, 3)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> be.add(host, host, host));
            assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("CPU"), e.getMessage());
        }
    }

    @Test
    void deviceMemoryIsCountedAndReturnedOnClose() {
        Availability device = NativeLibrary.probeDevices();
        assumeTrue(device.available(), () -> "SKIPPED: " + device.reason());
        long before = MemoryAccounting.liveBytes(Device.CUDA);
        CudaBackend be = new CudaBackend();
        try (Tensor t = be.fromHost(new float[] {1, 2, 3, 4, 5, 6}, 2, 3)) {
            assertEquals(before + 24, MemoryAccounting.liveBytes(Device.CUDA));
            be.add(t, t, t);
            assertEquals(12f, t.toArray()[5]);
        }
        assertEquals(before, MemoryAccounting.liveBytes(Device.CUDA), "live device bytes back to where they were");
    }

    @Test
    void aKernelErrorBecomesAnExceptionWithTheNativeMessage() {
        Availability device = NativeLibrary.probeDevices();
        assumeTrue(device.available(), () -> "SKIPPED: " + device.reason());
        CudaBackend be = new CudaBackend();
        try (Tensor t = be.allocate(4)) {
            CudaException e = assertThrows(CudaException.class, () -> be.dropoutForward(t, 1.5f, 1, t, null));
            assertTrue(e.getMessage().contains("dropoutForward"), e.getMessage());
            assertEquals(3f, be.fromHost(new float[] {3}, 1).toArray()[0], "the backend stays usable");
        }
    }
}
