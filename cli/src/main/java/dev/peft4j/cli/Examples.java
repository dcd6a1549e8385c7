package dev.peft4j.cli;

import dev.peft4j.data.LabeledDataset;
import dev.peft4j.text.TextExample;
import dev.peft4j.tokenizer.Encoding;
import dev.peft4j.tokenizer.WordPieceTokenizer;
import dev.peft4j.train.EncodedExample;
import java.util.ArrayList;
import java.util.List;

/** Tokenises a dataset part into training examples, truncated to a maximum length. */
final class Examples {
    private Examples() {}

    static List<EncodedExample> encode(WordPieceTokenizer tokenizer, LabeledDataset part, int maxLength) {
        List<EncodedExample> out = new ArrayList<>(part.size());
        for (TextExample e : part.examples()) {
            Encoding enc = tokenizer.encode(e.text(), null, maxLength);
            out.add(new EncodedExample(enc.ids(), enc.typeIds(), e.label()));
        }
        return out;
    }
}
