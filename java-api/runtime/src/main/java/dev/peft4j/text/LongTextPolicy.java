package dev.peft4j.text;

/**
 * How a {@link TextEncoder} fits a text to the model: BERT takes at most 510 word pieces at once (512 positions with
 * [CLS] and [SEP]), and a tokenizer.json may declare a shorter truncation (all-MiniLM-L6-v2's says 128 tokens).
 */
public enum LongTextPolicy {
    /**
     * As Hugging Face's tokenizer and langchain4j's in-process encoders do (the default): first truncate to the length
     * the tokenizer.json declares, if any; then, should more than 510 word pieces remain (a tokenizer without a
     * declared truncation, such as bge-small's), {@link #SPLIT} them.
     */
    TOKENIZER,
    /**
     * Embed the whole text, whatever the tokenizer declares: split its word pieces into consecutive parts of at most
     * 510, never inside a word (a part ends before a {@code ##} continuation), embed each part with its own [CLS] and
     * [SEP], average the parts' pooled vectors weighted by their word-piece counts, then normalise.
     */
    SPLIT,
    /** Keep the first 510 word pieces, whatever the tokenizer declares. */
    TRUNCATE,
    /** Refuse a text over 510 word pieces with an {@link IllegalArgumentException} naming its length. */
    FAIL
}
