package dev.peft4j.cli;

import java.io.PrintStream;

/**
 * A one-line progress bar with rate, ETA and a live status (e.g. the loss) on a terminal; on a pipe or a log
 * file it prints a plain line about every 5% instead, so logs stay readable.
 */
final class ProgressBar {
    private final PrintStream out;
    private final String label;
    private final long total;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private long lastLinePrinted = -1;

    ProgressBar(PrintStream out, String label, long total) {
        this.out = out;
        this.label = label;
        this.total = Math.max(1, total);
        this.terminal = System.console() != null;
    }

    void update(long done, String status) {
        double seconds = (System.nanoTime() - start) / 1e9;
        double eta = done == 0 ? Double.NaN : seconds / done * (total - done);
        int width = 24;
        int filled = (int) (width * done / total);
        String bar = "#".repeat(filled) + ".".repeat(width - filled);
        String line = String.format("%s [%s] %d/%d  %s  %s elapsed, ETA %s", label, bar, done, total, status,
                duration(seconds), duration(eta));
        if (terminal) {
            out.print("\r" + line);
            if (done >= total) {
                out.println();
            }
        } else {
            long bucket = done * 20 / total;
            if (bucket != lastLinePrinted || done >= total) {
                lastLinePrinted = bucket;
                out.println(line);
            }
        }
        out.flush();
    }

    static String duration(double seconds) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
            return "?";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s / 60 % 60)
                : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
