package dev.peft4j.train;

import dev.peft4j.model.Batch;
import java.util.Arrays;
import java.util.List;

/**
 * Packs B pairs into one {@link Batch} of 2B sequences for {@link dev.peft4j.model.ContrastiveObjective}: the B
 * anchors first, then the B positives in the same order, all padded with {@code padId} (mask 0) to the longest of the
 * 2B; token types all 0; the labels carry the pairs' groups (anchors then positives), or are null when no pair has
 * one.
 */
public final class PairBatcher {
    private final int padId;

    public PairBatcher(int padId) {
        this.padId = padId;
    }

    /** The batch of pairs[order[from .. to)]. */
    public Batch batch(List<EncodedPair> pairs, int[] order, int from, int to) {
        int b = to - from;
        if (b < 1) {
            throw new IllegalArgumentException("an empty range [" + from + ", " + to + ")");
        }
        int t = 1;
        for (int i = from; i < to; i++) {
            EncodedPair p = pairs.get(order[i]);
            t = Math.max(t, Math.max(p.anchorIds().length, p.positiveIds().length));
        }
        int[] groups = null;
        for (int i = from; i < to; i++) {
            if (pairs.get(order[i]).group() >= 0) {
                groups = new int[2 * b];
                for (int k = 0; k < b; k++) {
                    groups[k] = groups[b + k] = pairs.get(order[from + k]).group();
                }
                break;
            }
        }
        int[] ids = new int[2 * b * t];
        float[] mask = new float[2 * b * t];
        Arrays.fill(ids, padId);
        for (int i = 0; i < b; i++) {
            EncodedPair p = pairs.get(order[from + i]);
            place(p.anchorIds(), i * t, ids, mask);
            place(p.positiveIds(), (b + i) * t, ids, mask);
        }
        return new Batch(2 * b, t, ids, null, mask, groups);
    }

    private static void place(int[] seq, int at, int[] ids, float[] mask) {
        System.arraycopy(seq, 0, ids, at, seq.length);
        Arrays.fill(mask, at, at + seq.length, 1f);
    }
}
