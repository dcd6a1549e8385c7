package dev.peft4j.search;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
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
 * "fraction": x, "reason": text|null, "seconds": x}.
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
            TrialResult r;
            try {
                r = parse(JsonParser.parseString(lines[i]).getAsJsonObject());
            } catch (JsonParseException | IllegalStateException | NullPointerException | UnsupportedOperationException e) {
                throw new IllegalStateException("journal " + file + " line " + (i + 1) + " is malformed: " + e.getMessage());
            }
            finished.put(r.trialId(), r);
        }
    }

    /** The journaled result of this trial, if it finished before. */
    public synchronized Optional<TrialResult> lookup(Trial t) {
        TrialResult r = finished.get(t.id());
        if (r == null) {
            return Optional.empty();
        }
        if (!r.fingerprint().equals(t.fingerprint())) {
            throw new IllegalStateException("journal " + file + " holds trial " + t.id() + " with fingerprint "
                    + r.fingerprint() + " but this search's trial has " + t.fingerprint()
                    + ": the journal belongs to another search (other data, seed or space); use a new journal file");
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

    static TrialResult parse(JsonObject o) {
        JsonElement m = o.get("metric");
        JsonElement reason = o.get("reason");
        return new TrialResult(o.get("trial").getAsString(), o.get("fingerprint").getAsString(),
                TrialResult.Status.valueOf(o.get("status").getAsString()),
                m == null || m.isJsonNull() ? Double.NaN : m.getAsDouble(), o.get("params").getAsLong(),
                o.get("fraction").getAsDouble(), reason == null || reason.isJsonNull() ? null : reason.getAsString(),
                o.get("seconds").getAsDouble());
    }

    @Override
    public synchronized void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }
}
