package dev.peft4j.adapter;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * What a classification adapter needs besides its weights to classify raw text: the label names (index i is the
 * head's output i) and the tokenisation length it was trained with (tokens, [CLS] and [SEP] included). Stored in
 * the adapter's {@code peft4j} section ({@code "labels"}, {@code "max_length"}).
 */
public record ClassifierInfo(List<String> labels, int maxLength) {
    public ClassifierInfo {
        labels = checkedLabels(labels);
        if (maxLength < 3) {
            throw new IllegalArgumentException("maxLength must be ≥ 3 ([CLS], a token, [SEP]), got " + maxLength);
        }
    }

    /** An unmodifiable copy of {@code labels}: at least two names, distinct and not blank, or an error that says why. */
    public static List<String> checkedLabels(List<String> labels) {
        Objects.requireNonNull(labels, "labels");
        List<String> copy = List.copyOf(labels);
        if (copy.size() < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 labels, got " + copy);
        }
        if (new HashSet<>(copy).size() != copy.size() || copy.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("label names must be distinct and not blank, got " + copy);
        }
        return copy;
    }

    /** {@code LABEL_0 ... LABEL_{n-1}}, Hugging Face's names for labels nobody named. */
    public static List<String> defaultLabels(int count) {
        if (count < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 labels, got " + count);
        }
        return java.util.stream.IntStream.range(0, count).mapToObj(i -> "LABEL_" + i).toList();
    }
}
