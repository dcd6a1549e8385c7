package dev.peft4j.backend;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds backends with {@link ServiceLoader} and picks one: cuda, else cpu, else reference, logging each
 * fallback reason once per JVM. {@code -Dpeft4j.backend=NAME} forces one. Every backend handed out is wrapped
 * in a {@link ValidatingBackend}, so bad arguments fail with a clear message before any kernel runs.
 */
public final class Backends {
    /** System property that forces a backend by name. */
    public static final String PROPERTY = "peft4j.backend";

    private static final System.Logger LOG = System.getLogger("dev.peft4j.backend");
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    private Backends() {}

    /** Every provider on the class path, highest priority first. */
    public static List<BackendProvider> providers() {
        List<BackendProvider> list = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader()).forEach(list::add);
        list.sort(Comparator.comparingInt(BackendProvider::priority).reversed());
        return list;
    }

    /** The backend {@code -Dpeft4j.backend} names, or else the best available one. */
    public static Backend create() {
        String forced = System.getProperty(PROPERTY);
        if (forced != null && !forced.isBlank()) {
            return create(forced.trim());
        }
        for (BackendProvider p : providers()) {
            Availability a = p.availability();
            if (a.available()) {
                logOnce("chose:" + p.name(), Level.INFO, "peft4j backend: " + p.name());
                return new ValidatingBackend(p.create());
            }
            logOnce("skip:" + p.name(), Level.INFO, "peft4j backend " + p.name() + " unavailable: " + a.reason());
        }
        throw new BackendUnavailableException("no peft4j backend is available (is peft4j-java-api on the class path?)");
    }

    /** The backend with this name; fails with the reason if it is unknown or cannot run here. */
    public static Backend create(String name) {
        List<String> known = new ArrayList<>();
        for (BackendProvider p : providers()) {
            known.add(p.name());
            if (p.name().equalsIgnoreCase(name)) {
                Availability a = p.availability();
                if (!a.available()) {
                    throw new BackendUnavailableException("peft4j backend '" + name + "' is unavailable: " + a.reason());
                }
                return new ValidatingBackend(p.create());
            }
        }
        throw new BackendUnavailableException("unknown peft4j backend '" + name + "'; known: " + known
                + " (set -D" + PROPERTY + "=" + String.join("|", known).toLowerCase(Locale.ROOT) + ")");
    }

    private static void logOnce(String key, Level level, String message) {
        if (LOGGED.add(key)) {
            LOG.log(level, message);
        }
    }
}
