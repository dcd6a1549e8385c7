package dev.peft4j.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector width every kernel of this backend uses, fixed once per JVM when this class initialises (see
 * {@link VectorWidth}: the first cpu backend's {@code cpuVectorBits} option, else {@code -Dpeft4j.cpu.vectorBits=N}).
 * N picks N-bit vectors (64..512, at most the preferred width); 0 selects the scalar loops (logged as degraded).
 * By default the preferred species of the machine is used (512 bits with AVX-512).
 */
final class Simd {
    /** System property selecting the vector width in bits; 0 = scalar loops. */
    static final String PROPERTY = dev.peft4j.backend.BackendOptions.VECTOR_BITS_PROPERTY;

    /** The species of every vector loop; with {@link #SCALAR} it is still a valid species but unused. */
    static final VectorSpecies<Float> S;
    /** True when the scalar path was forced with vectorBits = 0. */
    static final boolean SCALAR;
    /** Lanes of {@link #S}; 1 on the scalar path (so loop bounds collapse to the scalar tails). */
    static final int L;

    static {
        int bits = VectorWidth.requestedOrDefault();
        VectorSpecies<Float> preferred = FloatVector.SPECIES_PREFERRED;
        if (bits == 0) {
            SCALAR = true;
            S = preferred;
            L = 1;
        } else if (bits < 0) {
            SCALAR = false;
            S = preferred;
            L = S.length();
        } else {
            if (bits > preferred.vectorBitSize()) {
                throw new IllegalArgumentException("a vector width of " + bits + " bits exceeds this machine's preferred "
                        + preferred.vectorBitSize() + "-bit vectors");
            }
            SCALAR = false;
            S = VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
            L = S.length();
        }
        VectorWidth.fixed(SCALAR ? 0 : S.vectorBitSize());
    }

    private Simd() {}

    /**
     * The sum of v's lanes in one fixed pairwise order: halves added (lane i + lane i + L/2) down to 4 lanes, then
     * (l0 + l2) + (l1 + l3). Not {@code reduceLanes(ADD)}: its order is unspecified and C2's differs from the
     * interpreter's, so a sum (a softmax denominator, a dot product) would depend on how far the JIT had got.
     * Every step is an exact IEEE add of the same pairs in every tier.
     */
    static float sum(FloatVector v) {
        FloatVector q = v;
        if (L == 16) {
            FloatVector h = ((FloatVector) v.reinterpretShape(FloatVector.SPECIES_256, 0))
                    .add((FloatVector) v.reinterpretShape(FloatVector.SPECIES_256, 1));
            q = ((FloatVector) h.reinterpretShape(FloatVector.SPECIES_128, 0))
                    .add((FloatVector) h.reinterpretShape(FloatVector.SPECIES_128, 1));
        } else if (L == 8) {
            q = ((FloatVector) v.reinterpretShape(FloatVector.SPECIES_128, 0))
                    .add((FloatVector) v.reinterpretShape(FloatVector.SPECIES_128, 1));
        } else if (L == 2) {
            return v.lane(0) + v.lane(1);
        }
        return (q.lane(0) + q.lane(2)) + (q.lane(1) + q.lane(3));
    }

    /** Largest multiple of the vector length ≤ n (0 on the scalar path, so scalar tails do everything). */
    static int bound(int n) {
        return SCALAR ? 0 : S.loopBound(n);
    }

    /** The width in force: 0 on the scalar path, else the vector size in bits. */
    static int bits() {
        return SCALAR ? 0 : S.vectorBitSize();
    }

    static String describe() {
        return SCALAR ? "scalar loops (-D" + PROPERTY + "=0)" : S.vectorBitSize() + "-bit vectors, " + L + " float lanes";
    }
}
