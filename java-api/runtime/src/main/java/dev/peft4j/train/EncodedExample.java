package dev.peft4j.train;

/** One tokenised example: token ids (with special tokens), token types (null = all 0), and its label. */
public record EncodedExample(int[] ids, int[] types, int label) {
    public EncodedExample {
        if (ids == null || ids.length == 0) {
            throw new IllegalArgumentException("an example needs at least one token");
        }
        if (types != null && types.length != ids.length) {
            throw new IllegalArgumentException("types has " + types.length + " entries but ids " + ids.length);
        }
    }
}
