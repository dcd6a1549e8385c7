package dev.peft4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.peft4j.io.SafeTensors;
import dev.peft4j.io.SafeTensorsContent;
import dev.peft4j.io.TensorData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line under hostile but realistic use (issue 18): corrupted adapters, configs and checkpoints, option
 * values out of range, too little memory, unreadable paths and odd texts. Each case checks the exit code, the one
 * line the user reads and, where it matters, the files; a few run the CLI as its own process (out-of-memory, log
 * lines, --debug), the rest in this JVM through {@link Peft4j#run}.
 */
class HostileInputTest {
    @TempDir
    static Path dir;
    static Path csv;
    /** A finished tiny run (LoRA on MiniLM), shared by the cases that damage copies of it. */
    static Path run;

    record Result(int exit, String out, String err) {
        /** The lines the user sees on standard error, without the JVM's own notices. */
        List<String> errLines() {
            return err.lines().filter(l -> !l.startsWith("WARNING: Using incubator") && !l.startsWith("Picked up "))
                    .toList();
        }
    }

    static Result cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Peft4j.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** The CLI as a separate process on this test's class path, with {@code jvm} options; stdin empty. */
    static Result process(List<String> jvm, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Dpeft4j.cpu.warmUp=false"));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Peft4j.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(
                Files.createTempFile(dir, "in", ".txt").toFile()));
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("the CLI did not finish: " + cmd);
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** A tiny finetune into {@code output}; an option in {@code more} replaces the default of the same name. */
    static String[] finetune(Path output, String... more) {
        Map<String, String> options = new LinkedHashMap<>();
        String[] defaults = {"--dataset", "csv:" + csv, "--train", "32", "--validation", "8", "--test", "16", "--epochs",
            "1", "--batch", "8", "--max-length", "16", "--backend", "cpu", "--output", output.toString()};
        for (int i = 0; i < defaults.length; i += 2) {
            options.put(defaults[i], defaults[i + 1]);
        }
        for (int i = 0; i < more.length; i++) {
            boolean valued = i + 1 < more.length && !more[i + 1].startsWith("--");
            options.put(more[i], valued ? more[++i] : null);
        }
        List<String> a = new ArrayList<>(List.of("finetune"));
        options.forEach((k, v) -> {
            a.add(k);
            if (v != null) {
                a.add(v);
            }
        });
        return a.toArray(String[]::new);
    }

    @BeforeAll
    static void trainOnce() throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add("text,label");
        for (int i = 0; i < 30; i++) {
            lines.add("\"a wonderful, moving film " + i + "\",pos");
            lines.add("\"a boring, tedious mess " + i + "\",neg");
        }
        csv = dir.resolve("reviews.csv");
        Files.write(csv, lines);
        run = dir.resolve("run");
        Result r = cli(finetune(run, "--checkpoint-every", "2"));
        assertEquals(0, r.exit(), r.err());
    }

    /** A copy of the shared run folder to damage. */
    static Path copyOfRun(String name) throws IOException {
        Path to = dir.resolve(name);
        try (var files = Files.walk(run)) {
            for (Path p : files.toList()) {
                Path t = to.resolve(run.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
        return to;
    }

    static void assertOneLine(Result r, String... parts) {
        List<String> lines = r.errLines();
        assertTrue(lines.size() <= 3 && !lines.isEmpty() && lines.get(0).startsWith("peft4j: "), r.err());
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception:")
                || l.contains("com.google.gson")), "no stack trace and no class names: " + r.err());
        for (String p : parts) {
            assertTrue(lines.get(0).contains(p), "'" + p + "' missing from: " + lines.get(0));
        }
    }

    // ---------------------------------------------------------------- 6: loaded weights are finite, keys unique

    @Test
    void nanAdapterWeightsAreRefusedNamingFileTensorAndIndex() throws Exception {
        Path r = copyOfRun("nan-run");
        Path weights = r.resolve("adapter/adapter_model.safetensors");
        SafeTensorsContent c = SafeTensors.read(weights);
        Map<String, TensorData> t = new LinkedHashMap<>(c.tensors());
        String key = t.keySet().stream().filter(k -> k.contains("lora_B")).findFirst().orElseThrow();
        float[] data = t.get(key).data().clone();
        data[3] = Float.NaN;
        t.put(key, new TensorData(t.get(key).shape(), data));
        SafeTensors.write(weights, t, c.metadata());
        for (String command : List.of("predict", "eval")) {
            Result res = command.equals("predict") ? cli("predict", "--run", r.toString(), "--backend", "cpu", "fine")
                    : cli("eval", "--run", r.toString(), "--backend", "cpu");
            assertEquals(1, res.exit(), command + ": " + res.out());
            assertOneLine(res, weights.toString(), key, "flat index 3", "NaN");
            assertFalse(res.out().contains("NaN"), "no NaN prediction printed: " + res.out());
        }
        Result merge = cli("merge", "--run", r.toString(), "--output", dir.resolve("nan-merged").toString());
        assertEquals(1, merge.exit());
        assertFalse(Files.exists(dir.resolve("nan-merged/model.safetensors")), "no NaN model written");
    }

    @Test
    void aDuplicateTensorKeyIsRefusedNamingIt() throws Exception {
        Path r = copyOfRun("dup-run");
        Path weights = r.resolve("adapter/adapter_model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        int n = (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        String header = new String(bytes, 8, n, StandardCharsets.UTF_8).strip();
        JsonObject h = JsonParser.parseString(header).getAsJsonObject();
        String key = h.keySet().stream().filter(k -> k.contains("lora_A")).findFirst().orElseThrow();
        // the same entry once more at the end of the object: the reader used to keep the last copy silently
        String twice = header.substring(0, header.length() - 1) + ",\"" + key + "\":" + h.get(key) + "}";
        byte[] json = twice.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + bytes.length - 8 - n).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json).put(bytes, 8 + n, bytes.length - 8 - n);
        Files.write(weights, b.array());
        Result res = cli("predict", "--run", r.toString(), "--backend", "cpu", "fine");
        assertEquals(1, res.exit(), res.out());
        assertOneLine(res, weights.toString(), "'" + key + "'", "twice");
    }

    // ---------------------------------------------------------------- 12: adapter_config.json against the tensors

    @Test
    void adapterConfigFieldsThatDisagreeAreRefused() throws Exception {
        String[][] edits = {
            {"\"r\": 8", "\"r\": 16", "field 'r' is 16"},
            {"\"r\": 8", "\"r\": 0", "field 'r' is 0"},
            {"\"format_version\": 2", "\"format_version\": 99", "format_version' is 99"},
            {"\"target_modules\": [", "\"target_modules\": \"(query\", \"x\": [", "not a valid regular expression"},
        };
        int i = 0;
        for (String[] e : edits) {
            Path r = copyOfRun("cfg-run-" + i++);
            Path cfg = r.resolve("adapter/adapter_config.json");
            String text = Files.readString(cfg);
            assertTrue(text.contains(e[0]), e[0] + " in " + text);
            Files.writeString(cfg, text.replace(e[0], e[1]));
            Result res = cli("eval", "--run", r.toString(), "--backend", "cpu");
            assertEquals(1, res.exit(), e[1] + ": " + res.out());
            assertOneLine(res, cfg.toString(), e[2]);
        }
    }

    // ---------------------------------------------------------------- 11: checkpoint metadata in range

    @Test
    void aCheckpointWhosePositionIsOutOfRangeIsRefusedNamingTheFile() throws Exception {
        Path r = copyOfRun("ckpt-run");
        Path ckpt = r.resolve("checkpoint.safetensors");
        SafeTensorsContent c = SafeTensors.read(ckpt);
        Map<String, String> meta = new TreeMap<>(c.metadata());
        meta.remove("crc32");
        meta.put("step", "999999");
        meta.put("crc32", Long.toString(crc(c.tensors(), meta))); // a hand edit that keeps the checksum valid
        SafeTensors.write(ckpt, c.tensors(), meta);
        Result res = cli(finetune(r, "--checkpoint-every", "2", "--resume"));
        assertEquals(1, res.exit(), res.out());
        assertOneLine(res, ckpt.toString(), "step is 999999");
    }

    /** The checkpoint's CRC-32 as the format documents it (tensors by name: name, shape, bits; then the metadata). */
    private static long crc(Map<String, TensorData> tensors, Map<String, String> meta) {
        CRC32 crc = new CRC32();
        for (Map.Entry<String, TensorData> e : new TreeMap<>(tensors).entrySet()) {
            crc.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            crc.update(Arrays.toString(e.getValue().shape()).getBytes(StandardCharsets.UTF_8));
            float[] d = e.getValue().data();
            ByteBuffer b = ByteBuffer.allocate(4 * d.length);
            b.asFloatBuffer().put(d);
            crc.update(b.array());
        }
        for (Map.Entry<String, String> e : new TreeMap<>(meta).entrySet()) {
            crc.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            crc.update(0);
            crc.update(e.getValue().getBytes(StandardCharsets.UTF_8));
            crc.update(0);
        }
        return crc.getValue();
    }

    // ---------------------------------------------------------------- 7, 10: limits before allocation

    @Test
    void optionValuesOutOfRangeExit2NamingTheOptionBeforeAnythingLoads() {
        Object[][] cases = {
            {finetune(dir.resolve("o1"), "--epochs", "0"), "--epochs must be ≥ 1"},
            {finetune(dir.resolve("o1"), "--size", "-5"), "--size must be ≥ 0, got -5"},
            {finetune(dir.resolve("o1"), "--batch", "-1"), "--batch"},
            {finetune(dir.resolve("o1"), "--lr", "NaN"), "--lr"},
            {finetune(dir.resolve("o1"), "--epochs", "2147483647"), "--epochs 2147483647"},
            {finetune(dir.resolve("o1"), "--epochs", "300000000"), "-Xmx"},
            {finetune(dir.resolve("o1"), "--train", "2147483647", "--test", "1"), "--train + --validation"},
            {new String[] {"bench", "--seq", "100000", "--batch", "1", "--steps", "1", "--warmup", "0"}, "512 positions"},
            {new String[] {"bench", "--layers", "100000", "--steps", "1", "--warmup", "0", "--seq", "8", "--batch", "1"},
                "-Xmx"},
            {new String[] {"bench", "--steps", "3", "--warmup", "3"}, "--warmup"},
            {new String[] {"predict-mixed", "--adapter", "a=x", "--batch", "0"}, "--batch must be ≥ 1"},
            {new String[] {"search", "--proxy-epochs", "2147483647", "--output", dir.resolve("o1").toString()},
                "--proxy-epochs 2147483647"},
            {new String[] {"search", "--budget", "2", "--output", dir.resolve("o1").toString()}, "--budget"},
            {new String[] {"search", "--executor", "ray", "--output", dir.resolve("o1").toString()},
                "unknown --executor 'ray'"},
            {new String[] {"search", "--master", "local[2]", "--output", dir.resolve("o1").toString()},
                "--master and --spark-conf need --executor spark"},
            {new String[] {"search", "--executor", "spark", "--parallel", "2", "--output", dir.resolve("o1").toString()},
                "--parallel is for --executor local"},
            {new String[] {"search", "--trial-threads", "0", "--output", dir.resolve("o1").toString()}, "--trial-threads"},
        };
        for (Object[] c : cases) {
            String[] args = (String[]) c[0];
            Result r = cli(args);
            assertEquals(2, r.exit(), String.join(" ", args) + ": " + r.err());
            assertOneLine(r, (String) c[1]);
            assertFalse(r.out().contains("loading dataset") || r.out().contains("backend"),
                    "refused before the data or the model load: " + r.out());
        }
        assertFalse(Files.exists(dir.resolve("o1")), "nothing written");
    }

    @Test
    void anUnknownOptionIsAShortErrorWithAHint() {
        Result r = cli("finetune", "--no-such-option");
        assertEquals(2, r.exit());
        assertTrue(r.errLines().size() <= 3, "short, not the whole usage: " + r.err());
        assertTrue(r.err().contains("--no-such-option") && r.err().contains("see peft4j finetune --help"), r.err());
    }

    @Test
    void outOfMemoryIsOneLineWithAHintAndDebugShowsTheTrace() throws Exception {
        String[] args = finetune(dir.resolve("oom"));
        Result r = process(List.of("-Xmx48m"), args);
        assertEquals(1, r.exit(), r.err());
        assertOneLine(r, "out of memory");
        assertTrue(r.err().contains("hint: raise the heap") && r.err().contains("-Xmx"), r.err());
        List<String> debugArgs = new ArrayList<>(List.of(args));
        debugArgs.add("--debug");
        Result d = process(List.of("-Xmx48m"), debugArgs.toArray(String[]::new));
        assertEquals(1, d.exit());
        assertTrue(d.err().contains("java.lang.OutOfMemoryError") && d.err().contains("\tat "), "--debug: " + d.err());
    }

    // ---------------------------------------------------------------- smaller: quiet by default

    @Test
    void noLogLinesUnlessVerbose() throws Exception {
        // without --backend: choosing one logs INFO lines (the backend chosen, those that cannot run here)
        String[] bench = {"bench", "--steps", "1", "--warmup", "0", "--seq", "8", "--batch", "1", "--layers", "1"};
        Result quiet = process(List.of(), bench);
        assertEquals(0, quiet.exit(), quiet.err());
        assertEquals(List.of(), quiet.errLines(), "only the JVM's incubator notice on stderr");
        List<String> verboseArgs = new ArrayList<>(List.of(bench));
        verboseArgs.add("--verbose");
        Result verbose = process(List.of(), verboseArgs.toArray(String[]::new));
        assertEquals(0, verbose.exit(), verbose.err());
        assertTrue(verbose.err().contains("INFO"), "--verbose shows the log lines: " + verbose.err());
    }

    // ---------------------------------------------------------------- 8: messages with reasons

    @Test
    void ioFailuresSayWhatWentWrongWithThePath() throws Exception {
        Path file = dir.resolve("a-file");
        Files.writeString(file, "x");
        Result isFile = cli(finetune(file));
        assertEquals(1, isFile.exit());
        assertOneLine(isFile, file.toString(), "is a file, not a folder");

        Path missingPlan = dir.resolve("no-plan.json");
        Result plan = cli(finetune(dir.resolve("plan-out"), "--plan", missingPlan.toString()));
        assertTrue(plan.exit() != 0);
        assertOneLine(plan, missingPlan.toString(), "not found");

        Path missingInput = dir.resolve("no-input.tsv");
        Result mixed = cli("predict-mixed", "--adapter", "a=" + run, "--input", missingInput.toString(), "--backend", "cpu");
        assertEquals(1, mixed.exit());
        assertOneLine(mixed, missingInput.toString(), "not found");

        Path bad = dir.resolve("bad-utf8.tsv");
        Files.write(bad, new byte[] {'a', '\t', 'o', 'k', '\n', 'a', '\t', (byte) 0xC3, 0x28, '\n'});
        Result utf8 = cli("predict-mixed", "--adapter", "a=" + run, "--input", bad.toString(), "--backend", "cpu");
        assertEquals(1, utf8.exit());
        assertOneLine(utf8, bad.toString(), "line 2", "not valid UTF-8");
    }

    @Test
    void aReadOnlyParentIsPermissionDenied() throws Exception {
        Path parent = dir.resolve("read-only");
        Files.createDirectories(parent);
        assumeTrue(parent.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Files.setPosixFilePermissions(parent, Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_EXECUTE));
        try {
            assumeTrue(!Files.isWritable(parent), "skipped: this user (root?) can write into a read-only folder");
            Path out = parent.resolve("out");
            Result r = cli(finetune(out));
            assertEquals(1, r.exit());
            assertOneLine(r, out.toString(), "permission denied");
        } finally {
            Files.setPosixFilePermissions(parent, Set.of(PosixFilePermission.values()));
        }
    }

    // ---------------------------------------------------------------- smaller: predict output, adapters, BOM, modes

    @Test
    void predictEscapesTextsInTsvAndWritesJsonLines() {
        String nasty = "tab\there\nnew line \u001b[31mred\u001b[0m back\\slash";
        Result tsv = cli("predict", "--run", run.toString(), "--backend", "cpu", nasty);
        assertEquals(0, tsv.exit(), tsv.err());
        String line = tsv.out().strip();
        assertEquals(1, line.lines().count(), "one line per text: " + tsv.out());
        String[] fields = line.split("\t", -1);
        assertEquals(3, fields.length, line);
        assertEquals("tab\\there\\nnew line \\u001b[31mred\\u001b[0m back\\\\slash", fields[2]);
        assertFalse(tsv.out().contains("\u001b"), "no terminal escape passes through");

        Result jsonl = cli("predict", "--run", run.toString(), "--backend", "cpu", "--format", "jsonl", nasty);
        assertEquals(0, jsonl.exit(), jsonl.err());
        assertEquals(1, jsonl.out().strip().lines().count());
        JsonObject o = JsonParser.parseString(jsonl.out().strip()).getAsJsonObject();
        assertEquals(nasty, o.get("text").getAsString());
        assertEquals(fields[0], o.get("label").getAsString());
        assertTrue(o.getAsJsonObject("probabilities").has("pos"));
    }

    @Test
    void aRepeatedAdapterNameIsRefusedAndABomIsDropped() throws Exception {
        Result twice = cli("predict-mixed", "--adapter", "a=" + run, "--adapter", "a=" + dir, "--backend", "cpu");
        assertEquals(2, twice.exit());
        assertOneLine(twice, "--adapter a is given twice");

        Path in = dir.resolve("bom.tsv");
        Files.write(in, ("\uFEFFa\twhat a wonderful film\n").getBytes(StandardCharsets.UTF_8));
        Result bom = cli("predict-mixed", "--adapter", "a=" + run, "--input", in.toString(), "--backend", "cpu");
        assertEquals(0, bom.exit(), bom.err());
        assertTrue(bom.out().startsWith("a\t"), bom.out());
    }

    @Test
    void outputFilesHaveTheUmasksPermissionsNotOwnerOnly() throws Exception {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Path probe = Files.createFile(dir.resolve("umask-probe"));
        Set<PosixFilePermission> expected = Files.getPosixFilePermissions(probe);
        for (String f : List.of("adapter/adapter_model.safetensors", "adapter/adapter_config.json",
                "checkpoint.safetensors", "run.json", "summary.json")) {
            assertEquals(expected, Files.getPosixFilePermissions(run.resolve(f)), f);
        }
    }

    @Test
    void aMaxLengthBeyondTheModelsPositionsIsAUsageError() {
        Result r = cli(finetune(dir.resolve("too-long"), "--max-length", "100000"));
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--max-length must be between 3 and 512 (the model has 512 positions)"), r.err());
        assertFalse(Files.exists(dir.resolve("too-long")), "nothing written for a refused run");
    }
}
