package dev.peft4j.tokenizer;

import java.util.List;
import java.util.Map;

/**
 * WordPiece: greedy longest-match-first segmentation of one word into vocabulary pieces, pieces after the first
 * carrying the continuation prefix ({@code ##}). A word longer than {@code maxInputCharsPerWord} code points, or
 * one with any part that matches no piece, becomes the single unknown token.
 */
public record WordPieceModel(Map<String, Integer> vocab, String unkToken, String continuingPrefix,
                             int maxInputCharsPerWord) {

    public WordPieceModel {
        if (!vocab.containsKey(unkToken)) {
            throw new IllegalArgumentException("unknown token '" + unkToken + "' is not in the vocabulary");
        }
    }

    /** Appends the pieces of {@code word} to {@code tokens}. */
    public void tokenize(String word, List<String> tokens) {
        if (word.codePointCount(0, word.length()) > maxInputCharsPerWord) {
            tokens.add(unkToken);
            return;
        }
        int mark = tokens.size();
        int start = 0;
        while (start < word.length()) {
            int end = word.length();
            String found = null;
            while (start < end) {
                String piece = start > 0 ? continuingPrefix + word.substring(start, end) : word.substring(start, end);
                if (vocab.containsKey(piece)) {
                    found = piece;
                    break;
                }
                end -= Character.charCount(word.codePointBefore(end));
            }
            if (found == null) {
                tokens.subList(mark, tokens.size()).clear();
                tokens.add(unkToken);
                return;
            }
            tokens.add(found);
            start = end;
        }
    }

    public int id(String token) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new IllegalArgumentException("token '" + token + "' is not in the vocabulary");
        }
        return id;
    }
}
