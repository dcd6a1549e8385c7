package dev.peft4j.text;

/**
 * Embeddings of a list of texts: {@code vectors[i]} is text i's L2-normalised embedding, {@code tokenCounts[i]} its
 * length in word pieces including [CLS] and [SEP] (before any split or truncation, as langchain4j counts).
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
