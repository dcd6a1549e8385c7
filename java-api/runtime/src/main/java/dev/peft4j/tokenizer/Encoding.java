package dev.peft4j.tokenizer;

import java.util.List;

/**
 * One encoded text (or text pair): token ids with their segment ids and attention mask (1 for real tokens,
 * 0 for padding), and the token strings.
 */
public record Encoding(int[] ids, int[] typeIds, int[] attentionMask, List<String> tokens) {
    public int length() {
        return ids.length;
    }
}
