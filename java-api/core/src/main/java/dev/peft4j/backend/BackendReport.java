package dev.peft4j.backend;

import java.util.List;
import java.util.Optional;

/**
 * What {@link Backends#report()} found: every backend on the class path with whether it can run here and why not, and
 * which one {@link Backends#create()} would choose. {@link #toString()} is one line, fit for a log:
 * <pre>peft4j backends: cuda unavailable (no CUDA device...); cpu available (256-bit vectors, 8 float lanes); reference available; create() chooses cpu</pre>
 *
 * @param entries every provider, highest priority first
 * @param chosen  the name of the backend create() would return, or null when it would fail
 * @param forced  the backend name forced by the options or {@code -Dpeft4j.backend}, or null when the best is chosen
 */
public record BackendReport(List<Entry> entries, String chosen, String forced) {
    /** Copies the entries. */
    public BackendReport {
        entries = List.copyOf(entries);
    }

    /**
     * One backend found on the class path.
     *
     * @param provider     its provider
     * @param availability whether it can run here with the options asked about; the reason says why not or how it runs
     */
    public record Entry(BackendProvider provider, Availability availability) {
        /** The provider's name ("cuda", "cpu", "reference"). */
        public String name() {
            return provider.name();
        }

        /** "cpu available (256-bit vectors, 8 float lanes)", "cuda unavailable (reason)". */
        @Override
        public String toString() {
            Availability a = availability;
            if (!a.available()) {
                return name() + " unavailable (" + a.reason() + ")";
            }
            String state = a.degraded() ? " available, degraded (" : " available (";
            return a.reason().equals(Availability.yes().reason()) && !a.degraded() ? name() + " available"
                    : name() + state + a.reason() + ")";
        }
    }

    /** The entry of the backend create() would return, if any. */
    public Optional<Entry> chosenEntry() {
        return entries.stream().filter(e -> e.name().equals(chosen)).findFirst();
    }

    /** The entry of the backend with this name (any case), if it was found. */
    public Optional<Entry> entry(String name) {
        return entries.stream().filter(e -> e.name().equalsIgnoreCase(name)).findFirst();
    }

    /** One line: every backend with its state, then the choice. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("peft4j backends: ");
        for (int i = 0; i < entries.size(); i++) {
            sb.append(i == 0 ? "" : "; ").append(entries.get(i));
        }
        if (entries.isEmpty()) {
            sb.append("none found");
        }
        sb.append("; create() ");
        if (chosen != null) {
            sb.append("chooses ").append(chosen).append(forced != null ? " (asked for by name)" : "");
        } else {
            sb.append("fails").append(forced != null ? " (asked for '" + forced + "', which cannot run)" : "");
        }
        return sb.toString();
    }
}
