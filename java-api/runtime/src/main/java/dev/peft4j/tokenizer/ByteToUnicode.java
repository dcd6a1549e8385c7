package dev.peft4j.tokenizer;

/**
 * GPT-2's reversible map from the 256 byte values to printable code points: the printable bytes
 * {@code '!'..'~'}, {@code '¡'..'¬'} and {@code '®'..'ÿ'} map to themselves; the other 68 bytes, in increasing
 * order, map to U+0100, U+0101, ... (so space 0x20 ↦ 'Ġ' U+0120 and newline 0x0A ↦ 'Ċ' U+010A).
 */
public final class ByteToUnicode {
    private ByteToUnicode() {}

    private static final char[] TO_CHAR = new char[256];
    private static final int[] TO_BYTE = new int[512];

    static {
        java.util.Arrays.fill(TO_BYTE, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = (char) (printable ? b : next++);
            TO_CHAR[b] = c;
            TO_BYTE[c] = b;
        }
    }

    /** The code point standing for byte {@code b} (0..255). */
    public static char encode(int b) {
        return TO_CHAR[b & 0xFF];
    }

    /** The byte a mapped code point stands for, or -1 when {@code c} is not one. */
    public static int decode(char c) {
        return c < TO_BYTE.length ? TO_BYTE[c] : -1;
    }

    /** Each byte of {@code bytes} as its code point. */
    public static String encode(byte[] bytes) {
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = encode(bytes[i]);
        }
        return new String(out);
    }
}
