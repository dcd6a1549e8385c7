package dev.peft4j.conformance;

/**
 * Seeds of the conformance cases. Every case draws its inputs from {@code mix(base, case name)}, so a failure
 * is reproduced by running with the printed base seed: {@code -Dpeft4j.conformance.seed=BASE}.
 */
final class CaseSeeds {
    static final String PROPERTY = "peft4j.conformance.seed";
    private static final long DEFAULT_BASE = 0x5EED_2024_0611L;

    private CaseSeeds() {}

    static long base() {
        String s = System.getProperty(PROPERTY);
        return s == null || s.isBlank() ? DEFAULT_BASE : Long.decode(s.trim());
    }

    static long forCase(String caseName) {
        long z = base() ^ (caseName.hashCode() * 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
