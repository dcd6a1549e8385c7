package dev.peft4j.conformance;

import dev.peft4j.backend.Availability;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.BackendProvider;
import dev.peft4j.backend.Backends;
import dev.peft4j.backend.ValidatingBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The backends the conformance suite holds against the reference: every {@link BackendProvider} that
 * {@link java.util.ServiceLoader} finds except the reference itself. An unavailable one is listed with its reason
 * (to be reported as skipped). When no other backend can run, the reference behind its {@link ValidatingBackend}
 * is compared with the bare reference: that still shows every valid call passes validation, every output
 * element is written and the reference is deterministic.
 */
final class BackendsUnderTest {
    static final String REFERENCE = "reference";

    /**
     * One backend to test.
     *
     * @param name       display name
     * @param oracle     makes the oracle it is compared with
     * @param backend    makes the backend under test (null when skipped)
     * @param skipReason why it cannot run here (null when it can)
     */
    record Target(String name, Supplier<Backend> oracle, Supplier<Backend> backend, String skipReason) {}

    private BackendsUnderTest() {}

    static List<Target> discover() {
        List<Target> targets = new ArrayList<>();
        boolean referenceFound = false;
        for (BackendProvider p : Backends.providers()) {
            if (p.name().equalsIgnoreCase(REFERENCE)) {
                referenceFound = true;
                continue;
            }
            Availability a = p.availability();
            if (a.available()) {
                targets.add(new Target(p.name(), () -> Backends.create(REFERENCE), () -> Backends.create(p.name()), null));
            } else {
                targets.add(new Target(p.name(), null, null, a.reason()));
            }
        }
        if (!referenceFound) {
            throw new IllegalStateException("no '" + REFERENCE + "' BackendProvider on the class path: the conformance "
                    + "suite has no oracle (providers found: " + Backends.providers().stream().map(BackendProvider::name).toList() + ")");
        }
        if (targets.stream().noneMatch(t -> t.skipReason() == null)) {
            targets.add(new Target("reference-through-ValidatingBackend",
                    () -> ((ValidatingBackend) Backends.create(REFERENCE)).unwrap(),
                    () -> Backends.create(REFERENCE), null));
        }
        return targets;
    }

    static String describe(List<Target> targets) {
        StringBuilder sb = new StringBuilder("peft4j conformance: backends against the reference:");
        for (Target t : targets) {
            sb.append("\n  ").append(t.name()).append(t.skipReason() == null ? ": tested" : ": SKIPPED (" + t.skipReason() + ")");
        }
        return sb.toString();
    }
}
