package dev.peft4j.model;

import dev.peft4j.backend.Activation;

/** The shape of a BERT-style encoder. */
public record BertConfig(int vocabSize, int hidden, int layers, int heads, int intermediate, int maxPositions,
                         int typeVocabSize, float layerNormEps, Activation activation, float hiddenDropout,
                         Pooling pooling) {
    public BertConfig {
        positive("vocabSize", vocabSize);
        positive("hidden", hidden);
        positive("layers", layers);
        positive("heads", heads);
        positive("intermediate", intermediate);
        positive("maxPositions", maxPositions);
        if (typeVocabSize < 0) {
            throw new IllegalArgumentException("typeVocabSize must be ≥ 0, got " + typeVocabSize);
        }
        if (hidden % heads != 0) {
            throw new IllegalArgumentException("hidden " + hidden + " is not a multiple of heads " + heads);
        }
        if (!(layerNormEps > 0) || !Float.isFinite(layerNormEps)) {
            throw new IllegalArgumentException("layerNormEps must be finite and > 0, got " + layerNormEps);
        }
        if (!(hiddenDropout >= 0 && hiddenDropout < 1)) {
            throw new IllegalArgumentException("hiddenDropout must lie in [0, 1), got " + hiddenDropout);
        }
        if (activation == null || pooling == null) {
            throw new IllegalArgumentException("activation and pooling must be given");
        }
    }

    /** all-MiniLM-L6-v2: 6 layers, hidden 384, 12 heads, FFN 1536, vocab 30522, mean pooling. */
    public static BertConfig miniLmL6() {
        return new BertConfig(30522, 384, 6, 12, 1536, 512, 2, 1e-12f, Activation.GELU, 0.1f, Pooling.MEAN);
    }

    /** bge-small-en-v1.5: 12 layers, hidden 384, 12 heads, FFN 1536, CLS pooling. */
    public static BertConfig bgeSmall() {
        return new BertConfig(30522, 384, 12, 12, 1536, 512, 2, 1e-12f, Activation.GELU, 0.1f, Pooling.CLS);
    }

    private static void positive(String name, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be ≥ 1, got " + v);
        }
    }
}
