package dev.peft4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** bin/heap-for, the launcher's heap for a command: sized from finetune's options, the JVM's default elsewhere. */
class HeapForTest {
    private static final Path SCRIPT = Path.of("..", "bin", "heap-for").toAbsolutePath().normalize();

    /** The script's output and exit status for these arguments. */
    private record Answer(String out, int status) {}

    private static Answer run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return new Answer(out, p.waitFor());
    }

    private static long mib(String... args) throws IOException, InterruptedException {
        Answer a = run(args);
        assertEquals(0, a.status(), "heap-for " + String.join(" ", args) + ": " + a.out());
        return Long.parseLong(a.out());
    }

    @Test
    void theMainJobGetsTheHeapItWasMeasuredWith() throws Exception {
        assertTrue(Files.isRegularFile(SCRIPT), SCRIPT + " is missing");
        assertEquals(832, mib("finetune"));
        assertEquals(832, mib("--debug", "finetune", "--output", "runs/x", "--overwrite"));
    }

    @Test
    void biggerStepsGetMoreHeap() throws Exception {
        long main = mib("finetune");
        long batch64 = mib("finetune", "--batch", "64");
        assertEquals(main, mib("finetune", "--batch=16", "--max-length=128"), "--name=value and --name value agree");
        assertTrue(batch64 > 2 * main, "batch 64: " + batch64 + " MiB against " + main);
        assertTrue(mib("finetune", "--model", "bge-small") > main, "12 layers need more than 6");
        assertTrue(mib("finetune", "--method", "ia3") > main, "(IA)³ keeps more per layer than LoRA");
        assertTrue(mib("finetune", "--objective", "contrastive") > main, "pairs put two sequences per example");
        assertTrue(mib("finetune", "--max-length", "64") < main, "shorter sequences need less");
    }

    /** A tiny step still gets the heap that reading the model file needs (before any activation exists). */
    @Test
    void smallStepsGetAtLeastWhatLoadingTheModelTakes() throws Exception {
        long tiny = mib("finetune", "--batch", "1", "--max-length", "8");
        assertEquals(320 + 32 * 6, tiny, "minilm: 6 layers");
        assertEquals(tiny, mib("finetune", "--batch", "2", "--max-length", "8"), "the floor, not the step, decides");
        assertEquals(320 + 32 * 12, mib("finetune", "--model", "bge-small", "--batch", "1", "--max-length", "8"));
    }

    @Test
    void otherCommandsAndUnreadableSizesKeepTheJvmDefault() throws Exception {
        assertEquals(1, run("bench").status());
        assertEquals(1, run("--help").status());
        assertEquals(1, run("finetune", "--batch", "many").status(), "the CLI itself reports the bad option");
    }
}
