package dev.peft4j.cli;

import dev.peft4j.data.Imdb;
import dev.peft4j.data.LabelOrder;
import dev.peft4j.data.LabeledDataset;
import dev.peft4j.data.LocalTextDataset;
import dev.peft4j.data.NpmPackageCache;
import dev.peft4j.data.SpamAssassin;
import java.nio.file.Path;

/** A dataset named on the command line: imdb, spam, or a local csv:PATH / jsonl:PATH with named columns. */
final class DatasetChoice {
    private DatasetChoice() {}

    static LabeledDataset load(String spec, String textColumn, String labelColumn) {
        if (spec.equals("imdb")) {
            return Imdb.load(NpmPackageCache.standard()).dataset();
        }
        if (spec.equals("spam")) {
            return SpamAssassin.load(NpmPackageCache.standard());
        }
        if (spec.startsWith("csv:")) {
            return LocalTextDataset.readCsv(Path.of(spec.substring(4)), textColumn, labelColumn, LabelOrder.SORTED);
        }
        if (spec.startsWith("jsonl:")) {
            return LocalTextDataset.readJsonl(Path.of(spec.substring(6)), textColumn, labelColumn, LabelOrder.SORTED);
        }
        throw new IllegalArgumentException("unknown dataset '" + spec + "'; use imdb, spam, csv:PATH or jsonl:PATH");
    }
}
