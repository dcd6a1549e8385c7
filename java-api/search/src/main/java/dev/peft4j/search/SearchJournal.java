package dev.peft4j.search;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.peft4j.io.JsonText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An append-only journal of finished trials, one JSON object per line, each line forced to disk before
 * {@link #append} returns. Opening an existing journal loads its trials so a restarted search skips them; a last
 * line cut short by a kill is dropped (the file is truncated to its last complete line). A trial id whose
 * fingerprint differs from the journal's is an error: the journal belongs to another search.
 * Line: {"trial": id, "fingerprint": hex, "status": "OK"|"FAILED", "metric": x|null, "params": n,
 * "fraction": x, "reason": text|null, "seconds": x}. A complete line that is not such an object (not JSON, a field
 * missing or of the wrong type) is an {@link IllegalStateException} naming the file, the line and the field.
 */
public final class SearchJournal implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private final Map<String, TrialResult> finished = new LinkedHashMap<>();

    private SearchJournal(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** A journal that keeps results in memory only (no resume). */
    public static SearchJournal inMemory() {
        return new SearchJournal(null, null);
    }

    /** Opens (creating if needed) the journal file and loads its finished trials. */
    public static SearchJournal open(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        SearchJournal j = new SearchJournal(file, ch);
        try {
            j.load();
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return j;
    }

    private void load() throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') {
            end--;
        }
        if (end < bytes.length) {
            channel.truncate(end); // a partial last line: the write a kill interrupted
            channel.force(true);
        }
        String[] lines = new String(bytes, 0, end, StandardCharsets.UTF_8).split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            JsonElement line;
            try {
                line = JsonParser.parseString(lines[i]);
            } catch (JsonParseException e) {
                throw malformed(i, "not JSON: " + JsonText.parseProblem(e));
            }
            TrialResult r;
            try {
                r = parse(JsonText.object(line, "the line"));
            } catch (IllegalArgumentException e) {
                throw malformed(i, e.getMessage());
            }
            finished.put(r.trialId(), r);
        }
    }

    private IllegalStateException malformed(int lineIndex, String why) {
        return new IllegalStateException("journal " + file + " line " + (lineIndex + 1) + " is malformed: " + why);
    }

    /**
     * The journaled result of trial {@code id}, if it finished before; its fingerprint must be {@code fingerprint}
     * (else the journal was written by a search with other settings, and using it is an error).
     */
    public synchronized Optional<TrialResult> lookup(String id, String fingerprint) {
        TrialResult r = finished.get(id);
        if (r == null) {
            return Optional.empty();
        }
        if (!r.fingerprint().equals(fingerprint)) {
            throw new IllegalStateException("journal " + file + " holds trial " + id + " with fingerprint "
                    + r.fingerprint() + " but this search's trial has " + fingerprint
                    + ": the journal was written with other settings (model, data or split, learning rate, batch,"
                    + " maximum length, epochs, seed, backend, metric or space); use a new output folder");
        }
        return Optional.of(r);
    }

    /** Appends one result and forces it to disk. */
    public synchronized void append(TrialResult r) {
        finished.put(r.trialId(), r);
        if (channel == null) {
            return;
        }
        byte[] line = (format(r).toString() + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            ByteBuffer b = ByteBuffer.wrap(line);
            channel.position(channel.size());
            while (b.hasRemaining()) {
                channel.write(b);
            }
            channel.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to journal " + file, e);
        }
    }

    public synchronized int size() {
        return finished.size();
    }

    public synchronized Map<String, TrialResult> results() {
        return Map.copyOf(finished);
    }

    static JsonObject format(TrialResult r) {
        JsonObject o = new JsonObject();
        o.addProperty("trial", r.trialId());
        o.addProperty("fingerprint", r.fingerprint());
        o.addProperty("status", r.status().name());
        if (Double.isFinite(r.metric())) {
            o.addProperty("metric", r.metric());
        } else {
            o.add("metric", com.google.gson.JsonNull.INSTANCE);
        }
        o.addProperty("params", r.trainableParameters());
        o.addProperty("fraction", r.parameterFraction());
        o.addProperty("reason", r.reason());
        o.addProperty("seconds", r.seconds());
        return o;
    }

    /**
     * One journal line back as a result. Every field is checked to be a JSON primitive of its kind (a string, a
     * number, a whole number; metric and reason may be null); anything else is an {@link IllegalArgumentException}
     * naming the field.
     */
    static TrialResult parse(JsonObject o) {
        String trial = JsonText.string(o, "", "trial");
        String fingerprint = JsonText.string(o, "", "fingerprint");
        String status = JsonText.string(o, "", "status");
        if (!status.equals("OK") && !status.equals("FAILED")) {
            throw new IllegalArgumentException("field status: expected \"OK\" or \"FAILED\", got "
                    + JsonText.describe(o.get("status")));
        }
        return new TrialResult(trial, fingerprint, TrialResult.Status.valueOf(status),
                JsonText.optionalNumber(o, "", "metric", Double.NaN), JsonText.wholeNumber(o, "", "params"),
                JsonText.number(o, "", "fraction"), JsonText.optionalString(o, "", "reason"),
                JsonText.number(o, "", "seconds"));
    }

    @Override
    public synchronized void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }
}
