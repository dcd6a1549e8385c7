package dev.peft4j.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class WordPiecePartsTest {
    @Test
    void cutsBeforeAWordsContinuationPiecesAndCoversEveryPieceOnce() {
        List<String> pieces = List.of("a", "b", "un", "##believ", "##able", "c", "d");
        assertEquals(List.of(List.of("a", "b"), List.of("un", "##believ", "##able"), List.of("c", "d")),
                WordPieceParts.split(pieces, 3));
        assertEquals(List.of(pieces), WordPieceParts.split(pieces, 7));
        assertEquals(List.of(), WordPieceParts.split(List.of(), 3));
    }

    @Test
    void aWordLongerThanAPartIsCut() {
        List<String> pieces = List.of("x", "##y", "##z", "##w");
        assertEquals(List.of(List.of("x", "##y"), List.of("##z", "##w")), WordPieceParts.split(pieces, 2));
        assertThrows(IllegalArgumentException.class, () -> WordPieceParts.split(pieces, 0));
    }
}
