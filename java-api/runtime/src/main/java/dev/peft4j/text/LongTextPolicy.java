package dev.peft4j.text;

/** What a {@link TextEncoder} does with a text longer than the model's 510 word pieces (512 with [CLS] and [SEP]). */
public enum LongTextPolicy {
    /**
     * Split the word pieces into consecutive parts of at most 510, never inside a word (a part ends before a
     * {@code ##} continuation), embed each part with its own [CLS] and [SEP], average the parts' pooled vectors
     * weighted by their word-piece counts, then normalise: what langchain4j's in-process encoders do.
     */
    SPLIT,
    /** Keep the first 510 word pieces. */
    TRUNCATE,
    /** Refuse the text with an {@link IllegalArgumentException} naming its length. */
    FAIL
}
