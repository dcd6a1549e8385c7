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
 * Finds backends with {@link ServiceLoader} and picks one: cuda, else cpu, else the plain-Java float32 fallback
 * ({@link dev.peft4j.backend.plain.PlainBackend}); the float64 reference only when asked for by name (or when it is the
 * only provider found). {@code -Dpeft4j.backend=NAME}
 * or {@link BackendOptions#backend()} forces one (see {@link BackendOptions} for which wins). Each choice and each
 * fallback reason is logged once per JVM: at INFO when nothing is lost, at WARNING when the choice costs speed (a
 * backend that runs degraded, such as the plain fallback or the cpu backend's scalar loops, or the float64 reference),
 * and that WARNING carries the reasons the faster backends cannot run, which name what would enable them (for the cpu
 * backend on the class path: {@code --add-modules jdk.incubator.vector}). Every backend handed out is wrapped in a {@link ValidatingBackend}, so bad
 * arguments fail with a clear message before any kernel runs.
 *
 * <p>{@link #create()} makes a backend the caller owns and must close. A library that must not own a thread pool of
 * its own takes {@link #shared()} instead. {@link #report()} says what is there and what would be chosen.
 */
public final class Backends {
    /** System property that forces a backend by name. */
    public static final String PROPERTY = "peft4j.backend";

    static final String REFERENCE = "reference";

    private static final System.Logger LOG = System.getLogger("dev.peft4j.backend");
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();
    private static final SharedBackend SHARED = new SharedBackend(Backends::create);

    private Backends() {}

    /** Every provider on the class path, highest priority first. */
    public static List<BackendProvider> providers() {
        List<BackendProvider> list = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader()).forEach(list::add);
        list.sort(Comparator.comparingInt(BackendProvider::priority).reversed());
        return list;
    }

    /** The backend {@code -Dpeft4j.backend} names, or else the best available one; the caller closes it. */
    public static Backend create() {
        return create(BackendOptions.defaults());
    }

    /** The backend with this name; fails with the reason if it is unknown or cannot run here. */
    public static Backend create(String name) {
        return create(name, BackendOptions.defaults());
    }

    /**
     * The backend with this name, configured by the options; fails with the reason if it is unknown or cannot run
     * here. The name wins over {@link BackendOptions#backend()} and the system property.
     */
    public static Backend create(String name, BackendOptions options) {
        if (name == null) {
            throw new IllegalArgumentException("backend name is null: pass a name such as \"cpu\", or call "
                    + "create(BackendOptions) to choose the best available backend");
        }
        return create(requireOptions(options).withBackend(name));
    }

    /**
     * The backend the options (or, where they leave it unset, {@code -Dpeft4j.backend}) name, or else the best
     * available one, configured by the options; the caller closes it. A named backend that is unknown or cannot run
     * fails with the reason rather than falling back.
     */
    public static Backend create(BackendOptions options) {
        BackendReport report = report(requireOptions(options));
        BackendReport.Entry chosen = report.chosenEntry().orElseThrow(() -> new BackendUnavailableException(
                report.forced() == null ? "no peft4j backend is available (is peft4j-core on the class path?): " + report
                        : forcedFailure(report)));
        logChoice(report, chosen);
        return new ValidatingBackend(chosen.provider().create(options));
    }

    /**
     * A handle on the one backend this JVM shares: the first call creates it as {@link #create()} would, later calls
     * hand out further handles on the same backend. It is safe to call from many threads at once. Closing a handle
     * releases it (once; closing it again does nothing) and any further call through it fails; the backend itself
     * closes when the last handle is closed, and a later {@code shared()} creates a new one. Close a handle only
     * after the calls made through it have returned.
     */
    public static Backend shared() {
        return SHARED.acquire();
    }

    /** What {@link #create()} would find and choose here, without creating anything. */
    public static BackendReport report() {
        return report(BackendOptions.defaults());
    }

    /** What {@link #create(BackendOptions)} would find and choose with these options, without creating anything. */
    public static BackendReport report(BackendOptions options) {
        requireOptions(options);
        String forced = options.effectiveBackend();
        List<BackendReport.Entry> entries = new ArrayList<>();
        for (BackendProvider p : providers()) {
            entries.add(new BackendReport.Entry(p, availability(p, options)));
        }
        String chosen = null;
        for (BackendReport.Entry e : entries) {
            boolean candidate = forced == null ? e.availability().available() : e.name().equalsIgnoreCase(forced);
            if (candidate) {
                chosen = e.availability().available() ? e.name() : null;
                break;
            }
        }
        return new BackendReport(entries, chosen, forced);
    }

    private static Availability availability(BackendProvider p, BackendOptions options) {
        try {
            return p.availability(options);
        } catch (RuntimeException | LinkageError e) {
            return Availability.no("checking it failed: " + e);
        }
    }

    private static String forcedFailure(BackendReport report) {
        String name = report.forced();
        for (BackendReport.Entry e : report.entries()) {
            if (e.name().equalsIgnoreCase(name)) {
                return "peft4j backend '" + name + "' is unavailable: " + e.availability().reason();
            }
        }
        List<String> known = report.entries().stream().map(BackendReport.Entry::name).toList();
        return "unknown peft4j backend '" + name + "'; known: " + known + " (set -D" + PROPERTY + "="
                + String.join("|", known).toLowerCase(Locale.ROOT) + " or BackendOptions.withBackend)";
    }

    /** Logs the choice and the reasons it fell back past faster backends, each once per JVM. */
    private static void logChoice(BackendReport report, BackendReport.Entry chosen) {
        Availability a = chosen.availability();
        if (report.forced() != null) {
            logOnce(a.degraded() ? Level.WARNING : Level.INFO, "peft4j backend: " + chosen.name() + " (asked for by name)"
                    + (a.degraded() ? ", degraded: " + a.reason() : ""));
            return;
        }
        List<String> skipped = new ArrayList<>();
        for (BackendReport.Entry e : report.entries()) {
            if (e == chosen) {
                break;
            }
            skipped.add(e.name() + " is unavailable: " + e.availability().reason());
        }
        boolean oracle = chosen.name().equalsIgnoreCase(REFERENCE) && !skipped.isEmpty();
        if (oracle || a.degraded()) {
            String what = oracle ? REFERENCE + ", the float64 oracle, many times slower than a fast backend"
                    : chosen.name() + ", degraded: " + a.reason();
            logOnce(Level.WARNING, "peft4j backend: " + what + (skipped.isEmpty() ? ""
                    : "; faster backends cannot run here: " + String.join("; ", skipped)));
        } else {
            logOnce(Level.INFO, "peft4j backend: " + chosen.name()
                    + (a.reason().equals(Availability.yes().reason()) ? "" : " (" + a.reason() + ")"));
            skipped.forEach(s -> logOnce(Level.INFO, "peft4j backend " + s));
        }
    }

    private static BackendOptions requireOptions(BackendOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("backend options are null: pass BackendOptions.defaults() for none");
        }
        return options;
    }

    private static void logOnce(Level level, String message) {
        if (LOGGED.add(message)) {
            LOG.log(level, message);
        }
    }
}
