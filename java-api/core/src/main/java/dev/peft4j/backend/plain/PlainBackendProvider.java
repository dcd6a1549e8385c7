package dev.peft4j.backend.plain;

import dev.peft4j.backend.Availability;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.BackendOptions;
import dev.peft4j.backend.BackendProvider;

/**
 * Provides the {@link PlainBackend}: name "plain", priority 150 (below cpu, above the reference, so the float64
 * reference is never chosen automatically), available everywhere but always reported as degraded: it is the last
 * resort when the cpu backend cannot run, and its reason says so.
 */
public final class PlainBackendProvider implements BackendProvider {
    @Override public String name() { return "plain"; }

    @Override public int priority() { return 150; }

    @Override public Availability availability() {
        return Availability.degraded("plain-Java float32 kernels on " + BackendOptions.defaults().effectiveThreads()
                + " threads, without SIMD; several times slower than the cpu backend (peft4j-kernels-cpu)");
    }

    @Override public Availability availability(BackendOptions options) {
        return Availability.degraded("plain-Java float32 kernels on " + options.effectiveThreads()
                + " threads, without SIMD; several times slower than the cpu backend (peft4j-kernels-cpu)");
    }

    @Override public Backend create() {
        return create(BackendOptions.defaults());
    }

    /** A plain backend with the options' threads. */
    @Override public Backend create(BackendOptions options) {
        return new PlainBackend(options.effectiveThreads());
    }
}
