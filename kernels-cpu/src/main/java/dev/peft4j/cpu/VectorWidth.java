package dev.peft4j.cpu;

import dev.peft4j.backend.BackendOptions;
import java.util.concurrent.atomic.AtomicReference;
import jdk.incubator.vector.FloatVector;

/**
 * Decides the vector width {@link Simd} fixes once per JVM: the width the first cpu backend was asked for through
 * {@link BackendOptions#cpuVectorBits()}, else {@code -Dpeft4j.cpu.vectorBits}, else the machine's preferred width.
 * The kernels read the width from static fields (so the JIT can fold it), which is why it cannot change later: a
 * backend asking for another width once it is fixed fails with a message saying which width is in force.
 */
final class VectorWidth {
    private static final AtomicReference<Integer> REQUESTED = new AtomicReference<>();
    /** The width {@link Simd} took, in bits (0 = scalar); null until it has initialised. */
    private static volatile Integer fixed;

    private VectorWidth() {}

    /** The width {@link Simd} takes when it initialises: -1 for the preferred width, 0 for scalar loops, else bits. */
    static int requestedOrDefault() {
        Integer r = REQUESTED.get();
        return r != null ? r : BackendOptions.defaults().effectiveCpuVectorBits();
    }

    /** Called once, at the end of {@link Simd}'s static initialiser. */
    static void fixed(int bits) {
        fixed = bits;
    }

    /** The preferred float vector width of this machine in bits (touches the Vector API, not {@link Simd}). */
    static int preferredBits() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }

    /**
     * Fixes the width for this JVM to {@code bits} unless it is fixed already, then checks that the width in force is
     * the one asked for. -1 (no preference: neither the option nor the property set) fixes the preferred width if
     * nothing is fixed yet and otherwise accepts the width in force.
     *
     * @throws IllegalStateException when an earlier backend fixed another width
     */
    static void require(int bits) {
        if (bits < 0) {
            Simd.bits(); // no preference: fix the default width if none is fixed yet, accept the one in force
            return;
        }
        REQUESTED.compareAndSet(null, bits);
        int inForce = Simd.bits();
        if (inForce != bits) {
            throw new IllegalStateException("the cpu backend's vector width is fixed once per JVM and is already "
                    + describe(inForce) + "; this backend asked for " + describe(bits) + ". Ask every cpu backend "
                    + "for the same width (BackendOptions.cpuVectorBits or -D" + BackendOptions.VECTOR_BITS_PROPERTY
                    + "), or leave it unset");
        }
    }

    /** The width {@link Simd} fixed (0 = scalar), or null while it has not initialised; does not initialise it. */
    static Integer fixedBits() {
        return fixed;
    }

    /**
     * Why asking for {@code bits} would conflict with the width already fixed, or null when it would not (nothing
     * fixed yet, the same width, or -1: no preference, which accepts the width in force).
     */
    static String conflict(int bits) {
        Integer inForce = fixed;
        if (bits < 0 || inForce == null || inForce == bits) {
            return null;
        }
        return "the vector width is fixed once per JVM and is already " + describe(inForce) + ", not " + describe(bits);
    }

    static String describe(int bits) {
        return bits == 0 ? "0 (scalar loops)" : bits + " bits";
    }
}
