package dev.peft4j.text;

import java.util.List;

/**
 * A classifier's answer for one text: the most probable label, its index, and every label's probability
 * ({@code probabilities[i]} belongs to {@code labels.get(i)}; they sum to 1).
 */
public record Prediction(String label, int index, List<String> labels, float[] probabilities) {
    /** The probability of the predicted label. */
    public float confidence() {
        return probabilities[index];
    }
}
