package dev.peft4j.text;

import java.util.Objects;

/**
 * One text with its class id: {@code label} is an index into the dataset's label names, or
 * {@link #UNLABELLED} (-1) when the text has no label.
 */
public record TextExample(String text, int label) {
    /** The label of an example without one. */
    public static final int UNLABELLED = -1;

    public TextExample {
        Objects.requireNonNull(text, "text");
        if (label < UNLABELLED) {
            throw new IllegalArgumentException("label must be >= -1 (-1 = unlabelled), got " + label);
        }
    }

    /** An example without a label. */
    public static TextExample unlabelled(String text) {
        return new TextExample(text, UNLABELLED);
    }

    public boolean isLabelled() {
        return label != UNLABELLED;
    }
}
