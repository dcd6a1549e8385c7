package dev.peft4j.search;

/** Derives independent seeds from a search seed and positions (stage, sample, ...) with the SplitMix64 finaliser. */
final class Seeds {
    private Seeds() {}

    static long mix(long seed, long... parts) {
        long h = finalise(seed ^ 0x9E3779B97F4A7C15L);
        for (long p : parts) {
            h = finalise(h ^ finalise(p + 0x632BE59BD9B4E019L));
        }
        return h;
    }

    private static long finalise(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
