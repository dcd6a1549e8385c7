package dev.peft4j.text;

import dev.peft4j.tokenizer.Encoding;
import dev.peft4j.tokenizer.WordPieceTokenizer;
import dev.peft4j.train.EncodedExample;
import java.util.ArrayList;
import java.util.List;

/** Labelled texts tokenised for the trainer. */
public final class TextExamples {
    private TextExamples() {}

    /** Each text as {@code [CLS] text [SEP]}, truncated to {@code maxLength} tokens with the special ones, and its label. */
    public static List<EncodedExample> encode(WordPieceTokenizer tokenizer, List<TextExample> examples, int maxLength) {
        List<EncodedExample> out = new ArrayList<>(examples.size());
        for (TextExample e : examples) {
            Encoding enc = tokenizer.encode(e.text(), null, maxLength);
            out.add(new EncodedExample(enc.ids(), enc.typeIds(), e.label()));
        }
        return out;
    }
}
