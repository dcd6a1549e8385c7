package dev.peft4j.conformance;

import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.backend.ValidatingBackend;
import dev.peft4j.tensor.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * The whole conformance catalogue ({@link AllCases}) again, twice, with every tensor the tested backend sees, inputs
 * and outputs, made by {@code Tensor.wrap} at a random offset inside a larger array, or inside a larger off-heap
 * segment, whose margins hold a marked NaN:
 * results must match the reference (run on ordinary tensors) within the usual tolerances, and every margin must
 * come back untouched bit for bit. Host backends only (reference, cpu): a device backend takes host arrays
 * through {@code fromHost}, and is listed as skipped. The reference is tested too, behind its validation, since
 * its kernels reach wrapped tensors through their own path.
 */
class WrappedTensorConformanceTest {
    private static final List<Backend> OPENED = new ArrayList<>();

    @TestFactory
    Stream<DynamicNode> everyKernelMatchesTheReferenceOnWrappedArrays() {
        List<BackendsUnderTest.Target> targets = new ArrayList<>(BackendsUnderTest.discover());
        targets.removeIf(t -> t.name().startsWith(BackendsUnderTest.REFERENCE));
        targets.add(new BackendsUnderTest.Target(BackendsUnderTest.REFERENCE,
                () -> ((ValidatingBackend) Backends.create(BackendsUnderTest.REFERENCE)).unwrap(),
                () -> Backends.create(BackendsUnderTest.REFERENCE), null));
        List<KernelCase> cases = AllCases.list();
        return targets.stream().map(t -> {
            if (t.skipReason() != null) {
                return dynamicTest("backend " + t.name() + " (unavailable here)",
                        () -> Assumptions.abort("backend " + t.name() + " is unavailable: " + t.skipReason()));
            }
            Backend oracle = open(t.oracle().get());
            Backend tested = open(t.backend().get());
            if (tested.device() != Device.CPU) {
                return dynamicTest("backend " + t.name() + " (device " + tested.device() + ")",
                        () -> Assumptions.abort("wrapped host arrays are for host backends; " + t.name()
                                + " computes on " + tested.device() + " and takes host data through fromHost"));
            }
            return dynamicContainer("backend " + t.name(), Stream.of(
                    placed("wrapped float[] ranges", cases, oracle, tested, t.name(),
                            TensorPlacement::wrappedInPoisonedArrays),
                    placed("off-heap MemorySegment slices", cases, oracle, tested, t.name(),
                            TensorPlacement::inPoisonedNativeSegments)));
        });
    }

    private static DynamicNode placed(String how, List<KernelCase> cases, Backend oracle, Backend tested, String name,
                                      java.util.function.LongFunction<TensorPlacement> placement) {
        return dynamicContainer("on " + how, cases.stream().map(kc -> dynamicTest(kc.family() + ": " + kc.displayName(),
                () -> CaseComparison.check(kc, oracle, tested, name, placement))));
    }

    private static Backend open(Backend b) {
        synchronized (OPENED) {
            OPENED.add(b);
        }
        return b;
    }

    @AfterAll
    static void closeBackends() {
        synchronized (OPENED) {
            OPENED.forEach(Backend::close);
            OPENED.clear();
        }
    }
}
