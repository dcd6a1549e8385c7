package dev.peft4j.text;

import java.util.ArrayList;
import java.util.List;

/** Splits a text's word pieces into parts of at most {@code size}, never between a word and its {@code ##} pieces. */
final class WordPieceParts {
    private WordPieceParts() {}

    /**
     * Consecutive parts covering {@code pieces}, each at most {@code size} long. A part ends before a piece that
     * starts with "##" (moving the cut back), unless the word alone is longer than {@code size}; then it is cut.
     * No pieces give no parts.
     */
    static List<List<String>> split(List<String> pieces, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("part size must be ≥ 1, got " + size);
        }
        List<List<String>> parts = new ArrayList<>();
        int from = 0;
        while (from < pieces.size()) {
            int to = from + size;
            if (to >= pieces.size()) {
                to = pieces.size();
            } else {
                int cut = to;
                while (cut > from && pieces.get(cut).startsWith("##")) {
                    cut--;
                }
                to = cut > from ? cut : to;
            }
            parts.add(pieces.subList(from, to));
            from = to;
        }
        return parts;
    }
}
