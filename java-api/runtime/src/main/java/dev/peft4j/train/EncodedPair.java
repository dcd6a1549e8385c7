package dev.peft4j.train;

/**
 * One tokenised (anchor, positive) pair for contrastive training: the token ids of each text, special tokens included.
 * The positive should mean what the anchor means; the other pairs' positives in a batch serve as its negatives,
 * except those of pairs in the same {@code group} ≥ 0 (pairs drawn from one label: their positives are not
 * negatives). {@code group} −1: no group.
 */
public record EncodedPair(int[] anchorIds, int[] positiveIds, int group) {
    /** A pair without a group. */
    public EncodedPair(int[] anchorIds, int[] positiveIds) {
        this(anchorIds, positiveIds, -1);
    }

    public EncodedPair {
        if (group < -1) {
            throw new IllegalArgumentException("group must be ≥ -1 (-1 = none), got " + group);
        }
        if (anchorIds == null || anchorIds.length == 0 || positiveIds == null || positiveIds.length == 0) {
            throw new IllegalArgumentException("a pair needs at least one token on each side, got "
                    + (anchorIds == null ? "null" : anchorIds.length) + " and "
                    + (positiveIds == null ? "null" : positiveIds.length));
        }
    }
}
