package dev.peft4j.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.peft4j.adapter.AdapterIo;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The {@code --output} folder of a fine-tuning run as a single-writer, transactional artifact:
 * <ol>
 *   <li>{@link #open} takes the folder's {@link RunLock} before anything else, removes the temporary files a killed
 *       writer left, and refuses a folder that holds a run unless {@code --resume} or {@code --overwrite} says what
 *       to do with it;</li>
 *   <li>{@link #check} compares the run's stored {@link RunFingerprint} with this one's when resuming, and reads and
 *       checks the stored metrics history; nothing is written up to here, so every refusal and every failure of
 *       the options, plan, data or checkpoint leaves the folder as it was;</li>
 *   <li>{@link #begin} is the first write, once training has started (the checkpoint, when resuming, is read and
 *       accepted by then): {@code --overwrite} removes the old run's files, a resume cuts {@value #METRICS} back to
 *       the checkpoint's step (so nothing is counted twice), and {@value #SETTINGS} records the fingerprint and the
 *       session;</li>
 *   <li>{@link #append} adds metrics lines; the plots and summary read the whole history ({@link #validationCurve},
 *       {@link #trainingSecondsBefore}).</li>
 * </ol>
 */
final class RunFolder implements AutoCloseable {
    static final String METRICS = "metrics.jsonl";
    static final String SETTINGS = "settings.json";
    static final String CHECKPOINT = "checkpoint.safetensors";
    static final String SUMMARY = "summary.json";
    static final String FORMAT = "peft4j-run-settings-1";
    /** The files of a run in its folder (besides {@link RunInfo#ADAPTER_DIR}). */
    static final List<String> FILES = List.of(METRICS, SETTINGS, CHECKPOINT, SUMMARY, RunInfo.FILE, "loss.png",
            "validation.png");
    /** The files of a run in its adapter folder. */
    static final List<String> ADAPTER_FILES = List.of(AdapterIo.WEIGHTS, AdapterIo.CONFIG);

    /** What the command line asked for a folder that holds a run. */
    enum Mode { NEW, RESUME, OVERWRITE }

    /** A refusal that is a usage error (exit 2): the options do not fit the folder. */
    static final class UsageException extends IllegalArgumentException {
        UsageException(String message) {
            super(message);
        }
    }

    private final Path dir;
    private final RunLock lock;
    private final Mode mode;
    private final List<String> removedTemporaries;
    private List<JsonObject> lines = new ArrayList<>();
    private JsonObject storedSettings;
    private RunFingerprint fingerprint;
    private BufferedWriter metrics;
    private boolean begun;
    private double secondsBefore;
    private long sessionStart = System.nanoTime();

    private RunFolder(Path dir, RunLock lock, Mode mode, List<String> removedTemporaries) {
        this.dir = dir;
        this.lock = lock;
        this.mode = mode;
        this.removedTemporaries = removedTemporaries;
    }

    /**
     * Locks {@code dir} (creating it), removes stale temporary files, and decides what the run does with the folder;
     * a folder that holds a run needs {@code resume} or {@code overwrite} ({@link UsageException} otherwise).
     */
    static RunFolder open(Path dir, boolean resume, boolean overwrite) throws IOException {
        if (resume && overwrite) {
            throw new UsageException("--resume and --overwrite exclude each other: --resume continues the run in "
                    + dir + ", --overwrite replaces it");
        }
        RunLock lock = RunLock.acquire(dir, "peft4j finetune");
        try {
            List<String> removed = removeTemporaries(dir);
            List<String> found = runFiles(dir);
            if (!found.isEmpty() && !resume && !overwrite) {
                throw new UsageException(dir + " holds a run (" + String.join(", ", found) + "): add --resume to "
                        + "continue it from its checkpoint, or --overwrite to replace it; or choose another --output");
            }
            Mode mode = found.isEmpty() ? Mode.NEW : resume ? Mode.RESUME : Mode.OVERWRITE;
            RunFolder run = new RunFolder(dir, lock, mode, removed);
            if (mode == Mode.RESUME) {
                run.lines = readMetrics(dir.resolve(METRICS));
                run.storedSettings = readSettings(dir.resolve(SETTINGS));
            }
            return run;
        } catch (IOException | RuntimeException | Error e) {
            lock.close();
            throw e;
        }
    }

    Mode mode() {
        return mode;
    }

    /** The temporary files of an interrupted writer that {@link #open} removed (relative names). */
    List<String> removedTemporaries() {
        return removedTemporaries;
    }

    /**
     * Takes this run's fingerprint; when resuming a run that stored one, every setting must match
     * ({@link UsageException} naming those that differ). A run folder from before fingerprints is resumed with a note.
     */
    void check(RunFingerprint current) {
        this.fingerprint = current;
        if (mode != Mode.RESUME) {
            return;
        }
        if (storedSettings == null) {
            System.out.println("note: " + dir + " has no " + SETTINGS + " (an older peft4j made it): --resume cannot "
                    + "check that the dataset, split and training settings are the run's");
            return;
        }
        List<String> differ = current.differences(RunFingerprint.fromJson(storedSettings, dir.resolve(SETTINGS).toString()));
        if (!differ.isEmpty()) {
            throw new UsageException("--resume: the run in " + dir + " was made with other settings, and continuing "
                    + "it with these would mix two runs: " + String.join("; ", differ) + ". Resume it with the run's "
                    + "settings (" + dir.resolve(SETTINGS) + " lists them), or start again with --overwrite");
        }
    }

    /** Marks the start of this session's training (the clock of {@code train_seconds}). */
    void startClock() {
        sessionStart = System.nanoTime();
    }

    /**
     * The first write, once the run has validated everything and trained up to {@code fromStep} (the checkpoint's
     * step when resuming, else 0): clears an overwritten run, cuts the history back to {@code fromStep}, starts
     * {@value #METRICS} and records the settings and this session. Later calls do nothing.
     */
    void begin(long fromStep) throws IOException {
        if (begun) {
            return;
        }
        if (fingerprint == null) {
            throw new IllegalStateException("check(fingerprint) comes before begin");
        }
        JsonArray sessions = new JsonArray();
        if (mode == Mode.OVERWRITE) {
            deleteRun();
        }
        if (mode == Mode.RESUME) {
            List<JsonObject> kept = new ArrayList<>();
            for (JsonObject o : lines) {
                if (stepOf(o) >= 0 && stepOf(o) <= fromStep) {
                    kept.add(o);
                    if (o.has("train_seconds")) {
                        secondsBefore = o.get("train_seconds").getAsDouble();
                    }
                }
            }
            lines = kept;
            if (storedSettings != null && storedSettings.get("sessions") instanceof JsonArray a) {
                sessions = a;
            }
        } else {
            lines = new ArrayList<>();
        }
        Path file = dir.resolve(METRICS);
        StringBuilder text = new StringBuilder();
        Gson gson = new Gson();
        for (JsonObject o : lines) {
            text.append(gson.toJson(o)).append('\n');
        }
        writeAtomically(file, text.toString());
        metrics = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        JsonObject session = new JsonObject();
        session.addProperty("from_step", fromStep);
        session.addProperty("started", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        sessions.add(session);
        JsonObject settings = new JsonObject();
        settings.addProperty("format", FORMAT);
        fingerprint.toJson().entrySet().forEach(e -> settings.add(e.getKey(), e.getValue()));
        settings.add("sessions", sessions);
        storedSettings = settings;
        writeAtomically(dir.resolve(SETTINGS), new GsonBuilder().setPrettyPrinting().create().toJson(settings) + "\n");
        begun = true;
    }

    /** Appends one line to {@value #METRICS} (after {@link #begin}), written through at once. */
    void append(JsonObject line) {
        if (!begun) {
            throw new IllegalStateException("begin(step) comes before the first metrics line");
        }
        lines.add(line);
        try {
            metrics.write(new Gson().toJson(line));
            metrics.newLine();
            metrics.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(METRICS) + ": " + e.getMessage(), e);
        }
    }

    /** The training seconds of the steps before this session (0 for a new run): the kept history's last. */
    double trainingSecondsBefore() {
        return secondsBefore;
    }

    /** Training seconds of the whole run so far, across resumes. */
    double trainingSecondsNow() {
        return secondsBefore + (System.nanoTime() - sessionStart) / 1e9;
    }

    /** Every validation of the whole run: {step, loss, accuracy}. */
    List<double[]> validationCurve() {
        List<double[]> out = new ArrayList<>();
        for (JsonObject o : lines) {
            if (o.has("val_loss") && o.has("val_accuracy") && stepOf(o) >= 0) {
                out.add(new double[] {stepOf(o), o.get("val_loss").getAsDouble(), o.get("val_accuracy").getAsDouble()});
            }
        }
        return out;
    }

    /** The sessions that made the run: the step each started from, the first 0 (a resume starts later). */
    List<Long> sessionStarts() {
        List<Long> out = new ArrayList<>();
        if (storedSettings != null && storedSettings.get("sessions") instanceof JsonArray a) {
            for (JsonElement e : a) {
                if (e instanceof JsonObject o && o.has("from_step")) {
                    out.add(o.get("from_step").getAsLong());
                }
            }
        }
        return out;
    }

    /** Flushes the metrics and releases the lock. */
    @Override
    public void close() throws IOException {
        try {
            if (metrics != null) {
                metrics.close();
            }
        } finally {
            lock.close();
        }
    }

    // ------------------------------------------------------------------------------------------ the folder's files

    /** The run files in {@code dir} (a non-empty answer means: the folder holds a run). */
    private static List<String> runFiles(Path dir) {
        List<String> found = new ArrayList<>();
        for (String f : FILES) {
            if (Files.exists(dir.resolve(f))) {
                found.add(f);
            }
        }
        for (String f : ADAPTER_FILES) {
            if (Files.exists(dir.resolve(RunInfo.ADAPTER_DIR).resolve(f))) {
                found.add(RunInfo.ADAPTER_DIR + "/" + f);
            }
        }
        return found;
    }

    /** Removes the old run's files (only those: anything else the folder holds stays). */
    private void deleteRun() throws IOException {
        for (String f : FILES) {
            Files.deleteIfExists(dir.resolve(f));
        }
        Path adapter = dir.resolve(RunInfo.ADAPTER_DIR);
        for (String f : ADAPTER_FILES) {
            Files.deleteIfExists(adapter.resolve(f));
        }
        if (Files.isDirectory(adapter)) {
            try (Stream<Path> rest = Files.list(adapter)) {
                if (rest.findAny().isEmpty()) {
                    Files.delete(adapter);
                }
            }
        }
    }

    /**
     * Deletes the temporary files that peft4j's own writers make beside the run's files and that only a killed
     * writer leaves behind ({@code .checkpoint.safetensors.123.tmp}, {@code loss.png.tmp}, ...); any other file
     * stays. Runs with the lock held, so no live writer owns them.
     */
    private static List<String> removeTemporaries(Path dir) throws IOException {
        List<String> removed = new ArrayList<>();
        removeTemporaries(dir, FILES, "", removed);
        Path adapter = dir.resolve(RunInfo.ADAPTER_DIR);
        if (Files.isDirectory(adapter)) {
            removeTemporaries(adapter, ADAPTER_FILES, RunInfo.ADAPTER_DIR + "/", removed);
        }
        return removed;
    }

    private static void removeTemporaries(Path dir, List<String> files, String prefix, List<String> removed)
            throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.tmp")) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (Files.isRegularFile(p) && files.stream().anyMatch(f -> isTemporaryOf(name, f))) {
                    Files.delete(p);
                    removed.add(prefix + name);
                }
            }
        }
    }

    /** {@code name} is a temporary file of {@code file}: {@code file.tmp} or {@code .file.<random>.tmp}. */
    static boolean isTemporaryOf(String name, String file) {
        return name.equals(file + ".tmp") || name.startsWith("." + file + ".") && name.endsWith(".tmp");
    }

    /**
     * The metrics history of a run, checked before anything is written: every line a JSON object; a last line that
     * is not (a writer killed in mid-line) is dropped, any other is an error naming the line.
     */
    private static List<JsonObject> readMetrics(Path file) throws IOException {
        if (!Files.exists(file)) {
            return new ArrayList<>();
        }
        String[] raw = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\n", -1);
        int last = raw.length - 1;
        while (last >= 0 && raw[last].isBlank()) {
            last--;
        }
        List<JsonObject> out = new ArrayList<>();
        for (int i = 0; i <= last; i++) {
            if (raw[i].isBlank()) {
                continue;
            }
            JsonObject o = null;
            try {
                JsonElement e = JsonParser.parseString(raw[i]);
                o = e.isJsonObject() ? e.getAsJsonObject() : null;
            } catch (JsonParseException e) {
                o = null;
            }
            if (o == null || o.has("step") && stepOf(o) < 0) {
                if (i == last) {
                    System.out.println("note: dropping the torn last line of " + file + " (its writer was killed)");
                    break;
                }
                throw new IllegalArgumentException(file + " line " + (i + 1) + " is not a metrics record (a JSON "
                        + "object with a whole-number step): repair or delete that line, or start the run again with "
                        + "--overwrite");
            }
            out.add(o);
        }
        return out;
    }

    /** The stored settings, or null when the run has none (an older peft4j); a broken file is an error. */
    private static JsonObject readSettings(Path file) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            JsonElement e = JsonParser.parseString(Files.readString(file));
            if (e.isJsonObject() && e.getAsJsonObject().get("format") instanceof JsonElement f && f.isJsonPrimitive()
                    && FORMAT.equals(f.getAsString())) {
                JsonObject o = e.getAsJsonObject();
                RunFingerprint.fromJson(o, file.toString());
                return o;
            }
        } catch (JsonParseException | java.nio.charset.CharacterCodingException e) {
            // refused below
        }
        throw new IllegalArgumentException(file + " is not a peft4j run-settings file (format " + FORMAT + "); "
                + "--resume cannot check the run's settings: start the run again with --overwrite");
    }

    /** A line's step, or -1 when it has none (the held-out test line) or it is not a whole number. */
    private static long stepOf(JsonObject o) {
        JsonElement s = o.get("step");
        if (s == null || !s.isJsonPrimitive() || !s.getAsJsonPrimitive().isNumber()) {
            return -1;
        }
        double d = s.getAsDouble();
        return d >= 0 && d == Math.rint(d) ? (long) d : -1;
    }

    /** Writes {@code text} to {@code file} through a forced temporary file and an atomic rename. */
    private static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
