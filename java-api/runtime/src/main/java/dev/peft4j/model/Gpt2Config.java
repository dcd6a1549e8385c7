package dev.peft4j.model;

import dev.peft4j.backend.Activation;

/** The shape of a GPT-2-style decoder (pre-LN, learned positions, LM head tied to the token embedding). */
public record Gpt2Config(int vocabSize, int hidden, int layers, int heads, int intermediate, int maxPositions,
                         float layerNormEps, Activation activation, float dropout) {
    public Gpt2Config {
        if (vocabSize < 1 || hidden < 1 || layers < 1 || heads < 1 || intermediate < 1 || maxPositions < 1) {
            throw new IllegalArgumentException("every GPT-2 size must be ≥ 1: vocab " + vocabSize + ", hidden " + hidden
                    + ", layers " + layers + ", heads " + heads + ", intermediate " + intermediate + ", positions " + maxPositions);
        }
        if (hidden % heads != 0) {
            throw new IllegalArgumentException("hidden " + hidden + " is not a multiple of heads " + heads);
        }
        if (!(layerNormEps > 0) || !Float.isFinite(layerNormEps)) {
            throw new IllegalArgumentException("layerNormEps must be finite and > 0, got " + layerNormEps);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must lie in [0, 1), got " + dropout);
        }
        if (activation == null) {
            throw new IllegalArgumentException("activation is null");
        }
    }

    /** GPT-2 small: 12 layers, hidden 768, 12 heads, FFN 3072, vocab 50257, 1024 positions, gelu_new. */
    public static Gpt2Config gpt2Small() {
        return new Gpt2Config(50257, 768, 12, 12, 3072, 1024, 1e-5f, Activation.GELU_TANH, 0.1f);
    }
}
