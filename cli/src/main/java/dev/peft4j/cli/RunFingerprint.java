package dev.peft4j.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.peft4j.text.TextExample;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The settings of a fine-tuning run that change its result, by the option that sets them ({@code --dataset},
 * {@code --max-length}, {@code --split-seed}, ...) plus {@code data}, a digest of the examples of the three splits
 * (so a dataset file edited under the same name is caught too), and a SHA-256 {@link #hash()} over all of them. A
 * run folder stores the fingerprint of the run that made it; {@code --resume} compares and names every setting that
 * differs ({@link #differences}). Settings that change only speed or bookkeeping (backend, checkpoint interval,
 * output folder) are not part of it.
 */
final class RunFingerprint {
    /** The setting that holds the digest of the data. */
    static final String DATA = "data";

    private final Map<String, String> settings;

    private RunFingerprint(Map<String, String> settings) {
        this.settings = settings;
    }

    /** Settings are added in the order the options are listed; values are compared as text. */
    static final class Builder {
        private final Map<String, String> settings = new LinkedHashMap<>();

        Builder set(String option, Object value) {
            settings.put(option, String.valueOf(value));
            return this;
        }

        /** {@link #DATA}: a digest of the label names and every example (text and label) of each split, in order. */
        Builder data(List<String> labels, List<List<TextExample>> splits) {
            return set(DATA, digest(labels, splits));
        }

        RunFingerprint build() {
            return new RunFingerprint(Collections.unmodifiableMap(new LinkedHashMap<>(settings)));
        }
    }

    static Builder builder() {
        return new Builder();
    }

    Map<String, String> settings() {
        return settings;
    }

    /** SHA-256 (hex, 16 characters) over every setting. */
    String hash() {
        MessageDigest md = sha256();
        settings.forEach((k, v) -> {
            md.update(k.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(v.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
        });
        return HexFormat.of().formatHex(md.digest(), 0, 8);
    }

    JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("fingerprint", hash());
        JsonObject s = new JsonObject();
        settings.forEach(s::addProperty);
        o.add("settings", s);
        return o;
    }

    /** The fingerprint stored by {@link #toJson()}; {@code where} names the file in errors. */
    static RunFingerprint fromJson(JsonObject o, String where) {
        JsonElement s = o.get("settings");
        if (s == null || !s.isJsonObject()) {
            throw new IllegalArgumentException(where + ": the field settings is missing or not an object");
        }
        Map<String, String> settings = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : s.getAsJsonObject().entrySet()) {
            if (!e.getValue().isJsonPrimitive() || !e.getValue().getAsJsonPrimitive().isString()) {
                throw new IllegalArgumentException(where + ": settings." + e.getKey() + " is not a string");
            }
            settings.put(e.getKey(), e.getValue().getAsString());
        }
        RunFingerprint f = new RunFingerprint(Collections.unmodifiableMap(settings));
        JsonElement h = o.get("fingerprint");
        if (h == null || !h.isJsonPrimitive() || !f.hash().equals(h.getAsString())) {
            throw new IllegalArgumentException(where + ": the settings do not match their fingerprint "
                    + (h == null ? "(none stored)" : h) + ": the file was edited");
        }
        return f;
    }

    /**
     * Each setting of {@code stored} (the run's) that this one does not share, as
     * "{@code --max-length 16 (now 32)}"; empty when the two match.
     */
    List<String> differences(RunFingerprint stored) {
        Set<String> keys = new LinkedHashSet<>(stored.settings.keySet());
        keys.addAll(settings.keySet());
        List<String> out = new ArrayList<>();
        for (String k : keys) {
            String was = stored.settings.get(k);
            String now = settings.get(k);
            if (Objects.equals(was, now)) {
                continue;
            }
            if (k.equals(DATA)) {
                out.add("the data (the examples the splits hold differ from the run's: another dataset, split or "
                        + "columns, or the file changed)");
            } else {
                out.add(k + " " + (was == null ? "(not set)" : was) + " (now " + (now == null ? "not set" : now) + ")");
            }
        }
        return out;
    }

    private static String digest(List<String> labels, List<List<TextExample>> splits) {
        MessageDigest md = sha256();
        ByteBuffer n = ByteBuffer.allocate(8);
        for (String l : labels) {
            text(md, n, l);
        }
        for (List<TextExample> split : splits) {
            md.update(n.clear().putLong(split.size()).array());
            for (TextExample e : split) {
                md.update(n.clear().putLong(e.label()).array());
                text(md, n, e.text());
            }
        }
        return HexFormat.of().formatHex(md.digest(), 0, 16);
    }

    /** SHA-256 of {@code text} (UTF-8), hex, 16 characters. */
    static String sha256(String text) {
        return HexFormat.of().formatHex(sha256().digest(text.getBytes(StandardCharsets.UTF_8)), 0, 8);
    }

    private static void text(MessageDigest md, ByteBuffer n, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        md.update(n.clear().putLong(b.length).array());
        md.update(b);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
