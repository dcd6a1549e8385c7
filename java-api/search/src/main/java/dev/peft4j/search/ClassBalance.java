package dev.peft4j.search;

import dev.peft4j.train.EncodedExample;
import dev.peft4j.train.Metrics;
import java.util.Arrays;
import java.util.List;

/**
 * How a set of labelled examples spreads over its classes: the count per class, the majority class, and the score a
 * classifier that always answers the majority class gets on them (what BO's reference point and a search's floor
 * are measured against). Data are unbalanced when the largest class holds more than 1.2 / C of the examples
 * (60 % of two classes); then accuracy rewards the majority answer and macro-F1 is the better search metric.
 */
public record ClassBalance(long[] counts) {
    /** Above this multiple of the even share 1/C the largest class makes the data unbalanced. */
    public static final double UNBALANCED_RATIO = 1.2;

    public ClassBalance {
        if (counts == null || counts.length < 2 || Arrays.stream(counts).anyMatch(c -> c < 0)
                || Arrays.stream(counts).sum() == 0) {
            throw new IllegalArgumentException("need non-negative counts of at least 2 classes, not all 0; got "
                    + Arrays.toString(counts));
        }
        counts = counts.clone();
    }

    /** The counts of {@code examples} over {@code numLabels} classes. */
    public static ClassBalance of(List<EncodedExample> examples, int numLabels) {
        long[] c = new long[numLabels];
        for (EncodedExample e : examples) {
            if (e.label() < 0 || e.label() >= numLabels) {
                throw new IllegalArgumentException("label " + e.label() + " is outside 0.." + (numLabels - 1));
            }
            c[e.label()]++;
        }
        return new ClassBalance(c);
    }

    @Override
    public long[] counts() {
        return counts.clone();
    }

    /** The most frequent class (the lowest index among equals). */
    public int majority() {
        int m = 0;
        for (int i = 1; i < counts.length; i++) {
            if (counts[i] > counts[m]) {
                m = i;
            }
        }
        return m;
    }

    /** The share of the most frequent class. */
    public double majorityShare() {
        return (double) counts[majority()] / Arrays.stream(counts).sum();
    }

    /** Whether the largest class holds more than {@link #UNBALANCED_RATIO} / C of the examples. */
    public boolean unbalanced() {
        return majorityShare() > UNBALANCED_RATIO / counts.length;
    }

    /** The score of always answering the majority class, by {@code score}. */
    public double majorityScore(ClassifierTrialRunner.Score score) {
        int n = (int) Arrays.stream(counts).sum();
        int[] labels = new int[n];
        int[] predicted = new int[n];
        int k = 0;
        for (int c = 0; c < counts.length; c++) {
            for (long i = 0; i < counts[c]; i++) {
                labels[k++] = c;
            }
        }
        Arrays.fill(predicted, majority());
        Metrics m = Metrics.of(predicted, labels, counts.length, 0);
        return score == ClassifierTrialRunner.Score.ACCURACY ? m.accuracy() : m.macroF1();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClassBalance b && Arrays.equals(counts, b.counts);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        return "ClassBalance" + Arrays.toString(counts);
    }
}
