package dev.peft4j.tokenizer;

/** How a batch is padded: to its longest member, or always to the maximum length. */
public enum Padding {
    LONGEST, MAX_LENGTH
}
