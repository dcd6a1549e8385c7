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
}
