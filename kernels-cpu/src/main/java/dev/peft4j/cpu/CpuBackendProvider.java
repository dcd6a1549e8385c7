package dev.peft4j.cpu;

import dev.peft4j.backend.Availability;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.BackendOptions;
import dev.peft4j.backend.BackendProvider;

/**
 * Provides {@link CpuBackend} (priority 200) when the jdk.incubator.vector module is loaded and the vector width asked
 * for ({@link BackendOptions#cpuVectorBits()}, else {@code -Dpeft4j.cpu.vectorBits}, else the machine's preferred
 * one) has at least 2 float lanes and fits the machine. A width of 0 asks for the scalar loops: available, but
 * reported as degraded. Otherwise unavailable with the reason, so the fallback is logged with it.
 */
public final class CpuBackendProvider implements BackendProvider {
    /** The JVM flag that loads the Vector API module on the class path. */
    static final String VECTOR_FLAG = "--add-modules jdk.incubator.vector";

    @Override public String name() { return "cpu"; }

    @Override public int priority() { return 200; }

    @Override public Availability availability() {
        return availability(BackendOptions.defaults());
    }

    @Override public Availability availability(BackendOptions options) {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return Availability.no("the Vector API module is not loaded: run the JVM with " + VECTOR_FLAG);
        }
        try {
            int bits = options.effectiveCpuVectorBits();
            Integer fixed = VectorWidth.fixedBits();
            if (bits < 0 && fixed != null) {
                bits = fixed; // no preference: the backend will run at the width already in force
            }
            int preferred = VectorWidth.preferredBits();
            if (bits > preferred) {
                return Availability.no("a vector width of " + bits + " bits was asked for, but this machine's widest "
                        + "float vectors have " + preferred + " bits: ask for " + preferred + " or less, or leave it unset");
            }
            String conflict = VectorWidth.conflict(bits);
            if (conflict != null) {
                return Availability.no(conflict + ": ask every cpu backend for the same width, or leave it unset");
            }
            if (bits == 0) {
                return Availability.degraded("scalar loops, because the vector width 0 was asked for (BackendOptions."
                        + "cpuVectorBits or -D" + BackendOptions.VECTOR_BITS_PROPERTY + "=0, fixed once per JVM); leave "
                        + "it unset for the " + preferred + "-bit vectors of this machine");
            }
            int width = bits < 0 ? preferred : bits;
            int lanes = width / Float.SIZE;
            if (lanes < 2) {
                return Availability.no("the " + (bits < 0 ? "preferred " : "") + "float vectors have " + lanes
                        + " lane(s); no vector unit to use");
            }
            return new Availability(true, width + "-bit vectors, " + lanes + " float lanes");
        } catch (LinkageError | IllegalArgumentException e) {
            return Availability.no("the Vector API could not start: " + e);
        }
    }

    @Override public Backend create() {
        return create(BackendOptions.defaults());
    }

    /** A backend with the options' threads and warm-up, at the vector width they ask for (fixed once per JVM). */
    @Override public Backend create(BackendOptions options) {
        return new CpuBackend(options);
    }
}
