package dev.peft4j.backend;

/**
 * A backend as {@link java.util.ServiceLoader} finds it ({@code META-INF/services/dev.peft4j.backend.BackendProvider}).
 * {@link Backends} tries providers from the highest priority down: cuda (300), cpu (200), reference (100).
 */
public interface BackendProvider {
    /** The name {@code -Dpeft4j.backend=} selects: "reference", "cpu", "cuda". */
    String name();

    int priority();

    /** Whether {@link #create()} can succeed here, and if not, why (no driver, no device, no vector unit...). */
    Availability availability();

    /** A new backend; only called when {@link #availability()} said it is available. */
    Backend create();
}
