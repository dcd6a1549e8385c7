package dev.peft4j.model;

import dev.peft4j.tensor.Tensor;

/**
 * What one forward pass needs besides its input: batch geometry, the key mask {@code [B,T]} on the backend's
 * device (1 = token, 0 = padding; null = no padding), whether it is a training pass (dropout on), the seed
 * from which every dropout site derives its own mask, and, for an inference pass of the encoder, which rows to
 * compute ({@link PackedRows}; null = all B·T).
 *
 * <p>A packed pass computes the N = Σ lengths real rows only; the key mask must then be 1 exactly on each
 * sequence's first {@code length(b)} tokens. It has no backward: packing is for inference.
 */
public record Pass(int batch, int seqLen, Tensor keyMask, boolean training, long seed, PackedRows packing) {
    public Pass {
        if (batch < 1 || seqLen < 1) {
            throw new IllegalArgumentException("a pass needs batch ≥ 1 and seqLen ≥ 1, got " + batch + " × " + seqLen);
        }
        if (packing != null) {
            if (packing.batch() != batch || packing.seqLen() != seqLen) {
                throw new IllegalArgumentException("the packing is for " + packing.batch() + " × " + packing.seqLen()
                        + " rows but the pass is " + batch + " × " + seqLen);
            }
            if (training) {
                throw new IllegalArgumentException("a packed pass has no backward: pack inference passes only");
            }
            if (keyMask == null && !packing.full()) {
                throw new IllegalArgumentException("a packed pass with padding needs the key mask");
            }
        }
    }

    /** A pass that computes every row of {@code [B,T]}. */
    public Pass(int batch, int seqLen, Tensor keyMask, boolean training, long seed) {
        this(batch, seqLen, keyMask, training, seed, null);
    }

    /** An inference pass that computes only the real rows of sequences padded to T (see {@link PackedRows}). */
    public static Pass packed(PackedRows packing, Tensor keyMask) {
        return new Pass(packing.batch(), packing.seqLen(), keyMask, false, 0L, packing);
    }

    /**
     * An inference pass over {@code [B,T]} with host mask {@code mask} (on the device as {@code keyMask}; both may
     * be null): packed when every sequence is some tokens then padding and some are padded, else over every row.
     */
    public static Pass inference(int batch, int seqLen, float[] mask, Tensor keyMask) {
        PackedRows packing = PackedRows.ofMask(mask, batch, seqLen);
        return packing == null || packing.full() ? new Pass(batch, seqLen, keyMask, false, 0L)
                : packed(packing, keyMask);
    }

    /** B·T, the rows of the padded batch (its ids, its output). */
    public int tokens() {
        return batch * seqLen;
    }

    /** A distinct dropout seed for each site (layer × position in the layer) of this pass. */
    public long siteSeed(int layer, int site) {
        return seed * 0x9E3779B97F4A7C15L + layer * 1_000_003L + site;
    }
}
