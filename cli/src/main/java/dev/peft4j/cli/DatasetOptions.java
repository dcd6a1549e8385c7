package dev.peft4j.cli;

import dev.peft4j.data.LabeledDataset;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The {@code --dataset} option of the commands that train (default IMDB), with its {@link ColumnOptions}. */
final class DatasetOptions {
    @Option(names = "--dataset", description = "imdb, spam, csv:PATH or jsonl:PATH (default ${DEFAULT-VALUE})")
    String dataset = "imdb";
    @Mixin
    ColumnOptions columns = new ColumnOptions();

    /** The dataset as given, e.g. "imdb" or "csv:reviews.csv". */
    String name() {
        return dataset;
    }

    /** The named dataset, read with the chosen columns. */
    LabeledDataset load() {
        return columns.load(dataset);
    }
}
