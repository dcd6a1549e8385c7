package dev.peft4j.tokenizer;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * GPT-2's byte-level BPE: text is split by {@link Gpt2PreTokenizer}; each piece's UTF-8 bytes become
 * printable symbols ({@link ByteToUnicode}); then, repeatedly, the adjacent pair of symbols with the lowest
 * merge rank (its line in merges.txt) is joined everywhere in the piece, until no pair has a rank. The
 * resulting symbols are looked up in vocab.json. Decoding maps symbols back to bytes and reads UTF-8.
 */
public final class ByteLevelBpeTokenizer {
    private final Map<String, Integer> vocab;
    private final String[] idToToken;
    private final Map<String, Integer> mergeRanks;
    private final Map<String, List<String>> cache = new ConcurrentHashMap<>();

    /** {@code merges} in rank order, each a pair of symbols. */
    public ByteLevelBpeTokenizer(Map<String, Integer> vocab, List<String[]> merges) {
        this.vocab = Map.copyOf(vocab);
        int maxId = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
        this.idToToken = new String[maxId + 1];
        vocab.forEach((t, id) -> idToToken[id] = t);
        this.mergeRanks = new HashMap<>();
        for (int r = 0; r < merges.size(); r++) {
            String[] m = merges.get(r);
            mergeRanks.putIfAbsent(m[0] + " " + m[1], r);
        }
    }

    public static ByteLevelBpeTokenizer fromFiles(Path vocabJson, Path mergesTxt) throws IOException {
        try (InputStream v = Files.newInputStream(vocabJson); InputStream m = Files.newInputStream(mergesTxt)) {
            return fromStreams(v, m);
        }
    }

    /** Reads vocab.json ({token: id}) and merges.txt (one "a b" pair a line, "#version" header allowed). */
    public static ByteLevelBpeTokenizer fromStreams(InputStream vocabJson, InputStream mergesTxt) throws IOException {
        JsonObject v = JsonParser.parseReader(new InputStreamReader(vocabJson, StandardCharsets.UTF_8)).getAsJsonObject();
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : v.entrySet()) {
            vocab.put(e.getKey(), e.getValue().getAsInt());
        }
        List<String[]> merges = new ArrayList<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(mergesTxt, StandardCharsets.UTF_8));
        String line;
        int lineNo = 0;
        while ((line = r.readLine()) != null) {
            lineNo++;
            if ((lineNo == 1 && line.startsWith("#version")) || line.isBlank()) {
                continue;
            }
            String[] parts = line.split(" ");
            if (parts.length != 2) {
                throw new IOException("merges.txt line " + lineNo + " is not two symbols: '" + line + "'");
            }
            merges.add(parts);
        }
        return new ByteLevelBpeTokenizer(vocab, merges);
    }

    /** The BPE symbols of {@code text}. */
    public List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        for (String piece : Gpt2PreTokenizer.split(text)) {
            out.addAll(cache.computeIfAbsent(piece, p -> bpe(ByteToUnicode.encode(p.getBytes(StandardCharsets.UTF_8)))));
        }
        return out;
    }

    public int[] encode(String text) {
        List<String> tokens = tokenize(text);
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            Integer id = vocab.get(tokens.get(i));
            if (id == null) {
                throw new IllegalArgumentException("symbol '" + tokens.get(i) + "' is not in the vocabulary");
            }
            ids[i] = id;
        }
        return ids;
    }

    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            if (id < 0 || id >= idToToken.length || idToToken[id] == null) {
                throw new IllegalArgumentException("id " + id + " is not in the vocabulary");
            }
            String t = idToToken[id];
            for (int i = 0; i < t.length(); i++) {
                int b = ByteToUnicode.decode(t.charAt(i));
                if (b < 0) {
                    throw new IllegalArgumentException("token '" + t + "' (id " + id + ") holds a non-byte symbol");
                }
                bytes.write(b);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Merges the symbols of one piece (one char each to start), lowest rank first. */
    private List<String> bpe(String piece) {
        List<String> symbols = new ArrayList<>(piece.length());
        for (int i = 0; i < piece.length(); i++) {
            symbols.add(String.valueOf(piece.charAt(i)));
        }
        while (symbols.size() > 1) {
            int best = Integer.MAX_VALUE;
            String bestA = null;
            String bestB = null;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                Integer r = mergeRanks.get(symbols.get(i) + " " + symbols.get(i + 1));
                if (r != null && r < best) {
                    best = r;
                    bestA = symbols.get(i);
                    bestB = symbols.get(i + 1);
                }
            }
            if (bestA == null) {
                break;
            }
            List<String> merged = new ArrayList<>(symbols.size());
            for (int i = 0; i < symbols.size(); i++) {
                if (i + 1 < symbols.size() && symbols.get(i).equals(bestA) && symbols.get(i + 1).equals(bestB)) {
                    merged.add(bestA + bestB);
                    i++;
                } else {
                    merged.add(symbols.get(i));
                }
            }
            symbols = merged;
        }
        return List.copyOf(symbols);
    }

    public int vocabSize() {
        return vocab.size();
    }
}
