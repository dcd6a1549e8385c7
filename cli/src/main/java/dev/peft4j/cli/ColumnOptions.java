package dev.peft4j.cli;

import dev.peft4j.data.LabeledDataset;
import picocli.CommandLine.Option;

/** The {@code --text-column} and {@code --label-column} options: which columns (CSV) or fields (JSONL) of a local dataset to read. */
final class ColumnOptions {
    @Option(names = "--text-column", description = "text column/field of a local dataset (default ${DEFAULT-VALUE})")
    String textColumn = "text";
    @Option(names = "--label-column", description = "label column/field of a local dataset (default ${DEFAULT-VALUE})")
    String labelColumn = "label";

    /** The dataset {@code spec} names (see {@link DatasetChoice}), read with these columns. */
    LabeledDataset load(String spec) {
        return DatasetChoice.load(spec, textColumn, labelColumn);
    }
}
