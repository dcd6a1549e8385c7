package dev.peft4j.novector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.Availability;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.BackendReport;
import dev.peft4j.backend.Backends;
import dev.peft4j.backend.plain.PlainBackend;
import dev.peft4j.backend.ValidatingBackend;
import org.junit.jupiter.api.Test;

/**
 * Which backend a JVM gets with and without the Vector API module. The default surefire executions run it with
 * {@code --add-modules jdk.incubator.vector} (the cpu backend must win); the "no-vector-module" execution runs it, and
 * the conformance suite, in a JVM without it, where the plain float32 fallback must be chosen, never the float64
 * reference, and the cpu backend's reason must name the flag that enables it.
 */
class FallbackChoiceTest {
    private static final boolean VECTOR_MODULE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    @Test
    void theNoVectorExecutionReallyRunsWithoutTheModule() {
        if ("absent".equals(System.getProperty("peft4j.test.vectorModule"))) {
            assertFalse(VECTOR_MODULE, "the no-vector-module execution must not load jdk.incubator.vector: check its argLine");
        }
    }

    @Test
    void theChoiceFollowsWhetherTheVectorModuleIsLoaded() {
        System.clearProperty(Backends.PROPERTY);
        BackendReport report = Backends.report();
        Availability cpu = report.entry("cpu").orElseThrow(() -> new AssertionError("no cpu provider: " + report))
                .availability();
        if (VECTOR_MODULE) {
            assertTrue(cpu.available(), report.toString());
            assertFalse(report.chosen().equals("plain") || report.chosen().equals("reference"), report.toString());
        } else {
            assertFalse(cpu.available(), report.toString());
            assertTrue(cpu.reason().contains("--add-modules jdk.incubator.vector"), cpu.reason());
            assertEquals("plain", report.chosen(), report.toString());
        }
    }

    @Test
    void createHandsOutTheReportedChoice() {
        System.clearProperty(Backends.PROPERTY);
        try (Backend b = Backends.create()) {
            assertEquals(Backends.report().chosen(), b.name());
            if (!VECTOR_MODULE) {
                assertTrue(((ValidatingBackend) b).unwrap() instanceof PlainBackend, b.toString());
            }
        }
    }
}
