package dev.peft4j.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A frozen weight W {@code [out,in]} packed once as the right operand B' = Wᵀ {@code [in,out]} of {@link Sgemm},
 * in exactly the panels {@link Sgemm} would pack on every call: for each k block [pc, pc+kc) (k = in split as
 * Sgemm splits it) and each NR-wide column strip starting at column j, the kc × NR strip lies at
 * float index {@code pc·outPadded + j·kc} of {@link #panels}, outPadded = out rounded up to NR. The panels lie off
 * the heap, cache-line aligned as {@link Sgemm}'s own ({@link Sgemm#PANEL_ALIGNMENT}), and are freed by the GC
 * once the weight is unreachable. Used for y = x Wᵀ + b when out is wider
 * than one vector (the wide micro-kernel); a narrower W is not packed.
 */
final class PackedWeight {
    final MemorySegment panels;
    final int out;
    final int in;
    private final int outPadded;

    private PackedWeight(MemorySegment panels, int out, int in, int outPadded) {
        this.panels = panels;
        this.out = out;
        this.in = in;
        this.outPadded = outPadded;
    }

    /** Packs W (row-major {@code [out,in]} at offset wo of w); null when out ≤ one vector (not packable). */
    static PackedWeight of(float[] w, int wo, int out, int in) {
        if (out <= Sgemm.NR_NARROW || in == 0) {
            return null;
        }
        GemmOperand right = GemmOperand.right(w, wo, true, in, in);
        int nr = Sgemm.NR;
        int outPadded = (out + nr - 1) / nr * nr;
        MemorySegment panels = Arena.ofAuto().allocate(4L * Math.multiplyExact(outPadded, in), Sgemm.PANEL_ALIGNMENT);
        int kcEven = Sgemm.kBlock(in);
        float[] strip = new float[kcEven * nr];
        for (int pc = 0; pc < in; pc += kcEven) {
            int kc = Math.min(kcEven, in - pc);
            for (int j = 0; j < out; j += nr) {
                right.pack(j, Math.min(nr, out - j), nr, pc, kc, strip, 0);
                MemorySegment.copy(strip, 0, panels, ValueLayout.JAVA_FLOAT, 4L * ((long) pc * outPadded + (long) j * kc), nr * kc);
            }
        }
        return new PackedWeight(panels, out, in, outPadded);
    }

    /** Float index in {@link #panels} of the strip of k block pc (of depth kc) starting at column j (a multiple of NR). */
    long strip(int pc, int kc, int j) {
        return (long) pc * outPadded + (long) j * kc;
    }

    long bytes() {
        return panels.byteSize();
    }
}
