package dev.peft4j.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A frozen weight W {@code [out,in]} packed once as the right operand B' = Wᵀ {@code [in,out]} of {@link Sgemm},
 * in exactly the panels {@link Sgemm} would pack on every call: for each k block [pc, pc+kc) (k = in split as
 * Sgemm splits it) and each NR-wide column strip starting at column j, the kc × NR strip lies at
 * float index {@code pc·outPadded + j·kc}, outPadded = out rounded up to NR: in {@link #panels}, or where
 * {@link Sgemm#ALIGNED_PANELS} in {@link #alignedPanels} (off the heap, cache-line aligned). The off-heap panels
 * are freed when the last holder lets go ({@link #retain}, {@link #release}): the backend that prepared the weight
 * holds it until unprepare or close, and each forward that reads it holds it for the call.
 * Used for y = x Wᵀ + b when out is wider than one vector (the wide micro-kernel); a narrower W is not packed.
 */
final class PackedWeight {
    /** The panels on the heap, or null. */
    final float[] panels;
    /** The panels off the heap and aligned, or null. */
    final MemorySegment alignedPanels;
    final int out;
    final int in;
    private final int outPadded;
    /** The off-heap panels' arena, or null. */
    private final Arena arena;
    /** Holders: the preparing backend, and forwards in flight. */
    private int holders = 1;

    private PackedWeight(float[] panels, Arena arena, MemorySegment alignedPanels, int out, int in, int outPadded) {
        this.panels = panels;
        this.arena = arena;
        this.alignedPanels = alignedPanels;
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
        float[] panels = new float[Math.multiplyExact(outPadded, in)];
        int kcEven = Sgemm.kBlock(in);
        for (int pc = 0; pc < in; pc += kcEven) {
            int kc = Math.min(kcEven, in - pc);
            for (int j = 0; j < out; j += nr) {
                right.pack(j, Math.min(nr, out - j), nr, pc, kc, panels, pc * outPadded + j * kc);
            }
        }
        if (!Sgemm.ALIGNED_PANELS) {
            return new PackedWeight(panels, null, null, out, in, outPadded);
        }
        Arena arena = Arena.ofShared(); // read by the pool's workers
        MemorySegment aligned = arena.allocate(4L * panels.length, Sgemm.PANEL_ALIGNMENT);
        MemorySegment.copy(panels, 0, aligned, HostFloats.FLOAT, 0, panels.length);
        return new PackedWeight(null, arena, aligned, out, in, outPadded);
    }

    /** One more holder (only while another holds it: its creator starts as the first). */
    synchronized PackedWeight retain() {
        if (holders == 0) {
            throw new IllegalStateException("packed weight already released");
        }
        holders++;
        return this;
    }

    /** One holder fewer; the last frees the off-heap panels. */
    synchronized void release() {
        if (holders == 0) {
            throw new IllegalStateException("packed weight released more often than held");
        }
        if (--holders == 0 && arena != null) {
            arena.close();
        }
    }

    /** Whether the panels can still be read (false once the last holder released off-heap ones). */
    boolean readable() {
        return alignedPanels == null || alignedPanels.scope().isAlive();
    }

    /** Index in {@link #panels} of the strip of k block pc (of depth kc) starting at column j (a multiple of NR). */
    int strip(int pc, int kc, int j) {
        return pc * outPadded + j * kc;
    }

    long bytes() {
        return panels != null ? 4L * panels.length : alignedPanels.byteSize();
    }
}
