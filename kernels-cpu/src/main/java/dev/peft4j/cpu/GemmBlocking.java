package dev.peft4j.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@link Sgemm}'s block sizes from this machine's data caches (Linux: /sys/devices/system/cpu/cpu0/cache). Where the
 * caches cannot be read (as in some VMs) the values tuned on Zen 4 and Zen 5 (1 MiB L2 per core, 32 MiB L3 per 8
 * cores) apply: KC = 768 (MiniLM's k = 384 + r in one block, k = 1536 in two, 6–7 % faster than four blocks of
 * 384), MC = 120, NC = 1536 (MiniLM's widest n in one block). With cache sizes: the packed MC × KC block of A takes
 * about a third of the L2, the packed KC × NC panel of B at most the core's share of the L3 (SMT siblings counted as
 * one core), and a KC × NR strip of B at most half of the L2. -Dpeft4j.cpu.kc/mc/nc override each.
 */
final class GemmBlocking {
    static final int KC_DEFAULT = 768;
    static final int MC_DEFAULT = 120;
    static final int NC_DEFAULT = 1536;

    /** Data (or unified) cache sizes in bytes, 0 where unknown; l3 is the share of one core. */
    record Caches(long l1, long l2, long l3PerCore) {
        static final Caches UNKNOWN = new Caches(0, 0, 0);
    }

    private static final Caches MACHINE = read(Path.of("/sys/devices/system/cpu/cpu0/cache"));

    private GemmBlocking() {}

    static int kc(int nr) {
        return kc(nr, MACHINE);
    }

    static int mc(int mr, int kc) {
        return mc(mr, kc, MACHINE);
    }

    static int nc(int nr, int kc) {
        return nc(nr, kc, MACHINE);
    }

    /** KC = 768, lowered (to a multiple of 8, at least 64) while a KC × NR strip of B exceeds half the L2. */
    static int kc(int nr, Caches c) {
        if (c.l2() <= 0) {
            return KC_DEFAULT;
        }
        long fit = c.l2() / 2 / (4L * nr) / 8 * 8;
        return (int) Math.max(64, Math.min(KC_DEFAULT, fit));
    }

    /** MC: the packed MC × KC block of A in about a third of the L2, a multiple of MR (108 for a 1 MiB L2 and KC = 768). */
    static int mc(int mr, int kc, Caches c) {
        if (c.l2() <= 0) {
            return MC_DEFAULT / mr * mr;
        }
        long rows = Math.round(c.l2() / 3.0 / (4.0 * kc) / 12) * 12; // 12 = lcm of the shapes' 6 and 4 rows
        return (int) Math.max(mr, Math.min(960, rows) / mr * mr);
    }

    /** NC = 1536 (a multiple of NR), fewer columns (at least NR) while the packed KC × NC panel exceeds the L3 share. */
    static int nc(int nr, int kc, Caches c) {
        long cols = NC_DEFAULT;
        if (c.l3PerCore() > 0) {
            cols = Math.min(cols, c.l3PerCore() / (4L * kc));
        }
        return (int) Math.max(nr, cols / nr * nr);
    }

    /** The caches of cpu0 under {@code dir} (index0..N with level, type, size, shared_cpu_list); UNKNOWN if absent. */
    static Caches read(Path dir) {
        long l1 = 0, l2 = 0, l3 = 0;
        for (int i = 0; i < 16; i++) {
            Path d = dir.resolve("index" + i);
            if (!Files.isDirectory(d)) {
                break;
            }
            try {
                String type = Files.readString(d.resolve("type")).trim();
                if (type.equals("Instruction")) {
                    continue;
                }
                int level = Integer.parseInt(Files.readString(d.resolve("level")).trim());
                long size = parseSize(Files.readString(d.resolve("size")).trim());
                switch (level) {
                    case 1 -> l1 = size;
                    case 2 -> l2 = size;
                    case 3 -> l3 = size / Math.max(1, cpuCount(Files.readString(d.resolve("shared_cpu_list")).trim())
                            / smtSiblings(dir.resolveSibling("topology").resolve("thread_siblings_list")));
                    default -> { }
                }
            } catch (IOException | RuntimeException e) {
                return Caches.UNKNOWN; // unreadable or unexpected: the tuned defaults
            }
        }
        return new Caches(l1, l2, l3);
    }

    /** "48K", "1024K", "32M", "512" → bytes. */
    static long parseSize(String s) {
        char unit = Character.toUpperCase(s.charAt(s.length() - 1));
        long scale = unit == 'K' ? 1L << 10 : unit == 'M' ? 1L << 20 : unit == 'G' ? 1L << 30 : 1;
        String digits = scale == 1 ? s : s.substring(0, s.length() - 1);
        return Long.parseLong(digits.trim()) * scale;
    }

    /** Hardware threads per core (cpu0 and its SMT siblings); 1 if unknown. */
    private static int smtSiblings(Path threadSiblingsList) throws IOException {
        return Files.exists(threadSiblingsList) ? Math.max(1, cpuCount(Files.readString(threadSiblingsList).trim())) : 1;
    }

    /** Number of CPUs in a list such as "0-7,16-23" (a CPU and its SMT sibling count as two). */
    static int cpuCount(String list) {
        int n = 0;
        for (String part : list.split(",")) {
            String[] r = part.trim().split("-");
            n += r.length == 1 ? 1 : Integer.parseInt(r[1].trim()) - Integer.parseInt(r[0].trim()) + 1;
        }
        return n;
    }
}
