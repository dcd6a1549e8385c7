package dev.peft4j.model;

/**
 * A tokenised batch: ids, token types and attention mask, each {@code [B·T]} row-major (mask 1 = token,
 * 0 = padding), and one label per sequence (or null when predicting).
 */
public record Batch(int batch, int seqLen, int[] ids, int[] types, float[] mask, int[] labels) {
    public Batch {
        int n = batch * seqLen;
        if (batch < 1 || seqLen < 1) {
            throw new IllegalArgumentException("a batch needs B ≥ 1 and T ≥ 1, got " + batch + " × " + seqLen);
        }
        if (ids == null || ids.length != n) {
            throw new IllegalArgumentException("ids must have B·T = " + n + " entries, got " + (ids == null ? "null" : ids.length));
        }
        if (types != null && types.length != n) {
            throw new IllegalArgumentException("types must have " + n + " entries, got " + types.length);
        }
        if (mask != null && mask.length != n) {
            throw new IllegalArgumentException("mask must have " + n + " entries, got " + mask.length);
        }
        if (labels != null && labels.length != batch) {
            throw new IllegalArgumentException("labels must have B = " + batch + " entries, got " + labels.length);
        }
    }
}
