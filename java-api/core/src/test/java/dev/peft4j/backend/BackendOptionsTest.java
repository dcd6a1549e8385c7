package dev.peft4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class BackendOptionsTest {
    private static final String[] PROPERTIES = {Backends.PROPERTY, BackendOptions.WARM_UP_PROPERTY,
            BackendOptions.VECTOR_BITS_PROPERTY, BackendOptions.GEMM_ENGINE_PROPERTY, BackendOptions.THREADS_PROPERTY};
    private final Map<String, String> saved = new HashMap<>();

    BackendOptionsTest() {
        for (String p : PROPERTIES) {
            saved.put(p, System.getProperty(p));
        }
    }

    @AfterEach
    void restoreProperties() {
        saved.forEach((k, v) -> {
            if (v == null) {
                System.clearProperty(k);
            } else {
                System.setProperty(k, v);
            }
        });
    }

    @Test
    void withoutOptionsOrPropertiesTheDefaultsApply() {
        for (String p : PROPERTIES) {
            System.clearProperty(p);
        }
        BackendOptions o = BackendOptions.defaults();
        assertNull(o.effectiveBackend());
        assertEquals(Runtime.getRuntime().availableProcessors(), o.effectiveThreads());
        assertTrue(o.effectiveWarmUp());
        assertEquals(-1, o.effectiveCpuVectorBits());
        assertEquals(0, o.effectiveCudaDevice());
        assertEquals("cublas", o.effectiveCudaGemmEngine());
    }

    @Test
    void anUnsetOptionFollowsItsSystemProperty() {
        System.setProperty(Backends.PROPERTY, " Reference ");
        System.setProperty(BackendOptions.WARM_UP_PROPERTY, "false");
        System.setProperty(BackendOptions.VECTOR_BITS_PROPERTY, "0");
        System.setProperty(BackendOptions.GEMM_ENGINE_PROPERTY, "TILED");
        System.setProperty(BackendOptions.THREADS_PROPERTY, " 5 ");
        BackendOptions o = BackendOptions.defaults();
        assertEquals("reference", o.effectiveBackend());
        assertEquals(5, o.effectiveThreads());
        assertFalse(o.effectiveWarmUp());
        assertEquals(0, o.effectiveCpuVectorBits());
        assertEquals("tiled", o.effectiveCudaGemmEngine());
    }

    @Test
    void anExplicitOptionWinsOverItsSystemProperty() {
        System.setProperty(Backends.PROPERTY, "reference");
        System.setProperty(BackendOptions.WARM_UP_PROPERTY, "false");
        System.setProperty(BackendOptions.VECTOR_BITS_PROPERTY, "0");
        System.setProperty(BackendOptions.GEMM_ENGINE_PROPERTY, "tiled");
        System.setProperty(BackendOptions.THREADS_PROPERTY, "7");
        BackendOptions o = BackendOptions.defaults().withBackend("CPU").withWarmUp(true).withCpuVectorBits(256)
                .withCudaGemmEngine("cublas").withThreads(3).withCudaDevice(1);
        assertEquals("cpu", o.effectiveBackend());
        assertTrue(o.effectiveWarmUp());
        assertEquals(256, o.effectiveCpuVectorBits());
        assertEquals("cublas", o.effectiveCudaGemmEngine());
        assertEquals(3, o.effectiveThreads());
        assertEquals(1, o.effectiveCudaDevice());
        assertEquals(new BackendOptions("cpu", 3, true, 256, 1, "cublas"), o);
    }

    @Test
    void badValuesFailWhereTheyAreWrittenAndSayWhatIsAllowed() {
        BackendOptions d = BackendOptions.defaults();
        rejects(() -> d.withThreads(0), "threads = 0", "at least 1");
        rejects(() -> d.withCpuVectorBits(100), "cpuVectorBits = 100", "0 (scalar loops), 64, 128, 256 or 512");
        rejects(() -> d.withCpuVectorBits(-1), "cpuVectorBits = -1");
        rejects(() -> d.withCudaDevice(-2), "cudaDevice = -2", "0 or more");
        rejects(() -> d.withCudaGemmEngine("magma"), "magma", "cublas or tiled");
        rejects(() -> d.withBackend("  "), "blank");
    }

    @Test
    void aMalformedPropertyFailsNamingTheProperty() {
        System.setProperty(BackendOptions.VECTOR_BITS_PROPERTY, "wide");
        rejects(() -> BackendOptions.defaults().effectiveCpuVectorBits(), "-Dpeft4j.cpu.vectorBits=wide", "not a number");
        System.setProperty(BackendOptions.VECTOR_BITS_PROPERTY, "96");
        rejects(() -> BackendOptions.defaults().effectiveCpuVectorBits(), "-Dpeft4j.cpu.vectorBits=96");
        System.setProperty(BackendOptions.GEMM_ENGINE_PROPERTY, "magma");
        rejects(() -> BackendOptions.defaults().effectiveCudaGemmEngine(), "-Dpeft4j.cuda.gemm=magma", "cublas or tiled");
        System.setProperty(BackendOptions.THREADS_PROPERTY, "many");
        rejects(() -> BackendOptions.defaults().effectiveThreads(), "-Dpeft4j.cpu.threads=many", "not a number");
        System.setProperty(BackendOptions.THREADS_PROPERTY, "0");
        rejects(() -> BackendOptions.defaults().effectiveThreads(), "-Dpeft4j.cpu.threads=0", "at least 1");
        assertEquals(2, BackendOptions.defaults().withThreads(2).effectiveThreads());
        // an explicit option is not affected by a malformed property
        assertEquals(128, BackendOptions.defaults().withCpuVectorBits(128).effectiveCpuVectorBits());
    }

    private static void rejects(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message lacks '" + f + "': " + e.getMessage());
        }
    }
}
