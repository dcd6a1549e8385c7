package dev.peft4j.cpu;

import dev.peft4j.backend.Activation;
import dev.peft4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One GEMM operand seen as a logical matrix M[outer][p], p running along the product's k dimension: for the left
 * operand M = op(A) {@code [m,k]}, for the right operand M[j][p] = op(B)[p][j]. It is a concatenation along k of
 * segments, each an array view with strides, a scale, an optional elementwise mask (same indexing as the data)
 * and an optional activation: element = scale·f(data[i])·mask[i]. Packing applies all of that, so the fused
 * kernels (LoRA's augmented K, dropout masks, the adapter's f(z)) cost nothing inside the micro-kernel.
 */
final class GemmOperand {
    /** data is null when the elements live in the off-heap {@code nat} (element i at byte 4·i; no mask then). */
    record Segment(float[] data, MemorySegment nat, int offset, int outerStride, int kStride, int kLength,
                   float scale, float[] mask, Activation act) {}

    private final Segment[] segments;
    private final int k;

    private GemmOperand(Segment... segments) {
        this.segments = segments;
        int total = 0;
        for (Segment s : segments) {
            total += s.kLength();
        }
        this.k = total;
    }

    /** op(A) {@code [m,k]} of a row-major A stored {@code [m,k]} (trans false) or {@code [k,m]} (trans true), leading dimension ld. */
    static GemmOperand left(float[] data, int offset, boolean trans, int ld, int k) {
        return trans ? new GemmOperand(new Segment(data, null, offset, 1, ld, k, 1f, null, null))
                : new GemmOperand(new Segment(data, null, offset, ld, 1, k, 1f, null, null));
    }

    /** op(B) {@code [k,n]} of a row-major B stored {@code [k,n]} (trans false) or {@code [n,k]} (trans true), leading dimension ld. */
    static GemmOperand right(float[] data, int offset, boolean trans, int ld, int k) {
        return trans ? new GemmOperand(new Segment(data, null, offset, ld, 1, k, 1f, null, null))
                : new GemmOperand(new Segment(data, null, offset, 1, ld, k, 1f, null, null));
    }

    /** {@link #left(float[], int, boolean, int, int)} of a host tensor's floats, read in place (array or off-heap). */
    static GemmOperand left(Tensor t, boolean trans, int ld, int k) {
        return HostFloats.isSegment(t) ? nativeOperand(HostFloats.of(t), !trans, ld, k)
                : left(t.array(), t.offset(), trans, ld, k);
    }

    /** {@link #right(float[], int, boolean, int, int)} of a host tensor's floats, read in place (array or off-heap). */
    static GemmOperand right(Tensor t, boolean trans, int ld, int k) {
        return HostFloats.isSegment(t) ? nativeOperand(HostFloats.of(t), trans, ld, k)
                : right(t.array(), t.offset(), trans, ld, k);
    }

    /** kAlongRows: element (outer, p) at outer·ld + p, else at p·ld + outer. */
    private static GemmOperand nativeOperand(HostFloats f, boolean kAlongRows, int ld, int k) {
        MemorySegment seg = ((HostFloats.InSegment) f).segment();
        return kAlongRows ? new GemmOperand(new Segment(null, seg, 0, ld, 1, k, 1f, null, null))
                : new GemmOperand(new Segment(null, seg, 0, 1, ld, k, 1f, null, null));
    }

    int k() {
        return k;
    }

    /**
     * The first segment when it is a plain row-major matrix (k stride 1, scale 1, no mask or activation), in an array
     * or off-heap, else null.
     */
    Segment plainLead() {
        Segment s = segments[0];
        return s.kStride() == 1 && s.scale() == 1f && s.mask() == null && s.act() == null ? s : null;
    }

    /**
     * Copies rows [row0, row0+count) × k steps [p0, p0+kd) of an off-heap plain row-major segment into dst as a
     * row-major [count, kd] block (one bulk copy per row), the layout the micro-kernel reads in place.
     */
    static void copyRows(Segment seg, int row0, int count, int p0, int kd, float[] dst) {
        long os = seg.outerStride();
        long base = seg.offset() + row0 * os + p0;
        for (int r = 0; r < count; r++) {
            MemorySegment.copy(seg.nat(), HostFloats.FLOAT, 4 * (base + r * os), dst, r * kd, kd);
        }
    }

    /** Every element multiplied by s. */
    GemmOperand scaled(float s) {
        return map(seg -> new Segment(seg.data(), seg.nat(), seg.offset(), seg.outerStride(), seg.kStride(), seg.kLength(),
                seg.scale() * s, seg.mask(), seg.act()));
    }

    /** Every element multiplied by mask at the same index (mask has the data's layout); null: unchanged. */
    GemmOperand masked(float[] mask) {
        if (mask == null) {
            return this;
        }
        for (Segment seg : segments) {
            if (seg.nat() != null) {
                throw new IllegalStateException("a masked GEMM operand must be a Java array (stage it first)");
            }
        }
        return map(seg -> new Segment(seg.data(), seg.nat(), seg.offset(), seg.outerStride(), seg.kStride(), seg.kLength(),
                seg.scale(), mask, seg.act()));
    }

    /** f applied to every stored element before scale and mask. */
    GemmOperand activated(Activation f) {
        Activation a = f == Activation.IDENTITY ? null : f;
        return map(seg -> new Segment(seg.data(), seg.nat(), seg.offset(), seg.outerStride(), seg.kStride(), seg.kLength(),
                seg.scale(), seg.mask(), a));
    }

    /** [this, other] along k. */
    GemmOperand concat(GemmOperand other) {
        Segment[] all = Arrays.copyOf(segments, segments.length + other.segments.length);
        System.arraycopy(other.segments, 0, all, segments.length, other.segments.length);
        return new GemmOperand(all);
    }

    /** The same operand moved by delta elements in every segment's data (batched products). */
    GemmOperand shifted(int delta) {
        return map(seg -> new Segment(seg.data(), seg.nat(), seg.offset() + delta, seg.outerStride(), seg.kStride(), seg.kLength(),
                seg.scale(), seg.mask(), seg.act()));
    }

    private GemmOperand map(java.util.function.UnaryOperator<Segment> f) {
        Segment[] out = new Segment[segments.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = f.apply(segments[i]);
        }
        return new GemmOperand(out);
    }

    /**
     * Packs M[outer0 .. outer0+count)[p0 .. p0+kc) as dst[dstOff + p·width + r] (r &lt; width; rows count..width
     * are zero), the layout the micro-kernel streams.
     */
    void pack(int outer0, int count, int width, int p0, int kc, float[] dst, int dstOff) {
        int segStart = 0;
        for (Segment seg : segments) {
            int lo = Math.max(p0, segStart);
            int hi = Math.min(p0 + kc, segStart + seg.kLength());
            if (lo < hi) {
                packSegment(seg, outer0, count, width, lo - segStart, hi - lo, dst, dstOff + (lo - p0) * width);
            }
            segStart += seg.kLength();
        }
    }

    private static void packSegment(Segment seg, int outer0, int count, int width, int pStart, int kLen,
                                    float[] dst, int dstOff) {
        if (count < width) {
            for (int p = 0; p < kLen; p++) {
                Arrays.fill(dst, dstOff + p * width + count, dstOff + p * width + width, 0f);
            }
        }
        if (seg.nat() != null) {
            packNative(seg, outer0, count, width, pStart, kLen, dst, dstOff);
            return;
        }
        float[] data = seg.data();
        float[] mask = seg.mask();
        Activation act = seg.act();
        float scale = seg.scale();
        int os = seg.outerStride();
        int ks = seg.kStride();
        int base = seg.offset() + outer0 * os + pStart * ks;
        boolean plain = mask == null && act == null;
        if (ks == 1) {
            for (int r = 0; r < count; r++) {
                int src = base + r * os;
                int d = dstOff + r;
                if (plain) {
                    for (int p = 0; p < kLen; p++) {
                        dst[d + p * width] = scale * data[src + p];
                    }
                } else {
                    for (int p = 0; p < kLen; p++) {
                        dst[d + p * width] = element(data, mask, act, scale, src + p);
                    }
                }
            }
        } else if (os == 1 && plain) {
            for (int p = 0; p < kLen; p++) {
                VectorLoops.scaleCopy(data, base + p * ks, scale, dst, dstOff + p * width, count);
            }
        } else {
            for (int p = 0; p < kLen; p++) {
                int src = base + p * ks;
                int d = dstOff + p * width;
                for (int r = 0; r < count; r++) {
                    dst[d + r] = element(data, mask, act, scale, src + r * os);
                }
            }
        }
    }

    /** {@link #packSegment} of an off-heap segment: the same layout, elements read from the segment (no mask). */
    private static void packNative(Segment seg, int outer0, int count, int width, int pStart, int kLen,
                                   float[] dst, int dstOff) {
        MemorySegment nat = seg.nat();
        Activation act = seg.act();
        float scale = seg.scale();
        long os = seg.outerStride();
        long ks = seg.kStride();
        long base = seg.offset() + outer0 * os + pStart * ks;
        if (ks == 1) { // rows along k: each row read straight from the segment and interleaved
            for (int r = 0; r < count; r++) {
                long src = base + r * os;
                int d = dstOff + r;
                if (act == null) { // the plain case as its own loop, like the array path's
                    for (int p = 0; p < kLen; p++) {
                        dst[d + p * width] = scale * nat.getAtIndex(HostFloats.FLOAT, src + p);
                    }
                } else {
                    for (int p = 0; p < kLen; p++) {
                        dst[d + p * width] = scale * ScalarMath.activation(act, nat.getAtIndex(HostFloats.FLOAT, src + p));
                    }
                }
            }
            return;
        }
        for (int p = 0; p < kLen; p++) {
            long src = base + p * ks;
            int d = dstOff + p * width;
            for (int r = 0; r < count; r++) {
                float v = nat.getAtIndex(HostFloats.FLOAT, src + r * os);
                dst[d + r] = scale * (act == null ? v : ScalarMath.activation(act, v));
            }
        }
    }

    private static float element(float[] data, float[] mask, Activation act, float scale, int i) {
        float v = act == null ? data[i] : ScalarMath.activation(act, data[i]);
        v *= scale;
        return mask == null ? v : v * mask[i];
    }
}
