package dev.peft4j.text;

/** An (anchor, positive) pair of texts for contrastive training: two texts that should embed close together. */
public record TextPair(String anchor, String positive) {
    public TextPair {
        if (anchor == null || positive == null) {
            throw new IllegalArgumentException("a pair needs two texts, got " + anchor + " and " + positive);
        }
    }
}
