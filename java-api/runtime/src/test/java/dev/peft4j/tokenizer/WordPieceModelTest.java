package dev.peft4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WordPieceModelTest {
    private static final Map<String, Integer> VOCAB = Map.of(
            "[UNK]", 0, "un", 1, "##aff", 2, "##able", 3, "a", 4, "##ff", 5, "aff", 6, "😀", 7, "##😀", 8);

    private static List<String> pieces(WordPieceModel m, String word) {
        List<String> out = new ArrayList<>();
        m.tokenize(word, out);
        return out;
    }

    @Test
    void greedyLongestMatchWithContinuationPrefix() {
        WordPieceModel m = new WordPieceModel(VOCAB, "[UNK]", "##", 100);
        assertEquals(List.of("un", "##aff", "##able"), pieces(m, "unaffable"));
        assertEquals(List.of("aff", "##able"), pieces(m, "affable"), "longest first piece wins over a + ##ff");
        assertEquals(List.of("[UNK]"), pieces(m, "unafx"), "one unmatched part makes the whole word unknown");
        assertEquals(List.of("😀", "##😀"), pieces(m, "😀😀"), "code points, not UTF-16 units");
    }

    @Test
    void longWordsAreUnknownByCodePointCount() {
        WordPieceModel m = new WordPieceModel(VOCAB, "[UNK]", "##", 2);
        assertEquals(List.of("un"), pieces(m, "un"));
        assertEquals(List.of("😀", "##😀"), pieces(m, "😀😀"), "two code points, four UTF-16 units");
        assertEquals(List.of("[UNK]"), pieces(m, "una"));
    }

    @Test
    void unknownTokenMustBeInVocabulary() {
        assertThrows(IllegalArgumentException.class, () -> new WordPieceModel(Map.of("a", 0), "[UNK]", "##", 100));
    }

    @Test
    void truncationKeepsTheShorterWholeThenHalves() {
        assertEquals(List.of(3, 4), List.of(box(Truncation.longestFirst(3, 4, 10))));
        assertEquals(List.of(2, 8), List.of(box(Truncation.longestFirst(2, 20, 10))));
        assertEquals(List.of(8, 2), List.of(box(Truncation.longestFirst(20, 2, 10))));
        assertEquals(List.of(5, 6), List.of(box(Truncation.longestFirst(20, 30, 11))));
        assertEquals(List.of(6, 5), List.of(box(Truncation.longestFirst(30, 20, 11))));
    }

    private static Integer[] box(int[] a) {
        return java.util.Arrays.stream(a).boxed().toArray(Integer[]::new);
    }
}
