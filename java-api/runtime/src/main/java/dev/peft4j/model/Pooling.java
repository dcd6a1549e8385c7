package dev.peft4j.model;

/** How a sequence classifier turns token states {@code [B,T,d]} into one vector per sequence. */
public enum Pooling {
    /** Mean over the non-padding tokens (all-MiniLM-L6-v2). */
    MEAN,
    /** The first token's state ([CLS]; bge-small). */
    CLS,
    /**
     * The first token's state through the checkpoint's pooler, tanh(h_cls W_pᵀ + b_p) with W_p {@code [d,d]} from
     * {@code pooler.dense.weight/bias}, frozen: what transformers' BertForSequenceClassification feeds its head.
     */
    POOLER
}
