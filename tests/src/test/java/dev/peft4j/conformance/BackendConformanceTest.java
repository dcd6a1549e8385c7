package dev.peft4j.conformance;

import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.peft4j.backend.Backend;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Every kernel of the Backend SPI, forward and backward, on every backend found through ServiceLoader, against
 * the reference backend (DESIGN.md §6). A backend that cannot run here appears as one skipped test whose
 * reason is the backend's own.
 */
class BackendConformanceTest {
    private static final List<Backend> OPENED = new ArrayList<>();

    @TestFactory
    Stream<DynamicNode> everyKernelMatchesTheReference() {
        List<BackendsUnderTest.Target> targets = BackendsUnderTest.discover();
        System.out.println(BackendsUnderTest.describe(targets));
        Map<String, List<KernelCase>> families = byFamily(AllCases.list());
        return targets.stream().map(t -> t.skipReason() != null
                ? dynamicTest("backend " + t.name() + " (unavailable here)",
                        () -> Assumptions.abort("backend " + t.name() + " is unavailable: " + t.skipReason()))
                : dynamicContainer("backend " + t.name(), testsFor(t, families)));
    }

    private static Stream<DynamicNode> testsFor(BackendsUnderTest.Target target, Map<String, List<KernelCase>> families) {
        Supplier<Backend> oracle = once(target.oracle());
        Supplier<Backend> tested = once(target.backend());
        return families.entrySet().stream().map(f -> dynamicContainer(f.getKey(), f.getValue().stream().map(kc ->
                dynamicTest(kc.displayName(), () -> CaseComparison.check(kc, oracle.get(), tested.get(), target.name())))));
    }

    private static Map<String, List<KernelCase>> byFamily(List<KernelCase> cases) {
        Map<String, List<KernelCase>> m = new LinkedHashMap<>();
        for (KernelCase kc : cases) {
            m.computeIfAbsent(kc.family(), k -> new ArrayList<>()).add(kc);
        }
        return m;
    }

    /** Creates the backend on first use (so a failing constructor fails a test, not discovery) and remembers it for closing. */
    private static Supplier<Backend> once(Supplier<Backend> factory) {
        Backend[] holder = new Backend[1];
        return () -> {
            synchronized (holder) {
                if (holder[0] == null) {
                    holder[0] = factory.get();
                    synchronized (OPENED) {
                        OPENED.add(holder[0]);
                    }
                }
                return holder[0];
            }
        };
    }

    @AfterAll
    static void closeBackends() {
        synchronized (OPENED) {
            OPENED.forEach(Backend::close);
            OPENED.clear();
        }
    }
}
