package dev.peft4j.text;

/**
 * An (anchor, positive) pair of texts for contrastive training: two texts that should embed close together.
 * {@code group} ≥ 0 marks pairs drawn from one label (their positives are not each other's negatives); −1: none.
 */
public record TextPair(String anchor, String positive, int group) {
    /** A pair without a group. */
    public TextPair(String anchor, String positive) {
        this(anchor, positive, -1);
    }

    public TextPair {
        if (group < -1) {
            throw new IllegalArgumentException("group must be ≥ -1 (-1 = none), got " + group);
        }
        if (anchor == null || positive == null) {
            throw new IllegalArgumentException("a pair needs two texts, got " + anchor + " and " + positive);
        }
    }
}
