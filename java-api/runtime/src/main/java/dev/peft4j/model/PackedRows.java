package dev.peft4j.model;

import java.util.Arrays;

/**
 * Which rows of a padded batch {@code [B,T]} an inference pass computes: sequence b is its first {@code lengths[b]}
 * tokens, the rest padding. A packed pass runs every row-wise layer (projections, LoRA, adapters, LayerNorm, FFN) on
 * the N = Σ lengths real rows only, {@code [N,d]}, and lays q, k, v out as {@code [B,T,d]} just for the attention
 * kernel, so padding costs nothing outside attention. Packed row r is a padded row b·T + t; each padded row reads a
 * packed row (a padding row reads its sequence's first token: the key mask hides it, and what attention writes for it
 * is dropped).
 */
public final class PackedRows {
    private final int batch;
    private final int seqLen;
    private final int[] paddedRowOf; // [N]: b·T + t of packed row r
    private final int[] packedRowOf; // [B·T]: the packed row that padded row b·T + t reads

    private PackedRows(int batch, int seqLen, int[] lengths) {
        this.batch = batch;
        this.seqLen = seqLen;
        int n = Arrays.stream(lengths).sum();
        paddedRowOf = new int[n];
        packedRowOf = new int[batch * seqLen];
        int r = 0;
        for (int b = 0; b < batch; b++) {
            int first = r;
            for (int t = 0; t < seqLen; t++) {
                if (t < lengths[b]) {
                    paddedRowOf[r] = b * seqLen + t;
                    packedRowOf[b * seqLen + t] = r++;
                } else {
                    packedRowOf[b * seqLen + t] = first;
                }
            }
        }
    }

    /**
     * The rows of sequences of the given lengths padded to {@code seqLen}; every length must lie in
     * {@code [1, seqLen]}.
     */
    public static PackedRows of(int[] lengths, int seqLen) {
        if (lengths == null || lengths.length == 0) {
            throw new IllegalArgumentException("packing needs at least one sequence length");
        }
        if (seqLen < 1) {
            throw new IllegalArgumentException("packing needs a padded length T ≥ 1, got " + seqLen);
        }
        for (int b = 0; b < lengths.length; b++) {
            if (lengths[b] < 1 || lengths[b] > seqLen) {
                throw new IllegalArgumentException("sequence " + b + " has length " + lengths[b]
                        + ", outside [1, " + seqLen + "] (the padded length)");
            }
        }
        return new PackedRows(lengths.length, seqLen, lengths);
    }

    /**
     * The packing of a host key mask {@code [B·T]} (1 = token, 0 = padding), or null when the mask is not of that
     * form: every row some tokens, then only padding.
     */
    public static PackedRows ofMask(float[] mask, int batch, int seqLen) {
        if (mask == null || mask.length != batch * seqLen) {
            return null;
        }
        int[] lengths = new int[batch];
        for (int b = 0; b < batch; b++) {
            int len = 0;
            while (len < seqLen && mask[b * seqLen + len] != 0f) {
                len++;
            }
            for (int t = len; t < seqLen; t++) {
                if (mask[b * seqLen + t] != 0f) {
                    return null;
                }
            }
            if (len == 0) {
                return null;
            }
            lengths[b] = len;
        }
        return new PackedRows(batch, seqLen, lengths);
    }

    public int batch() {
        return batch;
    }

    public int seqLen() {
        return seqLen;
    }

    /** N, the rows a packed pass computes: the sequences' lengths summed. */
    public int rows() {
        return paddedRowOf.length;
    }

    /** True when no sequence is padded, so packing would change nothing. */
    public boolean full() {
        return rows() == batch * seqLen;
    }

    /** For each packed row r {@code [N]}: its padded row b·T + t (shared; do not modify). */
    int[] paddedRows() {
        return paddedRowOf;
    }

    /** For each padded row {@code [B·T]}: the packed row it reads (shared; do not modify). */
    int[] packedRows() {
        return packedRowOf;
    }

    /** values {@code [B·T]} at the packed rows, {@code [N]}. */
    int[] pack(int[] values) {
        int[] out = new int[rows()];
        for (int r = 0; r < out.length; r++) {
            out[r] = values[paddedRowOf[r]];
        }
        return out;
    }

    /** offset + t for each packed row {@code [N]}: the position id of token t of its sequence. */
    int[] positions(int offset) {
        int[] out = new int[rows()];
        for (int r = 0; r < out.length; r++) {
            out[r] = offset + paddedRowOf[r] % seqLen;
        }
        return out;
    }
}
