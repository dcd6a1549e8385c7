package dev.peft4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.report.Chart;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disk that fills up under the run folder (issue 18, items 8 and 9): each test mounts a small tmpfs, which needs
 * root and a kernel that allows it; where it cannot mount one it is skipped, saying why. A failed write names the
 * file and says the disk is full, leaves no temporary file behind, and leaves what was there before intact.
 */
class FullDiskTest {
    @TempDir
    Path dir;
    private Path mount;

    @BeforeEach
    void mountSmallDisk() throws Exception {
        mount = dir.resolve("small-disk");
        Files.createDirectories(mount);
    }

    @AfterEach
    void unmount() throws Exception {
        if (mount != null) {
            run("umount", mount.toString());
        }
    }

    /** Mounts a tmpfs of {@code kib} KiB at {@link #mount}, or skips the test visibly. */
    private void mountTmpfs(int kib) throws Exception {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"), "tmpfs needs Linux");
        int code = run("mount", "-t", "tmpfs", "-o", "size=" + kib + "k", "tmpfs", mount.toString());
        Assumptions.assumeTrue(code == 0, "cannot mount a small tmpfs here (needs root): full-disk case not run");
    }

    private static int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    /** Fills the mounted disk until fewer than {@code leave} bytes are free. */
    private void fillLeaving(long leave) throws IOException {
        long free = Files.getFileStore(mount).getUsableSpace();
        if (free > leave) {
            Files.write(mount.resolve("filler"), new byte[(int) (free - leave)]);
        }
    }

    @Test
    void aPlotThatDoesNotFitLeavesTheOldPlotAndNoTemporaryFile() throws Exception {
        mountTmpfs(64);
        Path png = mount.resolve("loss.png");
        byte[] old = {1, 2, 3, 4};
        Files.write(png, old);
        fillLeaving(1024);
        Chart chart = new Chart("loss", "step", "loss");
        double[] x = new double[400];
        double[] y = new double[400];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
            y[i] = Math.sin(i / 7.0) + i % 13;
        }
        chart.add(new Chart.Series("train", x, y, Chart.Style.LINE, null));
        assertThrows(IOException.class, () -> chart.writePng(png, 800, 500));
        assertArrayEquals(old, Files.readAllBytes(png));
        assertFalse(Files.exists(mount.resolve("loss.png.tmp")), "the failed write's temporary file is left");
    }

    @Test
    void aFinetuneOnAFullDiskSaysSoNamesTheFileAndLeavesNoTemporaryFile() throws Exception {
        mountTmpfs(512); // the settings and metrics fit; the 0.9 MB checkpoint does not
        List<String> lines = new ArrayList<>();
        lines.add("text,label");
        for (int i = 0; i < 30; i++) {
            lines.add("\"a wonderful, moving film " + i + "\",pos");
            lines.add("\"a boring, tedious mess " + i + "\",neg");
        }
        Path csv = dir.resolve("reviews.csv");
        Files.write(csv, lines);
        Path out = mount.resolve("run");
        HostileInputTest.Result r = HostileInputTest.cli("finetune", "--dataset", "csv:" + csv, "--train", "32",
                "--validation", "8", "--test", "16", "--epochs", "1", "--batch", "8", "--max-length", "16",
                "--backend", "cpu", "--checkpoint-every", "2", "--output", out.toString());
        assertNotEquals(0, r.exit(), r.out());
        String err = String.join("\n", r.errLines());
        assertTrue(err.contains("disk") && err.contains(out.toString()), "the message says the disk is full and names "
                + "the file: " + err);
        assertFalse(err.contains("\tat "), "no stack trace: " + err);
        try (Stream<Path> files = Files.walk(out)) {
            List<Path> temporaries = files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
            assertEquals(List.of(), temporaries, "temporary files left on the full disk");
        }
    }
}
