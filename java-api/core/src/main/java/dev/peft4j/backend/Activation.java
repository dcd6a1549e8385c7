package dev.peft4j.backend;

/** Pointwise activations: adapters choose among them, the FFN uses GELU, the prefix MLP tanh. */
public enum Activation {
    /** f(z) = z */
    IDENTITY,
    /** f(z) = max(z, 0) */
    RELU,
    /** f(z) = z·Φ(z) = z/2·(1 + erf(z/√2)) (BERT, MiniLM) */
    GELU,
    /** f(z) = z/2·(1 + tanh(√(2/π)·(z + 0.044715 z³))) (GPT-2's gelu_new) */
    GELU_TANH,
    /** f(z) = z·σ(z) (swish / SiLU) */
    SWISH,
    /** f(z) = tanh(z) */
    TANH
}
