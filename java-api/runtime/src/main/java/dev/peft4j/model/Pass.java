package dev.peft4j.model;

import dev.peft4j.tensor.Tensor;

/**
 * What one forward pass needs besides its input: batch geometry, the key mask {@code [B,T]} on the backend's
 * device (1 = token, 0 = padding; null = no padding), whether it is a training pass (dropout on), and the seed
 * from which every dropout site derives its own mask.
 */
public record Pass(int batch, int seqLen, Tensor keyMask, boolean training, long seed) {
    public Pass {
        if (batch < 1 || seqLen < 1) {
            throw new IllegalArgumentException("a pass needs batch ≥ 1 and seqLen ≥ 1, got " + batch + " × " + seqLen);
        }
    }

    public int tokens() {
        return batch * seqLen;
    }

    /** A distinct dropout seed for each site (layer × position in the layer) of this pass. */
    public long siteSeed(int layer, int site) {
        return seed * 0x9E3779B97F4A7C15L + layer * 1_000_003L + site;
    }
}
