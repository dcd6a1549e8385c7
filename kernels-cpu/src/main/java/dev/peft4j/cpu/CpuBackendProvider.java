package dev.peft4j.cpu;

import dev.peft4j.backend.Availability;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.BackendProvider;

/**
 * Provides {@link CpuBackend} (priority 200) when the jdk.incubator.vector module is loaded and its preferred
 * species has at least 2 float lanes, or when {@code -Dpeft4j.cpu.vectorBits=0} explicitly asks for the scalar
 * loops; otherwise unavailable with the reason (so the fallback to the reference backend is logged).
 */
public final class CpuBackendProvider implements BackendProvider {
    @Override public String name() { return "cpu"; }

    @Override public int priority() { return 200; }

    @Override public Availability availability() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return Availability.no("the Vector API module is not loaded: run the JVM with --add-modules jdk.incubator.vector");
        }
        try {
            if (Simd.SCALAR) {
                System.getLogger("dev.peft4j.cpu").log(System.Logger.Level.WARNING,
                        "peft4j cpu backend uses scalar loops because -D" + Simd.PROPERTY + "=0");
                return Availability.yes();
            }
            if (Simd.L < 2) {
                return Availability.no("the preferred float vector species has " + Simd.L + " lane(s); no vector unit to use");
            }
            return Availability.yes();
        } catch (LinkageError | IllegalArgumentException e) {
            return Availability.no("the Vector API could not start: " + e);
        }
    }

    @Override public Backend create() { return new CpuBackend(); }
}
