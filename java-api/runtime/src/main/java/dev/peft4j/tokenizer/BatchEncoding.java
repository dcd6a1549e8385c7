package dev.peft4j.tokenizer;

/**
 * A padded batch: {@code [batch][length]} input ids, attention mask (1 real, 0 padding) and token type ids.
 */
public record BatchEncoding(int[][] inputIds, int[][] attentionMask, int[][] tokenTypeIds) {
    public int batchSize() {
        return inputIds.length;
    }

    public int sequenceLength() {
        return inputIds.length == 0 ? 0 : inputIds[0].length;
    }

    /** The input ids row-major as one {@code [batch·length]} array, as the runtime takes them. */
    public int[] flatInputIds() {
        return flatten(inputIds);
    }

    /** The token type ids row-major as one {@code [batch·length]} array. */
    public int[] flatTokenTypeIds() {
        return flatten(tokenTypeIds);
    }

    /** The attention mask row-major as floats (1 real, 0 padding), the key mask of a forward pass. */
    public float[] flatAttentionMask() {
        int[] m = flatten(attentionMask);
        float[] out = new float[m.length];
        for (int i = 0; i < m.length; i++) {
            out[i] = m[i];
        }
        return out;
    }

    private static int[] flatten(int[][] rows) {
        int t = sequenceLengthOf(rows);
        int[] out = new int[rows.length * t];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, out, i * t, t);
        }
        return out;
    }

    private static int sequenceLengthOf(int[][] rows) {
        return rows.length == 0 ? 0 : rows[0].length;
    }
}
