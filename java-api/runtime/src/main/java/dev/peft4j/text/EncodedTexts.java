package dev.peft4j.text;

/**
 * Embeddings of a list of texts: {@code vectors[i]} is text i's L2-normalised embedding, {@code tokenCounts[i]} its
 * count of word pieces the embedding covers (without [CLS] and [SEP]; after the tokenizer's declared truncation
 * under {@link LongTextPolicy#TOKENIZER}, as langchain4j's in-process models count them).
 */
public record EncodedTexts(float[][] vectors, int[] tokenCounts) {
    /** The total of {@link #tokenCounts()}. */
    public long totalTokens() {
        long total = 0;
        for (int c : tokenCounts) {
            total += c;
        }
        return total;
    }
}
