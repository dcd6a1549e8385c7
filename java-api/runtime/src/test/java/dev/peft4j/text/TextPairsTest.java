package dev.peft4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.tokenizer.WordPieceTokenizer;
import dev.peft4j.train.EncodedPair;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TextPairsTest {
    /** Texts named by label: "a0".."a3" have label 0, "b0", "b1" label 1, "c0" (alone) label 2. */
    static final List<String> TEXTS = List.of("a0", "b0", "a1", "c0", "a2", "b1", "a3");
    static final int[] LABELS = {0, 1, 0, 2, 0, 1, 0};

    @Test
    void drawnPairsAreTwoDifferentTextsOfOneLabelAndEveryCombinationOccurs() {
        List<TextPair> pairs = TextPairs.fromLabelled(TEXTS, LABELS, 2000, 5);
        assertEquals(2000, pairs.size());
        Map<String, Integer> anchors = new HashMap<>();
        Set<String> combinations = new HashSet<>();
        for (TextPair p : pairs) {
            assertNotEquals(p.anchor(), p.positive());
            assertEquals(p.anchor().charAt(0), p.positive().charAt(0), p.toString());
            anchors.merge(p.anchor(), 1, Integer::sum);
            combinations.add(p.anchor() + p.positive());
        }
        assertTrue(!anchors.containsKey("c0"), "a text alone in its label is never drawn");
        // 4·3 ordered pairs of label 0 and 2·1 of label 1
        assertEquals(14, combinations.size());
        // anchors are uniform over the 6 eligible texts: 333 each expected, σ ≈ 17
        for (int count : anchors.values()) {
            assertTrue(Math.abs(count - 2000 / 6.0) < 100, "anchor counts " + anchors);
        }
    }

    @Test
    void theSameSeedDrawsTheSamePairs() {
        assertEquals(TextPairs.fromLabelled(TEXTS, LABELS, 50, 9), TextPairs.fromLabelled(TEXTS, LABELS, 50, 9));
        assertNotEquals(TextPairs.fromLabelled(TEXTS, LABELS, 50, 9), TextPairs.fromLabelled(TEXTS, LABELS, 50, 10));
    }

    @Test
    void labelsWithoutTwoTextsGiveNoPairs() {
        assertThrows(IllegalArgumentException.class,
                () -> TextPairs.fromLabelled(List.of("x", "y"), new int[] {0, 1}, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> TextPairs.fromLabelled(TEXTS, new int[2], 1, 0));
    }

    @Test
    void explicitPairsKeepTheirOrderAndEncodeTruncatedWithSpecialTokens() throws Exception {
        List<TextPair> pairs = TextPairs.of(List.of("the cat sat", "a long sentence with very many words in it"),
                List.of("a feline rested", "short"));
        assertEquals(new TextPair("the cat sat", "a feline rested"), pairs.get(0));
        WordPieceTokenizer tokenizer = BaseModel.miniLm().tokenizer();
        List<EncodedPair> encoded = TextPairs.encode(pairs, tokenizer, 6);
        assertArrayEquals(tokenizer.encode("the cat sat").ids(), encoded.get(0).anchorIds());
        int[] longIds = encoded.get(1).anchorIds();
        assertEquals(6, longIds.length);
        assertEquals(tokenizer.tokenId("[CLS]"), longIds[0]);
        assertEquals(tokenizer.tokenId("[SEP]"), longIds[5]);
        assertArrayEquals(java.util.Arrays.copyOf(tokenizer.encode("a long sentence with very many words in it").ids(),
                5), java.util.Arrays.copyOf(longIds, 5));
        assertThrows(IllegalArgumentException.class, () -> TextPairs.of(List.of("a"), List.of()));
    }
}
