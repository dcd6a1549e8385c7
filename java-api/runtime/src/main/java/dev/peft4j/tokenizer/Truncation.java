package dev.peft4j.tokenizer;

/**
 * The "longest first" truncation of Hugging Face tokenizers, applied to the text before special tokens are
 * added, so {@code max} here is the length budget minus the special tokens.
 */
public final class Truncation {
    private Truncation() {}

    /**
     * Kept lengths {@code {k1, k2}} of a pair of lengths {@code n1, n2} within {@code max}: nothing changes
     * when {@code n1 + n2 ≤ max}; otherwise, with s ≤ l the shorter and longer, the shorter is kept whole and
     * the longer gets {@code max(s, max - s)}, and if that still overflows both get half ({@code ⌊max/2⌋}
     * for the first, the rest for the second).
     */
    public static int[] longestFirst(int n1, int n2, int max) {
        if (n1 + n2 <= max) {
            return new int[] {n1, n2};
        }
        boolean swap = n1 > n2;
        int s = swap ? n2 : n1;
        int l;
        if (s > max) {
            l = s;
        } else {
            l = Math.max(s, max - s);
        }
        if (s + l > max) {
            s = max / 2;
            l = s + max % 2;
        }
        return swap ? new int[] {l, s} : new int[] {s, l};
    }
}
