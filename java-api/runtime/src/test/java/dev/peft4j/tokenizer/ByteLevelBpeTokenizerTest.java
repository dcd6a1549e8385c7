package dev.peft4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ByteLevelBpeTokenizerTest {

    @Test
    void byteMapIsTheGpt2Bijection() {
        Set<Character> seen = new HashSet<>();
        for (int b = 0; b < 256; b++) {
            char c = ByteToUnicode.encode(b);
            seen.add(c);
            assertEquals(b, ByteToUnicode.decode(c));
        }
        assertEquals(256, seen.size());
        assertEquals('A', ByteToUnicode.encode('A'));
        assertEquals('~', ByteToUnicode.encode('~'));
        assertEquals('\u00e9', ByteToUnicode.encode(0xE9));
        assertEquals('\u0100', ByteToUnicode.encode(0), "first unprintable byte");
        assertEquals('\u0120', ByteToUnicode.encode(' '), "space is Ġ");
        assertEquals('\u010A', ByteToUnicode.encode('\n'), "newline is Ċ");
        assertEquals('\u0121', ByteToUnicode.encode(0x7F), "DEL follows the 33 control bytes and space");
        assertEquals('\u0143', ByteToUnicode.encode(0xAD), "soft hyphen is the last unprintable byte");
        assertEquals(-1, ByteToUnicode.decode('\u0144'));
    }

    @Test
    void preTokenizerFollowsTheGpt2Pattern() {
        assertEquals(List.of("Hello", " world", "'s", " 123", " !!"), Gpt2PreTokenizer.split("Hello world's 123 !!"));
        assertEquals(List.of("a", " ", " b"), Gpt2PreTokenizer.split("a  b"));
        assertEquals(List.of("a", "  "), Gpt2PreTokenizer.split("a  "));
        assertEquals(List.of("I", "'ll", " go", "\n", "\n", "x"), Gpt2PreTokenizer.split("I'll go\n\nx"));
        assertEquals(List.of("héllo", " мир", " 42", "x"), Gpt2PreTokenizer.split("héllo мир 42x"));
        assertEquals(List.of(), Gpt2PreTokenizer.split(""));
    }

    /** All 256 byte symbols (ids 0..255 in byte order) plus the merged symbols, ids following. */
    private static ByteLevelBpeTokenizer tiny(List<String[]> merges) {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(ByteToUnicode.encode(b)), b);
        }
        for (String[] m : merges) {
            vocab.putIfAbsent(m[0] + m[1], vocab.size());
        }
        return new ByteLevelBpeTokenizer(vocab, merges);
    }

    /** Merges in rank order, each written "a b". */
    private static List<String[]> merges(String... pairs) {
        return java.util.Arrays.stream(pairs).map(p -> p.split(" ")).toList();
    }

    @Test
    void mergesApplyLowestRankFirst() {
        ByteLevelBpeTokenizer t = tiny(merges("h e", "Ġ t", "Ġt he", "l o", "lo w"));
        assertEquals(List.of("t", "he", "Ġthe", "Ġ", "low", "Ġ", "he", "l", "lo"), t.tokenize("the the low hello"));
        ByteLevelBpeTokenizer order = tiny(merges("b c", "a b"));
        assertEquals(List.of("a", "bc"), order.tokenize("abc"), "b c outranks a b");
        ByteLevelBpeTokenizer repeated = tiny(merges("a a"));
        assertEquals(List.of("aa", "aa", "a"), repeated.tokenize("aaaaa"), "left to right, no overlap");
    }

    @Test
    void idsFollowTheVocabularyAndDecodeBack() {
        ByteLevelBpeTokenizer t = tiny(merges("h e", "Ġ t", "Ġt he"));
        // ids: bytes 0..255, then "he"=256, "Ġt"=257, "Ġthe"=258
        assertArrayEquals(new int[] {'t', 256, 258, '!'}, t.encode("the the!"));
        assertEquals("the the!", t.decode(t.encode("the the!")));
        String text = "Grüße, 世界! 😀\n\ttabs  and\u00a0nbsp";
        assertEquals(text, t.decode(t.encode(text)));
        // é is two bytes, each its own symbol when unmerged
        assertArrayEquals(new int[] {0xC3, 0xA9}, t.encode("é"));
        assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {999}));
    }

    @Test
    void readsVocabJsonAndMergesTxt() throws IOException {
        StringBuilder vocab = new StringBuilder("{");
        for (int b = 0; b < 256; b++) {
            String s = String.valueOf(ByteToUnicode.encode(b));
            vocab.append(new com.google.gson.JsonPrimitive(s)).append(':').append(b).append(',');
        }
        vocab.append("\"he\":256,\"Ġhe\":257}");
        String merges = "#version: 0.2\nh e\nĠ he\n";
        ByteLevelBpeTokenizer t = ByteLevelBpeTokenizer.fromStreams(
                new ByteArrayInputStream(vocab.toString().getBytes(StandardCharsets.UTF_8)),
                new ByteArrayInputStream(merges.getBytes(StandardCharsets.UTF_8)));
        assertArrayEquals(new int[] {256, 257, 'y'}, t.encode("he hey"));
        assertThrows(IOException.class, () -> ByteLevelBpeTokenizer.fromStreams(
                new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)),
                new ByteArrayInputStream("a b c\n".getBytes(StandardCharsets.UTF_8))));
    }
}
