package dev.peft4j.train;

/**
 * The SplitMix64 generator (Steele, Lea, Flood 2014), written out here so a seed gives the same sequence on
 * every JVM: {@code state += 0x9E3779B97F4A7C15}, then the output is the state passed through the
 * finaliser {@code z = (z ^ z>>>30)·0xBF58476D1CE4E5B9; z = (z ^ z>>>27)·0x94D049BB133111EB; z ^ z>>>31}.
 */
final class SplitMix64 {
    private long state;

    SplitMix64(long seed) {
        this.state = seed;
    }

    long nextLong() {
        state += 0x9E3779B97F4A7C15L;
        long z = state;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * A uniform integer in [0, bound): the top 31 bits of {@link #nextLong()}, redrawn while they fall in
     * the incomplete last block of size {@code 2^31 mod bound} (no modulo bias).
     */
    int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        long limit = (1L << 31) - ((1L << 31) % bound);
        while (true) {
            long r = nextLong() >>> 33;
            if (r < limit) {
                return (int) (r % bound);
            }
        }
    }
}
