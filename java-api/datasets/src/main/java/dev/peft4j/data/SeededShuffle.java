package dev.peft4j.data;

import java.util.ArrayList;
import java.util.List;

/**
 * A deterministic shuffle: Fisher–Yates from the last index down, {@code j = nextInt(i + 1)} drawn from
 * {@link SplitMix64} seeded with {@code seed}, swap {@code i} and {@code j}. It depends only on the seed
 * and the list order, never on hash codes or the JVM.
 */
public final class SeededShuffle {
    private SeededShuffle() {}

    /** The permutation of {@code 0..n-1} the shuffle applies: element k of the result is the old index. */
    public static int[] permutation(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplitMix64 random = new SplitMix64(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** A new list holding {@code items} in shuffled order; the input is not changed. */
    public static <T> List<T> shuffled(List<T> items, long seed) {
        int[] order = permutation(items.size(), seed);
        List<T> out = new ArrayList<>(items.size());
        for (int index : order) {
            out.add(items.get(index));
        }
        return out;
    }
}
