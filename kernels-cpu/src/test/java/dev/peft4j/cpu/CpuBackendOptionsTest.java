package dev.peft4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.peft4j.backend.Availability;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.BackendOptions;
import dev.peft4j.backend.BackendReport;
import dev.peft4j.backend.BackendUnavailableException;
import dev.peft4j.backend.Backends;
import dev.peft4j.backend.ValidatingBackend;
import org.junit.jupiter.api.Test;

/** BackendOptions reaching the cpu backend, and the vector width that is fixed once per JVM. */
class CpuBackendOptionsTest {
    private static final BackendOptions QUIET = BackendOptions.defaults().withWarmUp(false);

    @Test
    void theThreadsOptionSizesThePool() {
        try (Backend b = Backends.create("cpu", QUIET.withThreads(3))) {
            assertEquals(3, ((CpuBackend) ((ValidatingBackend) b).unwrap()).threads());
        }
        try (CpuBackend b = new CpuBackend(QUIET.withThreads(1))) {
            assertEquals(1, b.threads());
        }
    }

    @Test
    void askingForTheWidthInForceWorksAndAnotherWidthFailsSayingWhich() {
        int inForce = Simd.bits();
        try (Backend b = Backends.create("cpu", QUIET.withCpuVectorBits(inForce))) {
            assertEquals("cpu", b.name());
        }
        int other = inForce == 0 ? 64 : 0;
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> Backends.create("cpu", QUIET.withCpuVectorBits(other)));
        assertTrue(e.getMessage().contains("fixed once per JVM") && e.getMessage().contains(VectorWidth.describe(inForce)),
                e.getMessage());
        IllegalStateException direct = assertThrows(IllegalStateException.class,
                () -> new CpuBackend(QUIET.withCpuVectorBits(other)));
        assertTrue(direct.getMessage().contains("already " + VectorWidth.describe(inForce)), direct.getMessage());
    }

    @Test
    void withNoPreferenceABackendRunsAtTheWidthInForce() {
        int inForce = Simd.bits();
        String saved = System.getProperty(BackendOptions.VECTOR_BITS_PROPERTY);
        System.clearProperty(BackendOptions.VECTOR_BITS_PROPERTY);
        try {
            Availability a = new CpuBackendProvider().availability(QUIET);
            assertTrue(a.available(), a.reason());
            assertEquals(inForce == 0, a.degraded(), a.toString());
            try (Backend b = Backends.create("cpu", QUIET)) {
                assertEquals("cpu", b.name());
            }
        } finally {
            if (saved != null) {
                System.setProperty(BackendOptions.VECTOR_BITS_PROPERTY, saved);
            }
        }
    }

    @Test
    void aWidthBeyondTheMachineIsUnavailableWithTheMachinesWidth() {
        int preferred = VectorWidth.preferredBits();
        assumeTrue(preferred < 512, "this machine has 512-bit vectors, so no width is too wide");
        Availability a = new CpuBackendProvider().availability(QUIET.withCpuVectorBits(512));
        assertFalse(a.available());
        assertTrue(a.reason().contains(preferred + " bits"), a.reason());
    }

    @Test
    void theReportStatesTheWidthInUse() {
        BackendReport r = Backends.report(QUIET.withBackend("cpu"));
        Availability a = r.entry("cpu").orElseThrow().availability();
        assertTrue(a.available(), a.reason());
        if (Simd.SCALAR) {
            assertTrue(a.degraded() && a.reason().startsWith("scalar loops"), a.reason());
        } else {
            assertFalse(a.degraded());
            assertEquals(Simd.bits() + "-bit vectors, " + Simd.L + " float lanes", a.reason());
        }
        assertEquals("cpu", r.chosen());
    }
}
