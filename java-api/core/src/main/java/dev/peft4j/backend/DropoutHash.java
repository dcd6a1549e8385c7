package dev.peft4j.backend;

/**
 * The counter-based random numbers behind dropout: element i of a dropout call with seed s keeps its value
 * when {@code uniform(s, i) ≥ p}. Every backend (Java, Vector API, CUDA) computes the same function, so a
 * seed gives the same mask everywhere and a training run is reproducible across backends.
 */
public final class DropoutHash {
    private DropoutHash() {}

    /** SplitMix64 finaliser of {@code seed + (i+1)·0x9E3779B97F4A7C15}, top 24 bits as a float in [0, 1). */
    public static float uniform(long seed, long index) {
        long z = seed + (index + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 40) * 0x1.0p-24f;
    }

    /** The value a kept element is multiplied by: 1/(1−p) computed in double and rounded once to float. */
    public static float keepScale(float p) {
        return (float) (1.0 / (1.0 - p));
    }
}
