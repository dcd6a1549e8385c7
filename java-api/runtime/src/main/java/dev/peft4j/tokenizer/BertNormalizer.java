package dev.peft4j.tokenizer;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The BERT text normalizer of Hugging Face tokenizers, applied code point by code point in this order:
 * clean text (drop NUL, U+FFFD and control/format/unassigned/private-use characters other than \t \n \r;
 * map white space to ' '), surround CJK ideographs with spaces, strip accents (NFD, then drop non-spacing
 * marks), lowercase (each code point's full lowercase mapping, without context).
 *
 * @param stripAccents when null, accents are stripped iff {@code lowercase}
 */
public record BertNormalizer(boolean cleanText, boolean handleChineseChars, Boolean stripAccents, boolean lowercase) {

    public String normalize(String text) {
        String s = text;
        if (cleanText) {
            s = clean(s);
        }
        if (handleChineseChars) {
            s = spaceChinese(s);
        }
        if (stripAccents != null ? stripAccents : lowercase) {
            s = stripAccents(s);
        }
        if (lowercase) {
            s = lowercase(s);
        }
        return s;
    }

    /** Unicode White_Space, as BERT defines white space (\t, \n, \r and the space separators). */
    static boolean isWhitespace(int c) {
        return (c >= 0x09 && c <= 0x0D) || c == 0x85 || Character.isSpaceChar(c);
    }

    /** Unicode categories Cc, Cf, Cn, Co, Cs, except \t \n \r. */
    static boolean isControl(int c) {
        if (c == '\t' || c == '\n' || c == '\r') {
            return false;
        }
        int t = Character.getType(c);
        return t == Character.CONTROL || t == Character.FORMAT || t == Character.UNASSIGNED
                || t == Character.PRIVATE_USE || t == Character.SURROGATE;
    }

    /** The CJK Unified Ideographs blocks (and extensions, compatibility ideographs) BERT treats as words. */
    static boolean isChineseChar(int c) {
        return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
                || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF)
                || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
    }

    private static String clean(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (c == 0 || c == 0xFFFD || isControl(c)) {
                return;
            }
            b.appendCodePoint(isWhitespace(c) ? ' ' : c);
        });
        return b.toString();
    }

    private static String spaceChinese(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        s.codePoints().forEach(c -> {
            if (isChineseChar(c)) {
                b.append(' ').appendCodePoint(c).append(' ');
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    private static String stripAccents(String s) {
        String d = Normalizer.normalize(s, Normalizer.Form.NFD);
        StringBuilder b = new StringBuilder(d.length());
        d.codePoints().forEach(c -> {
            if (Character.getType(c) != Character.NON_SPACING_MARK) {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    private static String lowercase(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (c < 0x80) {
                b.append((char) (c >= 'A' && c <= 'Z' ? c + 32 : c));
            } else {
                // one code point at a time, so no context rule (final sigma) applies
                b.append(new String(Character.toChars(c)).toLowerCase(Locale.ROOT));
            }
        });
        return b.toString();
    }
}
