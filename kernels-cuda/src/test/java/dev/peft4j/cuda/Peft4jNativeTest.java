package dev.peft4j.cuda;

import static dev.peft4j.cuda.Peft4jNative.PEFT4J_ERROR_CUDA_BASE;
import static dev.peft4j.cuda.Peft4jNative.PEFT4J_ERROR_NEGATIVE_SIZE;
import static dev.peft4j.cuda.Peft4jNative.PEFT4J_ERROR_NULL_POINTER;
import static dev.peft4j.cuda.Peft4jNative.PEFT4J_ERROR_RANK;
import static dev.peft4j.cuda.Peft4jNative.PEFT4J_OK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.peft4j.backend.Availability;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The JNI glue reaches the C ABI with its arguments in the right places: the ABI validates before touching
 * CUDA, so these calls need the library but no GPU. Host pointers stand in for device pointers; with the
 * arguments used here they are never dereferenced.
 */
class Peft4jNativeTest {
    @BeforeAll
    static void loadLibrary() {
        Availability lib = NativeLibrary.load();
        assumeTrue(lib.available(), () -> "SKIPPED: " + lib.reason());
    }

    private static int forward(Pointer x, Pointer w, Pointer bias, Pointer a, Pointer b, Pointer mask, Pointer y,
                               Pointer u, long n, long in, long out, long r) {
        return Peft4jNative.peft4j_lora_forward(x, w, bias, a, b, 1f, mask, y, u, n, in, out, r, null);
    }

    @Test
    void loraForwardSeesEachSizeAndPointerInItsPlace() {
        try (FloatPointer p = new FloatPointer(1)) {
            assertEquals(PEFT4J_OK, forward(p, p, null, p, p, null, p, p, 0, 3, 4, 2), "n = 0, bias and mask NULL");
            assertEquals(PEFT4J_OK, forward(null, p, null, p, p, null, null, null, 0, 3, 4, 2), "n = 0: x, y, u empty");
            assertEquals(PEFT4J_ERROR_RANK, forward(p, p, null, p, p, null, p, p, 0, 3, 4, 0), "r = 0");
            assertEquals(PEFT4J_ERROR_NEGATIVE_SIZE, forward(p, p, null, p, p, null, p, p, -1, 3, 4, 2), "n < 0");
            assertEquals(PEFT4J_ERROR_NEGATIVE_SIZE, forward(p, p, null, p, p, null, p, p, 0, -3, 4, 2), "in < 0");
            assertEquals(PEFT4J_ERROR_NEGATIVE_SIZE, forward(p, p, null, p, p, null, p, p, 0, 3, -4, 2), "out < 0");
            Pointer[] slots = new Pointer[6];
            for (int missing = 0; missing < slots.length; missing++) {
                Arrays.fill(slots, p);
                slots[missing] = null;
                assertEquals(PEFT4J_ERROR_NULL_POINTER, forward(slots[0], slots[1], p, slots[2], slots[3], p,
                        slots[4], slots[5], 1, 3, 4, 2), "required pointer " + missing + " NULL");
            }
        }
    }

    @Test
    void statusMessagesComeFromTheLibrary() {
        assertEquals("ok", CudaStatus.message(PEFT4J_OK));
        assertEquals("invalid argument: the LoRA rank r must be >= 1", CudaStatus.message(PEFT4J_ERROR_RANK));
        assertEquals("out of memory", CudaStatus.message(PEFT4J_ERROR_CUDA_BASE + 2)); // cudaErrorMemoryAllocation
    }

    @Test
    void copiesCheckTheirArgumentsBeforeCuda() {
        assertEquals(PEFT4J_ERROR_NEGATIVE_SIZE, Peft4jNative.peft4j_copy_to_host(new float[1], null, -1));
        assertEquals(PEFT4J_ERROR_NULL_POINTER, Peft4jNative.peft4j_copy_to_device(null, new float[1], 1));
        assertEquals(PEFT4J_OK, Peft4jNative.peft4j_device_free(null));
    }

    @Test
    void stagedUploadCallsCheckTheirArgumentsBeforeCuda() {
        try (FloatPointer p = new FloatPointer(1); org.bytedeco.javacpp.PointerPointer<Pointer> out =
                new org.bytedeco.javacpp.PointerPointer<>(1)) {
            assertEquals(PEFT4J_ERROR_NEGATIVE_SIZE, Peft4jNative.peft4j_host_alloc_pinned(out, -1));
            assertEquals(PEFT4J_OK, Peft4jNative.peft4j_host_alloc_pinned(out, 0), "0 bytes: NULL, no CUDA call");
            assertEquals(null, out.get(0));
            assertEquals(PEFT4J_OK, Peft4jNative.peft4j_host_free_pinned(null));
            assertEquals(PEFT4J_OK, Peft4jNative.peft4j_event_destroy(null));
            assertEquals(PEFT4J_ERROR_NULL_POINTER, Peft4jNative.peft4j_event_synchronize(null));
            assertEquals(PEFT4J_ERROR_NULL_POINTER, Peft4jNative.peft4j_copy_to_device_async(p, p, 4, null, null),
                    "no event");
            assertEquals(PEFT4J_ERROR_NULL_POINTER, Peft4jNative.peft4j_copy_to_device_async(null, p, 4, p, null),
                    "no destination");
            assertEquals(PEFT4J_ERROR_NEGATIVE_SIZE, Peft4jNative.peft4j_copy_to_device_async(p, p, -4, p, null));
        }
    }
}
