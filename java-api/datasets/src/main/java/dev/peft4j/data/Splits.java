package dev.peft4j.data;

/**
 * A dataset cut into train, validation and test parts after one seeded shuffle: the parts are consecutive
 * slices {@code [0, t)}, {@code [t, t+v)}, {@code [t+v, t+v+s)} of the shuffled order, so they never share
 * an example, and the same seed always gives the same parts.
 */
public record Splits(LabeledDataset train, LabeledDataset validation, LabeledDataset test) {

    static Splits of(LabeledDataset data, SplitSpec spec, long seed) {
        int[] sizes = spec.sizes(data.size());
        LabeledDataset shuffled = data.shuffled(seed);
        int a = sizes[0];
        int b = a + sizes[1];
        int c = b + sizes[2];
        return new Splits(
                shuffled.slice(data.name() + "/train", 0, a),
                shuffled.slice(data.name() + "/validation", a, b),
                shuffled.slice(data.name() + "/test", b, c));
    }

    /** At most the first {@code train}, {@code validation}, {@code test} examples of each part. */
    public Splits limit(int train, int validation, int test) {
        return new Splits(this.train.head(train), this.validation.head(validation), this.test.head(test));
    }
}
