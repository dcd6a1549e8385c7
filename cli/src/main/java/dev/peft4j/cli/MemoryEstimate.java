package dev.peft4j.cli;

import java.util.Locale;

/**
 * What a command is about to allocate, estimated from its options before it allocates: an estimate beyond the JVM's
 * heap is refused (a {@link UsageException} naming the option, the estimate, the heap and the {@code -Xmx} to
 * raise it to) instead of ending minutes later in an {@link OutOfMemoryError}.
 *
 * @param what   what needs the memory, with the option that sets its size ("--epochs 300000000: 1.8e9 steps")
 * @param bytes  the estimate
 */
record MemoryEstimate(String what, long bytes) {
    /** Refuses the estimate where it exceeds {@code heapShare} of the maximum heap {@code maxHeap}. */
    void requireFits(long maxHeap, double heapShare) {
        if (bytes > heapShare * maxHeap) {
            long needed = (long) Math.ceil(bytes / heapShare);
            throw new UsageException(what + ": about " + size(bytes) + " of memory needed, more than the JVM's heap ("
                    + size(maxHeap) + ") allows; use smaller values, or raise the heap to -Xmx" + xmx(needed)
                    + " (e.g. JAVA_TOOL_OPTIONS=-Xmx" + xmx(needed) + ")");
        }
    }

    /** Refuses the estimate where it exceeds half of this JVM's maximum heap (the model needs the rest). */
    void requireFits() {
        requireFits(Runtime.getRuntime().maxMemory(), 0.5);
    }

    static String size(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }

    /** An -Xmx value (whole GiB, at least 1) covering {@code bytes}. */
    static String xmx(long bytes) {
        long g = Math.max(1, (bytes + (1L << 30) - 1) >> 30);
        return g + "g";
    }
}
