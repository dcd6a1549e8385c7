package dev.peft4j.backend;

/**
 * A backend as {@link java.util.ServiceLoader} finds it ({@code META-INF/services/dev.peft4j.backend.BackendProvider}).
 * {@link Backends} tries providers from the highest priority down: cuda (300), cpu (200), reference (100).
 *
 * <p>A provider written before {@link BackendOptions} existed implements only {@link #availability()} and
 * {@link #create()}; the option-taking methods then fall back to them and the options are ignored.
 */
public interface BackendProvider {
    /** The name {@code -Dpeft4j.backend=} selects: "reference", "cpu", "cuda". */
    String name();

    /** Higher is tried first when {@link Backends} chooses. */
    int priority();

    /** Whether {@link #create()} can succeed here, and if not, why (no driver, no device, no vector unit...). */
    Availability availability();

    /** A new backend with default settings (system properties, else defaults); only called when available. */
    Backend create();

    /** Whether {@link #create(BackendOptions)} with these options can succeed here; by default {@link #availability()}. */
    default Availability availability(BackendOptions options) {
        return availability();
    }

    /**
     * A new backend configured by these options (each unset one from its system property, else its default); only
     * called when {@link #availability(BackendOptions)} said it is available. By default {@link #create()}.
     */
    default Backend create(BackendOptions options) {
        return create();
    }
}
