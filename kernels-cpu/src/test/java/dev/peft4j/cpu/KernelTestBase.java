package dev.peft4j.cpu;

import dev.peft4j.backend.Backend;
import dev.peft4j.backend.reference.ReferenceBackend;
import dev.peft4j.tensor.Tensor;
import dev.peft4j.testing.Errors;
import dev.peft4j.testing.Poison;
import dev.peft4j.testing.RandomTensors;
import org.junit.jupiter.api.AfterAll;

/** The CPU backend (2 threads, so the parallel splits run) next to the reference backend, and helpers. */
abstract class KernelTestBase {
    /** fp32 tolerance of DESIGN.md §6 for ‖out − ref‖/‖ref‖. */
    static final double TOL = 1e-5;

    static final CpuBackend CPU = new CpuBackend(2);
    static final Backend REF = new ReferenceBackend();

    final RandomTensors rnd = new RandomTensors(20240613L ^ getClass().getName().hashCode());

    @AfterAll
    static void closeNothing() {
        // the shared backends live for the JVM; their pool threads are daemons
    }

    /** A NaN-filled output for the CPU backend: any element a kernel fails to write fails the comparison. */
    static Tensor poisoned(int... shape) {
        return Poison.nan(shape);
    }

    static Tensor zeros(int... shape) {
        return Tensor.zeros(shape);
    }

    static void close(String what, Tensor out, Tensor ref) {
        Errors.assertClose(what + " [" + CpuBackend.vectorDescription() + "]", out, ref, TOL);
    }

    static Tensor copyOf(Tensor t) {
        return Tensor.of(t.toArray(), t.shape());
    }
}
