package dev.peft4j.data;

import dev.peft4j.text.TextExample;
import dev.peft4j.train.SeededShuffle;
import java.util.List;
import java.util.Objects;

/**
 * An ordered list of {@link TextExample}s with the names of their labels: an example with label {@code k}
 * belongs to class {@code labelNames.get(k)}. Immutable; every operation returns a new dataset.
 *
 * @param name a short name for messages ("imdb", "spam-assassin", a file name)
 * @param labelNames class names, index = label id (empty for an unlabelled corpus)
 * @param examples the examples, each label in {@code [-1, labelNames.size())}
 */
public record LabeledDataset(String name, List<String> labelNames, List<TextExample> examples) {

    public LabeledDataset {
        Objects.requireNonNull(name, "name");
        labelNames = List.copyOf(labelNames);
        examples = List.copyOf(examples);
        for (int i = 0; i < examples.size(); i++) {
            int label = examples.get(i).label();
            if (label >= labelNames.size()) {
                throw new IllegalArgumentException("dataset " + name + ": example " + i + " has label " + label
                        + " but there are only " + labelNames.size() + " label names " + labelNames);
            }
        }
    }

    public int size() {
        return examples.size();
    }

    public TextExample get(int index) {
        return examples.get(index);
    }

    public int numLabels() {
        return labelNames.size();
    }

    /** How many examples carry each label id; unlabelled examples are not counted. */
    public int[] labelCounts() {
        int[] counts = new int[labelNames.size()];
        for (TextExample e : examples) {
            if (e.isLabelled()) {
                counts[e.label()]++;
            }
        }
        return counts;
    }

    /** The same examples in the order of {@link SeededShuffle} with {@code seed}. */
    public LabeledDataset shuffled(long seed) {
        return withExamples(name, SeededShuffle.shuffled(examples, seed));
    }

    /** The first {@code min(n, size())} examples: a subset of an already shuffled dataset. */
    public LabeledDataset head(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("head(n) needs n >= 0, got " + n);
        }
        return withExamples(name, examples.subList(0, Math.min(n, examples.size())));
    }

    /** Examples {@code [from, to)} as a dataset called {@code partName}. */
    public LabeledDataset slice(String partName, int from, int to) {
        return withExamples(partName, examples.subList(from, to));
    }

    /** Shuffles with {@code seed} and cuts into train/validation/test as {@code spec} says. */
    public Splits split(SplitSpec spec, long seed) {
        return Splits.of(this, spec, seed);
    }

    private LabeledDataset withExamples(String newName, List<TextExample> newExamples) {
        return new LabeledDataset(newName, labelNames, newExamples);
    }
}
