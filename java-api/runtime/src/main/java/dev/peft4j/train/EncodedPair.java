package dev.peft4j.train;

/**
 * One tokenised (anchor, positive) pair for contrastive training: the token ids of each text, special tokens included.
 * The positive should mean what the anchor means; the other pairs' positives in a batch serve as its negatives.
 */
public record EncodedPair(int[] anchorIds, int[] positiveIds) {
    public EncodedPair {
        if (anchorIds == null || anchorIds.length == 0 || positiveIds == null || positiveIds.length == 0) {
            throw new IllegalArgumentException("a pair needs at least one token on each side, got "
                    + (anchorIds == null ? "null" : anchorIds.length) + " and "
                    + (positiveIds == null ? "null" : positiveIds.length));
        }
    }
}
