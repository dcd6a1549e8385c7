package dev.peft4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GemmBlockingTest {

    /** A sysfs cache directory: index0 L1d, index1 L1i, index2 L2, index3 L3, and cpu0's SMT siblings. */
    private static Path sysfs(Path root, String l1, String l2, String l3, String l3Cpus, String siblings) throws IOException {
        Path cache = root.resolve("cpu0/cache");
        String[][] rows = {{"1", "Data", l1, "0,8"}, {"1", "Instruction", "32K", "0,8"}, {"2", "Unified", l2, "0,8"},
            {"3", "Unified", l3, l3Cpus}};
        for (int i = 0; i < rows.length; i++) {
            Path d = Files.createDirectories(cache.resolve("index" + i));
            Files.writeString(d.resolve("level"), rows[i][0] + "\n");
            Files.writeString(d.resolve("type"), rows[i][1] + "\n");
            Files.writeString(d.resolve("size"), rows[i][2] + "\n");
            Files.writeString(d.resolve("shared_cpu_list"), rows[i][3] + "\n");
        }
        Path topo = Files.createDirectories(root.resolve("cpu0/topology"));
        Files.writeString(topo.resolve("thread_siblings_list"), siblings + "\n");
        return cache;
    }

    @Test
    void zenCachesGiveTheTunedBlocks(@TempDir Path tmp) throws IOException {
        // Zen 5: 48K L1d, 1 MiB L2, 32 MiB L3 over 8 cores with SMT (16 CPUs)
        GemmBlocking.Caches c = GemmBlocking.read(sysfs(tmp, "48K", "1024K", "32768K", "0-7,64-71", "0,64"));
        assertEquals(new GemmBlocking.Caches(48 << 10, 1 << 20, 4 << 20), c);
        for (int[] shape : new int[][] {{6, 48}, {4, 16}}) {
            int kc = GemmBlocking.kc(shape[1], c);
            assertEquals(768, kc);
            assertEquals(108, GemmBlocking.mc(shape[0], kc, c));
            // the 768 × NC panel within the 4 MiB L3 share: 1365 columns, rounded down to NR
            assertEquals(1365 / shape[1] * shape[1], GemmBlocking.nc(shape[1], kc, c));
        }
    }

    @Test
    void smallCachesGiveSmallerBlocksThatStillTile(@TempDir Path tmp) throws IOException {
        // a 256 KiB L2 and 2 MiB of L3 per core (4 cores, no SMT)
        GemmBlocking.Caches c = GemmBlocking.read(sysfs(tmp, "32K", "256K", "8M", "0-3", "0"));
        int kc = GemmBlocking.kc(16, c), mc = GemmBlocking.mc(4, kc, c), nc = GemmBlocking.nc(16, kc, c);
        assertEquals(768, kc);
        assertTrue(mc % 4 == 0 && mc >= 4 && 4L * mc * kc <= (256 << 10) / 2, "mc " + mc);
        assertTrue(nc % 16 == 0 && nc >= 16 && 4L * kc * nc <= 2 << 20, "nc " + nc);
        // a tiny L2 lowers KC so that a KC × NR strip of B fits half of it
        GemmBlocking.Caches tiny = new GemmBlocking.Caches(16 << 10, 64 << 10, 0);
        assertEquals(336, GemmBlocking.kc(24, tiny));
    }

    @Test
    void unreadableCachesGiveTheDefaults(@TempDir Path tmp) {
        GemmBlocking.Caches c = GemmBlocking.read(tmp.resolve("absent"));
        assertEquals(GemmBlocking.Caches.UNKNOWN, c);
        assertEquals(768, GemmBlocking.kc(48, c));
        assertEquals(120, GemmBlocking.mc(6, 768, c));
        assertEquals(120, GemmBlocking.mc(4, 768, c));
        assertEquals(1536, GemmBlocking.nc(48, 768, c));
        assertEquals(1536, GemmBlocking.nc(16, 768, c));
    }

    @Test
    void sizesAndCpuListsParse() {
        assertEquals(48L << 10, GemmBlocking.parseSize("48K"));
        assertEquals(32L << 20, GemmBlocking.parseSize("32M"));
        assertEquals(512, GemmBlocking.parseSize("512"));
        assertEquals(16, GemmBlocking.cpuCount("0-7,64-71"));
        assertEquals(1, GemmBlocking.cpuCount("3"));
    }

    @Test
    void theChosenBlocksTileTheChosenShape() {
        assertTrue(Sgemm.MC % Sgemm.MR == 0 && Sgemm.NC % Sgemm.NR == 0, Sgemm.MC + " " + Sgemm.NC);
        if (System.getProperty("peft4j.cpu.gemmKernel") == null) {
            assertEquals(Sgemm.vectorRegisters() >= 32 ? "6x3" : "4x2", Sgemm.SHAPE);
        }
    }
}
