package dev.peft4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.peft4j.cli.CliTest.Run;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The finetune run folder at the command line, as a hostile but realistic user meets it (issue 18, items 1–5 and 9):
 * exit codes and the files on disk before and after. A failing or refused finetune leaves the folder byte for byte
 * as it was; an existing run needs --resume or --overwrite; --resume refuses other settings and keeps the whole
 * history; a second writer is refused while the first holds the lock; the temporary file of a writer killed inside
 * a checkpoint write does not survive the resume. Two tests run the CLI in a child JVM (the writer that holds the
 * lock, the writer that is killed); the rest run it in-process ({@link CliTest#run}).
 */
class RunFolderTest {
    @TempDir
    static Path dir;
    static Path csv;
    /** A finished run: 2 epochs of 6 steps, validation at steps 6 and 12, a checkpoint at step 8 (and none later). */
    static Path finished;

    /** The sizes of the probes; 2 epochs so that a checkpoint (step 8) falls inside the run. */
    static final List<String> SIZES = List.of("--train", "48", "--validation", "16", "--test", "32", "--batch", "8",
            "--max-length", "32", "--backend", "cpu");

    @BeforeAll
    static void finishedRun() throws Exception {
        csv = dir.resolve("reviews.csv");
        Files.write(csv, reviews(false));
        finished = dir.resolve("finished");
        Run r = finetune(finished, "--epochs", "2", "--checkpoint-every", "8");
        assertEquals(0, r.exit(), r.out() + r.err());
    }

    /** 120 labelled reviews; {@code relabelled} flips the labels of two rows (same size, other content). */
    static List<String> reviews(boolean relabelled) {
        String[] good = {"a wonderful, moving film", "great acting and a great story", "I loved every minute",
            "brilliant and funny", "a delightful surprise", "superb direction"};
        String[] bad = {"a boring, tedious mess", "terrible acting and a dull story", "I hated every minute",
            "awful and slow", "a complete waste of time", "dreadful direction"};
        List<String> lines = new ArrayList<>();
        lines.add("text,label");
        for (int i = 0; i < 10; i++) {
            for (int k = 0; k < good.length; k++) {
                boolean flip = relabelled && i == 0 && k < 2;
                lines.add("\"" + good[k] + " " + i + "\"," + (flip ? "neg" : "pos"));
                lines.add("\"" + bad[k] + " " + i + "\"," + (flip ? "pos" : "neg"));
            }
        }
        return lines;
    }

    static Run finetune(Path out, String... more) {
        return CliTest.run(arguments(out, more).toArray(String[]::new));
    }

    /** finetune's arguments: the dataset, {@link #SIZES} and {@code out}, with {@code more} added or replacing them. */
    static List<String> arguments(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("finetune", "--dataset", "csv:" + csv));
        args.addAll(SIZES);
        args.addAll(List.of("--output", out.toString()));
        for (int i = 0; i < more.length; i++) {
            boolean flag = more[i].equals("--resume") || more[i].equals("--overwrite");
            int at = args.indexOf(more[i]);
            if (flag) {
                args.add(more[i]);
            } else if (at >= 0) {
                args.set(at + 1, more[++i]);
            } else {
                args.add(more[i]);
                args.add(more[++i]);
            }
        }
        return args;
    }

    // ------------------------------------------------------------------------------------------------ item 1

    @Test
    void aFailingOrRefusedFinetuneLeavesTheRunFolderAsItWas() throws Exception {
        Path run = copy(finished, dir.resolve("item1"));
        Path missingPlan = dir.resolve("no-such-plan.json");
        List<List<String>> attempts = List.of(
                // the probe: a finished run folder, finetune into it with an impossible batch
                List.of("--epochs", "2", "--checkpoint-every", "8", "--batch", "2147483647"),
                List.of("--epochs", "2", "--checkpoint-every", "8", "--resume", "--batch", "2147483647"),
                List.of("--epochs", "2", "--checkpoint-every", "8", "--overwrite", "--batch", "2147483647"),
                List.of("--epochs", "2", "--overwrite", "--plan", missingPlan.toString()),
                List.of("--epochs", "2", "--overwrite", "--method", "no-such-method"),
                List.of("--epochs", "2", "--overwrite", "--dataset", "csv:" + dir.resolve("missing.csv")));
        Map<String, String> before = snapshot(run);
        assertTrue(Files.size(run.resolve("metrics.jsonl")) > 0);
        for (List<String> a : attempts) {
            Run r = finetune(run, a.toArray(String[]::new));
            assertNotEquals(0, r.exit(), a + " fails: " + r.out());
            assertEquals(before, snapshot(run), a + " changed the run folder; stderr: " + r.err());
        }

        // a refused resume: the checkpoint is corrupt (every file stays, metrics.jsonl included)
        Path ckpt = run.resolve("checkpoint.safetensors");
        byte[] bytes = Files.readAllBytes(ckpt);
        bytes[bytes.length - 5] ^= 0x40;
        Files.write(ckpt, bytes);
        before = snapshot(run);
        Run r = finetune(run, "--epochs", "2", "--checkpoint-every", "8", "--resume");
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.err().contains("checkpoint.safetensors"), r.err());
        assertEquals(before, snapshot(run), "a refused --resume changed the run folder");
    }

    // ------------------------------------------------------------------------------------------------ item 2

    @Test
    void resumeKeepsTheWholeHistoryAndCountsNothingTwice() throws Exception {
        Path run = copy(finished, dir.resolve("item2"));
        // resume from the checkpoint at step 8: steps 9..12 and the validation at 12 run again
        Run r = finetune(run, "--epochs", "2", "--checkpoint-every", "8", "--resume");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("resuming from"), r.out());

        List<JsonObject> lines = metrics(run);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L), steps(lines, "loss"),
                "every step once, in order, across the resume");
        assertEquals(List.of(6L, 12L), steps(lines, "val_accuracy"), "both validations once");
        assertEquals(1, lines.stream().filter(o -> o.has("test_accuracy")).count(), "one held-out line");
        assertEquals(losses(metrics(finished)), losses(lines), "the resumed steps repeat the uninterrupted run's losses");

        JsonObject summary = json(run.resolve("summary.json"));
        assertEquals(12, summary.get("steps").getAsLong());
        assertEquals(2, summary.get("sessions").getAsInt());
        assertEquals("[8]", summary.get("resumed_at_steps").toString());
        double atCheckpoint = lines.stream().filter(o -> o.has("loss") && o.get("step").getAsLong() == 8)
                .findFirst().orElseThrow().get("train_seconds").getAsDouble();
        assertTrue(summary.get("training_seconds").getAsDouble() > atCheckpoint,
                "the training time counts the steps before the resume: " + summary);
        assertTrue(linePixels(run.resolve("validation.png")) > 100,
                "validation.png draws the curve through both validations (" + linePixels(run.resolve("validation.png")) + ")");
    }

    // ------------------------------------------------------------------------------------------------ item 3

    @Test
    void resumeRefusesSettingsThatChangeTheResultAndNamesThem() throws Exception {
        Path run = copy(finished, dir.resolve("item3"));
        Path other = dir.resolve("other.csv");
        Files.write(other, reviews(true));
        Map<String, String> before = snapshot(run);
        Map<List<String>, String> probes = new LinkedHashMap<>();
        probes.put(List.of("--dataset", "csv:" + other), "--dataset csv:" + csv + " (now csv:" + other + ")");
        probes.put(List.of("--max-length", "24"), "--max-length 32 (now 24)");
        probes.put(List.of("--split-seed", "7"), "--split-seed 42 (now 7)");
        probes.put(List.of("--lr", "0.01"), "--lr 0.001 (now 0.01)");
        probes.put(List.of("--method", "bitfit"), "--method lora (now bitfit)");
        for (Map.Entry<List<String>, String> p : probes.entrySet()) {
            List<String> args = new ArrayList<>(List.of("--epochs", "2", "--checkpoint-every", "8", "--resume"));
            args.addAll(p.getKey());
            Run r = finetune(run, args.toArray(String[]::new));
            assertEquals(2, r.exit(), p.getKey() + " is refused: " + r.out() + r.err());
            assertTrue(r.err().contains(p.getValue()), p.getKey() + " is named: " + r.err());
            assertTrue(r.err().contains("was made with other settings"), r.err());
            assertEquals(before, snapshot(run), p.getKey() + " changed the run folder");
        }
        // the same --dataset, but the file's content changed since the run
        List<String> original = Files.readAllLines(csv);
        try {
            Files.write(csv, reviews(true));
            Run r = finetune(run, "--epochs", "2", "--checkpoint-every", "8", "--resume");
            assertEquals(2, r.exit(), "changed data is refused: " + r.out());
            assertTrue(r.err().contains("the data"), r.err());
        } finally {
            Files.write(csv, original);
        }
        assertEquals(before, snapshot(run));
    }

    // ------------------------------------------------------------------------------------------------ item 4

    @Test
    void aSecondWriterIsRefusedWhileTheFirstHoldsTheFolder() throws Exception {
        Path run = dir.resolve("item4");
        Path log = dir.resolve("item4-writer.log");
        Process first = child(log, run, "--epochs", "1");
        try {
            String holder = waitForLockHolder(run, first, log);
            assertTrue(holder.contains("pid " + first.pid()), holder);
            Run second = finetune(run, "--epochs", "1");
            assertEquals(1, second.exit(), "the second writer is refused: " + second.out());
            assertTrue(second.err().contains("in use") && second.err().contains("pid " + first.pid()),
                    "the refusal names the holder: " + second.err());
            Run third = finetune(run, "--epochs", "1", "--overwrite");
            assertEquals(1, third.exit(), "--overwrite does not break the lock: " + third.out());
            assertTrue(first.waitFor(5, TimeUnit.MINUTES), "the first writer ends");
            assertEquals(0, first.exitValue(), Files.readString(log));
        } finally {
            first.destroyForcibly();
        }
        List<JsonObject> lines = metrics(run);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), steps(lines, "loss"), "the first writer's history is whole");
        assertEquals(List.of(6L), steps(lines, "val_accuracy"));
        assertEquals(6, json(run.resolve("summary.json")).get("steps").getAsLong());
    }

    // ------------------------------------------------------------------------------------------------ item 5

    @Test
    void anExistingRunNeedsResumeOrOverwrite() throws Exception {
        Path run = copy(finished, dir.resolve("item5"));
        Map<String, String> before = snapshot(run);
        Run plain = finetune(run, "--epochs", "1");
        assertEquals(2, plain.exit(), "a run folder is not replaced silently: " + plain.out() + plain.err());
        assertTrue(plain.err().contains(run + " holds a run") && plain.err().contains("add --resume")
                && plain.err().contains("--overwrite to replace it"), plain.err());
        assertEquals(before, snapshot(run));
        Run both = finetune(run, "--epochs", "1", "--resume", "--overwrite");
        assertEquals(2, both.exit(), both.out() + both.err());
        assertTrue(both.err().contains("exclude each other"), both.err());
        assertEquals(before, snapshot(run));

        Files.writeString(run.resolve("notes.txt"), "the user's own file");
        Run over = finetune(run, "--epochs", "1", "--checkpoint-every", "0", "--overwrite");
        assertEquals(0, over.exit(), over.out() + over.err());
        assertFalse(Files.exists(run.resolve("checkpoint.safetensors")), "the old run's checkpoint is gone");
        List<JsonObject> lines = metrics(run);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), steps(lines, "loss"), "only the new run's steps");
        assertEquals(List.of(6L), steps(lines, "val_accuracy"));
        JsonObject summary = json(run.resolve("summary.json"));
        assertEquals(6, summary.get("steps").getAsLong());
        assertEquals(1, summary.get("sessions").getAsInt());
        assertEquals("the user's own file", Files.readString(run.resolve("notes.txt")), "files not of the run stay");
    }

    // ------------------------------------------------------------------------------------------------ item 9

    @Test
    void aWriterKilledInsideACheckpointWriteLeavesNoTemporaryFileAfterTheResume() throws Exception {
        Path run = dir.resolve("item9");
        Path log = dir.resolve("item9-writer.log");
        String[] settings = {"--epochs", "2", "--checkpoint-every", "1"};
        Process writer = child(log, run, settings);
        Path caught = null;
        try {
            caught = killInsideACheckpointWrite(writer, run);
        } finally {
            writer.destroyForcibly();
            writer.waitFor(1, TimeUnit.MINUTES);
        }
        assertTrue(caught != null, "the writer was killed inside a checkpoint write; its log:\n" + Files.readString(log));
        assertTrue(Files.exists(caught), "the killed writer left " + caught.getFileName());
        assertTrue(Files.exists(run.resolve("checkpoint.safetensors")), "and the previous checkpoint");
        // what other killed writers leave: a plot's and an adapter's temporary file; a file of the user's stays
        Files.writeString(run.resolve("loss.png.tmp"), "half a png");
        Files.createDirectories(run.resolve("adapter"));
        Files.writeString(run.resolve("adapter/.adapter_model.safetensors.123456.tmp"), "half a tensor file");
        Files.writeString(run.resolve("notes.tmp"), "the user's own file");

        Run resumed = finetune(run, settings[0], settings[1], settings[2], settings[3], "--resume");
        assertEquals(0, resumed.exit(), resumed.out() + resumed.err());
        assertTrue(resumed.out().contains("resuming from"), resumed.out());
        try (Stream<Path> all = Files.walk(run)) {
            List<String> left = all.map(p -> run.relativize(p).toString()).filter(n -> n.endsWith(".tmp")).sorted().toList();
            assertEquals(List.of("notes.tmp"), left, "no temporary file of a writer survives the resume");
        }
        List<JsonObject> lines = metrics(run);
        List<Long> expected = new ArrayList<>();
        for (long s = 1; s <= 12; s++) {
            expected.add(s);
        }
        assertEquals(expected, steps(lines, "loss"), "every step once across the kill and the resume");
        assertEquals(List.of(6L, 12L), steps(lines, "val_accuracy"));
        assertEquals(12, json(run.resolve("summary.json")).get("steps").getAsLong());
    }

    /**
     * Watches {@code run} for the checkpoint's temporary file; when it appears the writer is stopped (SIGSTOP), and
     * if the file is still there, killed (SIGKILL): a kill inside the write, deterministically. When the write has
     * already ended, the writer continues (SIGCONT) and the next checkpoint is tried. Only writes after the first
     * are caught, so that the resume starts from a checkpoint. Returns the file, or null when the writer ended first.
     */
    private static Path killInsideACheckpointWrite(Process writer, Path run) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        int missed = 0;
        try (Signals signals = new Signals()) {
            while (writer.isAlive() && System.nanoTime() < deadline) {
                Path tmp = Files.exists(run.resolve("checkpoint.safetensors")) ? checkpointTemporary(run) : null;
                if (tmp == null) {
                    Thread.onSpinWait();
                    continue;
                }
                signals.send("STOP", writer.pid());
                // a stop is delivered asynchronously: a rename already inside the kernel still completes, so the
                // file is looked at only once every thread of the writer has stopped
                awaitStopped(writer.pid());
                if (Files.exists(tmp)) {
                    signals.send("KILL", writer.pid());
                    writer.waitFor(1, TimeUnit.MINUTES);
                    System.out.println("killed the writer inside a checkpoint write (" + missed + " writes missed)");
                    return tmp;
                }
                missed++;
                signals.send("CONT", writer.pid());
            }
        }
        return null;
    }

    /** Waits (up to 10 s) until every thread of process pid is in the stopped state (T in /proc/pid/task/x/stat). */
    private static void awaitStopped(long pid) throws Exception {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            boolean all = true;
            List<Path> threads;
            try (Stream<Path> listed = Files.list(tasks)) {
                threads = listed.toList();
            } catch (java.nio.file.NoSuchFileException e) {
                return; // the process is gone
            }
            for (Path t : threads) {
                String stat;
                try {
                    stat = Files.readString(t.resolve("stat"));
                } catch (java.nio.file.NoSuchFileException e) {
                    continue; // a thread that ended meanwhile
                }
                // the state is the first field after the parenthesised command name
                char state = stat.charAt(stat.lastIndexOf(')') + 2);
                all &= state == 'T' || state == 't';
            }
            if (all) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("process " + pid + " did not stop within 10 s of SIGSTOP");
    }

    private static Path checkpointTemporary(Path run) throws IOException {
        if (!Files.isDirectory(run)) {
            return null;
        }
        try (Stream<Path> files = Files.list(run)) {
            return files.filter(p -> p.getFileName().toString().startsWith(".checkpoint.safetensors.")
                    && p.getFileName().toString().endsWith(".tmp")).findFirst().orElse(null);
        } catch (java.nio.file.NoSuchFileException | java.io.UncheckedIOException e) {
            return null;
        }
    }

    /**
     * Sends signals through one running shell (its kill is a builtin: no process to start, so a stop arrives within
     * about a millisecond of the file's sighting, while the write is still going).
     */
    private static final class Signals implements AutoCloseable {
        private final Process shell = new ProcessBuilder("bash").redirectErrorStream(true).start();
        private final java.io.BufferedReader replies = shell.inputReader();

        Signals() throws IOException {}

        void send(String signal, long pid) throws IOException {
            shell.outputWriter().write("kill -" + signal + " " + pid + "; echo \"sent $?\"\n");
            shell.outputWriter().flush();
            String reply = replies.readLine();
            assertEquals("sent 0", reply, "kill -" + signal + " " + pid);
        }

        @Override
        public void close() {
            shell.destroyForcibly();
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** peft4j finetune in a child JVM with this JVM's class path, writing into {@code out}; output to {@code log}. */
    static Process child(Path log, Path out, String... more) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            cmd.addAll(List.of("--add-modules", "jdk.incubator.vector"));
        }
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-Xss8m", "-Dpeft4j.cpu.warmUp=false", "-cp",
                System.getProperty("java.class.path"), Peft4j.class.getName()));
        cmd.addAll(arguments(out, more));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** The holder line of {@code run}'s lock file, once the child has written it. */
    private static String waitForLockHolder(Path run, Process child, Path log) throws Exception {
        Path lock = run.resolve(".lock");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            if (!child.isAlive()) {
                fail("the first writer ended early:\n" + Files.readString(log));
            }
            if (Files.exists(lock)) {
                String s = Files.readString(lock);
                if (s.contains("pid")) {
                    return s;
                }
            }
            Thread.sleep(20);
        }
        return fail("no lock file in " + run + ":\n" + Files.readString(log));
    }

    static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
        return to;
    }

    /** Every file of {@code run} but the lock file, with a digest of its bytes. */
    static Map<String, String> snapshot(Path run) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(run)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                String name = run.relativize(p).toString();
                if (!name.equals(".lock")) {
                    out.put(name, Files.size(p) + " " + HexFormat.of().formatHex(
                            java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
                }
            }
        }
        return out;
    }

    static List<JsonObject> metrics(Path run) throws IOException {
        return Files.readAllLines(run.resolve("metrics.jsonl"), StandardCharsets.UTF_8).stream()
                .map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
    }

    /** The steps of the lines that carry {@code field}, in file order. */
    static List<Long> steps(List<JsonObject> lines, String field) {
        return lines.stream().filter(o -> o.has(field)).map(o -> o.get("step").getAsLong()).toList();
    }

    static Map<Long, String> losses(List<JsonObject> lines) {
        Map<Long, String> out = new TreeMap<>();
        lines.stream().filter(o -> o.has("loss")).forEach(o -> out.put(o.get("step").getAsLong(), o.get("loss").getAsString()));
        return out;
    }

    static JsonObject json(Path file) throws IOException {
        return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    }

    /** Pixels of the first series' colour (blue 0x1f77b4): a line through two or more points draws many. */
    static int linePixels(Path png) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                if ((rgb & 0xff) > 150 && (rgb >> 16) < 80) {
                    n++;
                }
            }
        }
        return n;
    }
}
