package dev.peft4j.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * The BERT pre-tokenizer: splits on white space (dropped) and isolates every punctuation character (ASCII
 * punctuation, including symbols such as {@code $ + < = > ^ ` | ~}, and the Unicode P* categories) as its own word.
 */
public final class BertPreTokenizer {
    private BertPreTokenizer() {}

    public static List<String> split(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (BertNormalizer.isWhitespace(c)) {
                flush(cur, words);
            } else if (isPunctuation(c)) {
                flush(cur, words);
                words.add(new String(Character.toChars(c)));
            } else {
                cur.appendCodePoint(c);
            }
        });
        flush(cur, words);
        return words;
    }

    static boolean isPunctuation(int c) {
        if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) {
            return true;
        }
        int t = Character.getType(c);
        return t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION
                || t == Character.START_PUNCTUATION || t == Character.END_PUNCTUATION
                || t == Character.INITIAL_QUOTE_PUNCTUATION || t == Character.FINAL_QUOTE_PUNCTUATION
                || t == Character.OTHER_PUNCTUATION;
    }

    private static void flush(StringBuilder cur, List<String> words) {
        if (!cur.isEmpty()) {
            words.add(cur.toString());
            cur.setLength(0);
        }
    }
}
