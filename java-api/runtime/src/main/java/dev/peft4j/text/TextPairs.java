package dev.peft4j.text;

import dev.peft4j.tokenizer.WordPieceTokenizer;
import dev.peft4j.train.EncodedPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Where contrastive training pairs come from: explicit (anchor, positive) texts, or pairs drawn from labelled texts
 * (two different texts of the same label); and their tokenisation into {@link EncodedPair}s.
 */
public final class TextPairs {
    private TextPairs() {}

    /** The pairs (anchors[i], positives[i]), in order. */
    public static List<TextPair> of(List<String> anchors, List<String> positives) {
        if (anchors.size() != positives.size()) {
            throw new IllegalArgumentException(anchors.size() + " anchors but " + positives.size() + " positives");
        }
        List<TextPair> out = new ArrayList<>(anchors.size());
        for (int i = 0; i < anchors.size(); i++) {
            out.add(new TextPair(anchors.get(i), positives.get(i)));
        }
        return out;
    }

    /**
     * {@code count} pairs drawn from labelled texts: each draw takes an anchor uniformly among the texts whose label
     * has at least two texts, then a positive uniformly among the other texts (other indices) of that label. Draws are
     * independent (a text may serve in several pairs); the same arguments give the same pairs. A pair's group is its
     * label, so that the positives of same-label pairs are not counted as each other's negatives.
     *
     * @throws IllegalArgumentException when no label has two texts, or the lengths differ
     */
    public static List<TextPair> fromLabelled(List<String> texts, int[] labels, int count, long seed) {
        if (texts.size() != labels.length) {
            throw new IllegalArgumentException(texts.size() + " texts but " + labels.length + " labels");
        }
        if (count < 0) {
            throw new IllegalArgumentException("count must be ≥ 0, got " + count);
        }
        Map<Integer, List<Integer>> byLabel = new TreeMap<>();
        for (int i = 0; i < labels.length; i++) {
            byLabel.computeIfAbsent(labels[i], k -> new ArrayList<>()).add(i);
        }
        List<Integer> anchors = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            if (byLabel.get(labels[i]).size() >= 2) {
                anchors.add(i);
            }
        }
        if (anchors.isEmpty() && count > 0) {
            throw new IllegalArgumentException("no label has two texts, so no pair can be drawn (labels: "
                    + byLabel.keySet() + ")");
        }
        SplittableRandom rng = new SplittableRandom(seed);
        List<TextPair> out = new ArrayList<>(count);
        for (int n = 0; n < count; n++) {
            int a = anchors.get(rng.nextInt(anchors.size()));
            List<Integer> same = byLabel.get(labels[a]);
            // uniform among the label's other texts: draw from size − 1 slots and skip the anchor's own
            int k = rng.nextInt(same.size() - 1);
            int p = same.get(k) >= a ? same.get(k + 1) : same.get(k);
            out.add(new TextPair(texts.get(a), texts.get(p), labels[a]));
        }
        return out;
    }

    /**
     * {@code count} pairs drawn from labelled examples, as {@link #fromLabelled(List, int[], int, long)} draws them.
     *
     * @throws IllegalArgumentException when an example is unlabelled, or no label has two examples
     */
    public static List<TextPair> fromExamples(List<TextExample> examples, int count, long seed) {
        List<String> texts = new ArrayList<>(examples.size());
        int[] labels = new int[examples.size()];
        for (int i = 0; i < examples.size(); i++) {
            TextExample e = examples.get(i);
            if (e == null || !e.isLabelled()) {
                throw new IllegalArgumentException("example " + i + " has no label; pairs are drawn from labelled texts");
            }
            texts.add(e.text());
            labels[i] = e.label();
        }
        return fromLabelled(texts, labels, count, seed);
    }

    /** Each pair tokenised as {@code [CLS] text [SEP]}, truncated to {@code maxLength} tokens with the special ones. */
    public static List<EncodedPair> encode(List<TextPair> pairs, WordPieceTokenizer tokenizer, int maxLength) {
        List<EncodedPair> out = new ArrayList<>(pairs.size());
        for (TextPair p : pairs) {
            out.add(new EncodedPair(tokenizer.encode(p.anchor(), null, maxLength).ids(),
                    tokenizer.encode(p.positive(), null, maxLength).ids(), p.group()));
        }
        return out;
    }
}
