package dev.peft4j.peft;

/**
 * The bias kinds of one transformer layer that BitFit can train. LAYER_NORM stands for both LayerNorms' β
 * (after attention and after the FFN in BERT; ln_1 and ln_2 in GPT-2). Widths: d for all but FFN_IN (f), and
 * 2·d for LAYER_NORM.
 */
public enum BitFitBias {
    QUERY, KEY, VALUE, ATTENTION_OUTPUT, FFN_IN, FFN_OUT, LAYER_NORM;

    /** Trainable values of this kind in one layer of hidden size d and FFN size f. */
    public long width(long d, long f) {
        return switch (this) {
            case QUERY, KEY, VALUE, ATTENTION_OUTPUT, FFN_OUT -> d;
            case FFN_IN -> f;
            case LAYER_NORM -> 2 * d;
        };
    }
}
