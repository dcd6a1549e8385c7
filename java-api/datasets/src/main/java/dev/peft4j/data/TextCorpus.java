package dev.peft4j.data;

import dev.peft4j.text.TextExample;
import java.util.ArrayList;
import java.util.List;

/**
 * Plain text for causal language modelling, as an ordered list of documents (e.g. chapters).
 *
 * @param name a short name for messages
 * @param documents the documents in reading order
 */
public record TextCorpus(String name, List<String> documents) {

    public TextCorpus {
        documents = List.copyOf(documents);
    }

    /** All documents joined by a blank line. */
    public String text() {
        return String.join("\n\n", documents);
    }

    /**
     * A contiguous split: the last {@code ceil(validationFraction · n)} documents are the validation part
     * (no shuffle, so no passage leaks from one part into the other), the rest the training part.
     */
    public TextCorpus[] trainValidation(double validationFraction) {
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validationFraction must be in [0, 1), got " + validationFraction);
        }
        int n = documents.size();
        int nVal = (int) Math.ceil(validationFraction * n);
        return new TextCorpus[] {
            new TextCorpus(name + "/train", documents.subList(0, n - nVal)),
            new TextCorpus(name + "/validation", documents.subList(n - nVal, n))
        };
    }

    /** The documents as unlabelled examples. */
    public LabeledDataset asDataset() {
        List<TextExample> examples = new ArrayList<>(documents.size());
        for (String d : documents) {
            examples.add(TextExample.unlabelled(d));
        }
        return new LabeledDataset(name, List.of(), examples);
    }
}
