package dev.peft4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.Backend;
import dev.peft4j.backend.BackendProvider;
import dev.peft4j.backend.Backends;
import org.junit.jupiter.api.Test;

class CpuBackendProviderTest {

    @Test
    void serviceLoaderFindsTheCpuProviderAndItIsAvailableHere() {
        BackendProvider cpu = Backends.providers().stream().filter(p -> p.name().equals("cpu")).findFirst()
                .orElseThrow(() -> new AssertionError("no cpu provider registered"));
        assertEquals(200, cpu.priority());
        assertTrue(cpu.availability().available(), cpu.availability().reason());
        try (Backend b = Backends.create("cpu")) {
            assertEquals("cpu", b.name());
        }
    }

    @Test
    void vectorWidthFollowsTheProperty() {
        String prop = System.getProperty(Simd.PROPERTY);
        if ("0".equals(prop)) {
            assertTrue(Simd.SCALAR, "vectorBits=0 must select the scalar loops");
        } else {
            assertTrue(!Simd.SCALAR && Simd.L >= 2, "without vectorBits=0 the vector path must be used, got "
                    + Simd.describe());
        }
    }
}
