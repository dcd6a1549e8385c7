package dev.peft4j.determinism;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Same seed, same loss curve bit for bit on the cpu backend, however far the JIT has got: a resumed run starts in
 * a cold JVM while the uninterrupted one is compiled. Vector-API code runs through Java fallbacks in the
 * interpreter and through intrinsics in C2, so any operation whose result differs between the two (it did for
 * exp and for lane sums) shows up here as a different loss.
 */
class CpuTrainingBitsTest {

    @Test
    void aTrainingRunGivesTheSameLossBitsInterpretedAndCompiled() throws Exception {
        String warm = null;
        for (int i = 0; i < 12; i++) { // the kernels get compiled by C2 along the way
            String bits = CpuTrainingRun.bits(CpuTrainingRun.losses());
            if (warm != null) {
                assertEquals(warm, bits, "run " + i + " in the same JVM");
            }
            warm = bits;
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Xint", "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), CpuTrainingRun.class.getName()))
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the interpreted run did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.exitValue(), out);
        String[] lines = out.split("\\R");
        assertEquals(warm, lines[lines.length - 1], "loss bits of the interpreted run (left: compiled)\n" + out);
    }
}
