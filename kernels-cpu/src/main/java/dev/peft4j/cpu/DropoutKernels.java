package dev.peft4j.cpu;

import dev.peft4j.backend.DropoutHash;
import dev.peft4j.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Counter-hash dropout, bit-identical to {@link DropoutHash}: mask[i] = 1/(1−p) if uniform(seed, i) ≥ p else 0,
 * y = x ⊙ mask. The SplitMix64 hash runs in 64-bit vector lanes (8 per 512-bit vector). Since
 * uniform = (z ≫ 40)·2⁻²⁴ exactly, uniform ≥ p ⇔ (z ≫ 40) ≥ ⌈p·2²⁴⌉, an integer compare.
 */
final class DropoutKernels {
    private static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_256.length() == LS.length()
            ? FloatVector.SPECIES_256 : FloatVector.SPECIES_128;
    private static final boolean VECTOR = !Simd.SCALAR && FS.length() == LS.length();

    private DropoutKernels() {}

    static void forward(WorkerPool pool, Tensor x, float p, long seed, Tensor y, Tensor mask) {
        int n = (int) x.numel();
        // each array at its tensor's offset (tensors may wrap part of a caller's array); the hash uses index i
        float[] xv = x.array(), yv = y.array();
        int xo = x.offset(), yo = y.offset();
        float[] mv = mask == null ? null : mask.array();
        int mo = mask == null ? 0 : mask.offset();
        float keep = DropoutHash.keepScale(p);
        long threshold = (long) Math.ceil((double) p * 0x1.0p24);
        pool.parallelRange(n, 1 << 14, (from, to) -> {
            int i = from;
            if (VECTOR) {
                int lanes = LS.length();
                LongVector iota = LongVector.zero(LS).addIndex(1);
                FloatVector keepV = FloatVector.broadcast(FS, keep);
                FloatVector zero = FloatVector.zero(FS);
                for (; i + lanes <= to; i += lanes) {
                    LongVector z = iota.add(i + 1L).mul(0x9E3779B97F4A7C15L).add(seed);
                    z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(0xBF58476D1CE4E5B9L);
                    z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(0x94D049BB133111EBL);
                    z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31));
                    VectorMask<Float> kept = z.lanewise(VectorOperators.LSHR, 40)
                            .compare(VectorOperators.GE, threshold).cast(FS);
                    FloatVector m = zero.blend(keepV, kept);
                    if (mv != null) {
                        m.intoArray(mv, mo + i);
                    }
                    FloatVector.fromArray(FS, xv, xo + i).mul(m).intoArray(yv, yo + i);
                }
            }
            for (; i < to; i++) {
                float m = DropoutHash.uniform(seed, i) >= p ? keep : 0f;
                if (mv != null) {
                    mv[mo + i] = m;
                }
                yv[yo + i] = xv[xo + i] * m;
            }
        });
    }
}
