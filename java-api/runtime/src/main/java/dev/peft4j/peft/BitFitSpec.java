package dev.peft4j.peft;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * BitFit on one layer: the (non-empty) set of bias kinds to train. {@link #ALL} trains every bias of the layer
 * (7·d + f values); {@link #QUERY_FFN_IN} is the BitFit paper's small subset (query bias and FFN-in bias, d + f).
 */
public record BitFitSpec(Set<BitFitBias> biases) {
    public static final BitFitSpec ALL = new BitFitSpec(EnumSet.allOf(BitFitBias.class));
    public static final BitFitSpec QUERY_FFN_IN = new BitFitSpec(EnumSet.of(BitFitBias.QUERY, BitFitBias.FFN_IN));

    public BitFitSpec {
        if (biases == null || biases.isEmpty() || biases.contains(null)) {
            throw new IllegalArgumentException("BitFit needs a non-empty set of bias kinds, got " + biases);
        }
        biases = Collections.unmodifiableSet(EnumSet.copyOf(biases));
    }

    public static BitFitSpec of(BitFitBias first, BitFitBias... rest) {
        return new BitFitSpec(EnumSet.of(first, rest));
    }

    public boolean all() {
        return biases.size() == BitFitBias.values().length;
    }

    public boolean contains(BitFitBias b) {
        return biases.contains(b);
    }

    /** Trainable values per layer: the sum of the selected kinds' widths. */
    public long count(long d, long f) {
        long n = 0;
        for (BitFitBias b : biases) {
            n += b.width(d, f);
        }
        return n;
    }
}
