package dev.peft4j.model;

/** How a sequence classifier turns token states {@code [B,T,d]} into one vector per sequence. */
public enum Pooling {
    /** Mean over the non-padding tokens (all-MiniLM-L6-v2). */
    MEAN,
    /** The first token's state ([CLS]; bge-small). */
    CLS
}
