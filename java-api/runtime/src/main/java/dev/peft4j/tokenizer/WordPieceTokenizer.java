package dev.peft4j.tokenizer;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A BERT WordPiece tokenizer built from a Hugging Face {@code tokenizer.json}: special (added) tokens are
 * matched in the raw text first; the rest is normalized ({@link BertNormalizer}), split into words
 * ({@link BertPreTokenizer}) and segmented by {@link WordPieceModel}; the post-processor adds
 * {@code [CLS]}/{@code [SEP]} and token type ids. Truncation ("longest first") applies before the special
 * tokens are added, so they always survive.
 */
public final class WordPieceTokenizer {
    private final BertNormalizer normalizer;
    private final WordPieceModel model;
    private final TemplatePostProcessor post;
    /** Added tokens matched verbatim in the raw text, longest first. */
    private final List<String> addedTokens;
    private final Map<String, Integer> addedIds;
    private final int padId;
    /** The truncation length tokenizer.json declares (special tokens included), or 0 when it declares none. */
    private final int declaredMaxLength;

    private WordPieceTokenizer(BertNormalizer normalizer, WordPieceModel model, TemplatePostProcessor post,
                               Map<String, Integer> addedIds, int padId, int declaredMaxLength) {
        this.normalizer = normalizer;
        this.model = model;
        this.post = post;
        this.addedIds = Map.copyOf(addedIds);
        List<String> sorted = new ArrayList<>(addedIds.keySet());
        sorted.sort(Comparator.comparingInt(String::length).reversed());
        this.addedTokens = List.copyOf(sorted);
        this.padId = padId;
        this.declaredMaxLength = declaredMaxLength;
    }

    /** Reads {@code file}; a file that is not a usable WordPiece tokenizer.json fails with an IOException naming it. */
    public static WordPieceTokenizer fromJson(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return fromJson(r);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    public static WordPieceTokenizer fromJson(InputStream in) throws IOException {
        return fromJson(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    /**
     * Parses a tokenizer.json; one that is not valid JSON or lacks, or mistypes, what a WordPiece tokenizer needs
     * fails with an IllegalArgumentException saying what is wrong.
     */
    public static WordPieceTokenizer fromJson(Reader reader) {
        try {
            return parse(reader);
        } catch (JsonParseException | IllegalStateException | ClassCastException | UnsupportedOperationException
                 | NullPointerException | IndexOutOfBoundsException e) {
            // Gson's typed accessors report a missing or mistyped field this way
            throw new IllegalArgumentException("not a usable WordPiece tokenizer.json: " + dev.peft4j.io.JsonText.parseProblem(e), e);
        } catch (StackOverflowError e) {
            throw new IllegalArgumentException("not a usable WordPiece tokenizer.json: values nest too deeply", e);
        }
    }

    private static WordPieceTokenizer parse(Reader reader) {
        JsonObject root = JsonParser.parseReader(reader).getAsJsonObject();
        JsonObject m = root.getAsJsonObject("model");
        if (m == null || !"WordPiece".equals(str(m, "type", "WordPiece"))) {
            throw new IllegalArgumentException("tokenizer.json model is not WordPiece: " + (m == null ? null : m.get("type")));
        }
        Map<String, Integer> vocab = new HashMap<>();
        for (Map.Entry<String, JsonElement> e : m.getAsJsonObject("vocab").entrySet()) {
            vocab.put(e.getKey(), e.getValue().getAsInt());
        }
        WordPieceModel model = new WordPieceModel(vocab, str(m, "unk_token", "[UNK]"),
                str(m, "continuing_subword_prefix", "##"),
                m.has("max_input_chars_per_word") ? m.get("max_input_chars_per_word").getAsInt() : 100);

        BertNormalizer normalizer = null;
        if (root.get("normalizer") instanceof JsonObject n) {
            if (!"BertNormalizer".equals(n.get("type").getAsString())) {
                throw new IllegalArgumentException("normalizer '" + n.get("type") + "' is not supported (BertNormalizer)");
            }
            normalizer = new BertNormalizer(bool(n, "clean_text", true), bool(n, "handle_chinese_chars", true),
                    n.get("strip_accents") == null || n.get("strip_accents").isJsonNull() ? null
                            : n.get("strip_accents").getAsBoolean(), bool(n, "lowercase", true));
        }
        if (root.get("pre_tokenizer") instanceof JsonObject p && !"BertPreTokenizer".equals(p.get("type").getAsString())) {
            throw new IllegalArgumentException("pre_tokenizer '" + p.get("type") + "' is not supported (BertPreTokenizer)");
        }
        if (!(root.get("post_processor") instanceof JsonObject pp)) {
            throw new IllegalArgumentException("tokenizer.json has no post_processor");
        }
        TemplatePostProcessor post = TemplatePostProcessor.fromJson(pp);

        Map<String, Integer> added = new HashMap<>();
        if (root.get("added_tokens") != null && root.get("added_tokens").isJsonArray()) {
            for (JsonElement e : root.getAsJsonArray("added_tokens")) {
                JsonObject t = e.getAsJsonObject();
                added.put(t.get("content").getAsString(), t.get("id").getAsInt());
            }
        }
        int padId = vocab.getOrDefault("[PAD]", 0);
        if (root.get("padding") instanceof JsonObject pad && pad.has("pad_id")) {
            padId = pad.get("pad_id").getAsInt();
        }
        int declaredMaxLength = 0;
        if (root.get("truncation") instanceof JsonObject trunc && trunc.has("max_length")) {
            declaredMaxLength = trunc.get("max_length").getAsInt();
            if (declaredMaxLength < post.addedTokens(false) + 1) {
                throw new IllegalArgumentException("truncation.max_length " + declaredMaxLength
                        + " leaves no room for a token besides the special ones");
            }
        }
        return new WordPieceTokenizer(normalizer, model, post, added, padId, declaredMaxLength);
    }

    private static String str(JsonObject o, String key, String dflt) {
        return o.get(key) == null || o.get(key).isJsonNull() ? dflt : o.get(key).getAsString();
    }

    private static boolean bool(JsonObject o, String key, boolean dflt) {
        return o.get(key) == null || o.get(key).isJsonNull() ? dflt : o.get(key).getAsBoolean();
    }

    /** The WordPiece tokens of {@code text}, without special tokens added around them. */
    public List<String> tokenize(String text) {
        List<String> tokens = new ArrayList<>();
        int segmentStart = 0;
        int i = 0;
        while (i < text.length()) {
            String match = addedTokenAt(text, i);
            if (match == null) {
                i++;
                continue;
            }
            tokenizeSegment(text.substring(segmentStart, i), tokens);
            tokens.add(match);
            i += match.length();
            segmentStart = i;
        }
        tokenizeSegment(text.substring(segmentStart), tokens);
        return tokens;
    }

    private String addedTokenAt(String text, int i) {
        for (String t : addedTokens) {
            if (text.startsWith(t, i)) {
                return t;
            }
        }
        return null;
    }

    private void tokenizeSegment(String segment, List<String> tokens) {
        if (segment.isEmpty()) {
            return;
        }
        String normalized = normalizer == null ? segment : normalizer.normalize(segment);
        for (String word : BertPreTokenizer.split(normalized)) {
            model.tokenize(word, tokens);
        }
    }

    public int tokenId(String token) {
        Integer id = addedIds.get(token);
        return id != null ? id : model.id(token);
    }

    private int[] ids(List<String> tokens) {
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = tokenId(tokens.get(i));
        }
        return ids;
    }

    /** {@code [CLS] text [SEP]}, untruncated. */
    public Encoding encode(String text) {
        return encode(text, null, Integer.MAX_VALUE);
    }

    /** {@code [CLS] a [SEP] b [SEP]} (type ids 0 then 1), untruncated. */
    public Encoding encode(String a, String b) {
        return encode(a, b, Integer.MAX_VALUE);
    }

    /**
     * Encodes {@code a} (and {@code b} when not null) truncated to at most {@code maxLength} tokens including
     * the special ones ({@link Truncation#longestFirst} for pairs).
     */
    public Encoding encode(String a, String b, int maxLength) {
        int added = post.addedTokens(b != null);
        if (maxLength < added) {
            throw new IllegalArgumentException("maxLength " + maxLength + " leaves no room for the " + added
                    + " special tokens");
        }
        List<String> ta = tokenize(a);
        List<String> tb = b == null ? null : tokenize(b);
        int budget = maxLength == Integer.MAX_VALUE ? Integer.MAX_VALUE : maxLength - added;
        if (tb == null) {
            ta = ta.subList(0, Math.min(ta.size(), budget));
        } else {
            int[] keep = Truncation.longestFirst(ta.size(), tb.size(), budget);
            ta = ta.subList(0, Math.min(ta.size(), keep[0]));
            tb = tb.subList(0, Math.min(tb.size(), keep[1]));
        }
        return post.apply(ta, ids(ta), tb, tb == null ? null : ids(tb));
    }

    /**
     * {@code [CLS] pieces [SEP]} for word pieces already produced by {@link #tokenize} (a slice of a long text, say),
     * untruncated.
     */
    public Encoding encodePieces(List<String> pieces) {
        return post.apply(pieces, ids(pieces), null, null);
    }

    /** Encodes single texts, truncated to {@code maxLength} and padded as {@code padding} says. */
    public BatchEncoding encodeBatch(List<String> texts, int maxLength, Padding padding) {
        return encodeBatch(texts, null, maxLength, padding);
    }

    /**
     * Encodes {@code texts} (paired with {@code pairs} when not null, same size), truncated to {@code maxLength}
     * and padded on the right with the pad id (type id 0, mask 0) to the longest member or to {@code maxLength}.
     */
    public BatchEncoding encodeBatch(List<String> texts, List<String> pairs, int maxLength, Padding padding) {
        if (pairs != null && pairs.size() != texts.size()) {
            throw new IllegalArgumentException("texts (" + texts.size() + ") and pairs (" + pairs.size()
                    + ") differ in size");
        }
        if (padding == Padding.MAX_LENGTH && maxLength == Integer.MAX_VALUE) {
            throw new IllegalArgumentException("padding to MAX_LENGTH needs a finite maxLength");
        }
        Encoding[] enc = new Encoding[texts.size()];
        int longest = 0;
        for (int i = 0; i < enc.length; i++) {
            enc[i] = encode(texts.get(i), pairs == null ? null : pairs.get(i), maxLength);
            longest = Math.max(longest, enc[i].length());
        }
        int len = padding == Padding.MAX_LENGTH ? maxLength : longest;
        int[][] ids = new int[enc.length][];
        int[][] mask = new int[enc.length][];
        int[][] types = new int[enc.length][];
        for (int i = 0; i < enc.length; i++) {
            ids[i] = Arrays.copyOf(enc[i].ids(), len);
            Arrays.fill(ids[i], enc[i].length(), len, padId);
            mask[i] = Arrays.copyOf(enc[i].attentionMask(), len);
            types[i] = Arrays.copyOf(enc[i].typeIds(), len);
        }
        return new BatchEncoding(ids, mask, types);
    }

    public int vocabSize() {
        return model.vocab().size();
    }

    public int padId() {
        return padId;
    }

    /**
     * The truncation length the tokenizer.json declares ({@code truncation.max_length}, special tokens included: 128
     * for all-MiniLM-L6-v2), if it declares one. {@link #encode} does not apply it; callers that want Hugging Face's
     * behaviour do (see {@code TextEncoder}).
     */
    public java.util.OptionalInt declaredMaxLength() {
        return declaredMaxLength == 0 ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(declaredMaxLength);
    }

    /** How many special tokens a single text gets ([CLS] and [SEP]: 2). */
    public int specialTokensForSingle() {
        return post.addedTokens(false);
    }
}
