package dev.peft4j.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntUnaryOperator;

/**
 * Deterministic shuffles: Fisher–Yates from the last index down, {@code j} uniform in {@code [0, i]}, swap
 * {@code i} and {@code j}. Two generators draw j:
 * <ul>
 *   <li>{@link #permutation(int, long)} ({@link SplitMix64}, written out here): data sets' shuffles and splits. It
 *       depends only on the seed and the list order, never on hash codes or the JVM.</li>
 *   <li>{@link #epochOrder(int, long, int)} ({@link SplittableRandom} seeded {@code 31·seed + epoch}): the order in
 *       which {@link ClassifierTrainer} visits the training set in each epoch, as training runs have always used,
 *       so a seed keeps its loss curve bit for bit.</li>
 * </ul>
 */
public final class SeededShuffle {
    private SeededShuffle() {}

    /** The permutation of {@code 0..n-1} the data shuffle applies: element k of the result is the old index. */
    public static int[] permutation(int n, long seed) {
        return fisherYates(n, new SplitMix64(seed)::nextInt);
    }

    /**
     * The order {@code 0..n-1} in which epoch {@code epoch} of a training run seeded {@code seed} visits its
     * examples: element k is the index of the k-th example visited.
     */
    public static int[] epochOrder(int n, long seed, int epoch) {
        return fisherYates(n, new SplittableRandom(seed * 31 + epoch)::nextInt);
    }

    /** A new list holding {@code items} in the order of {@link #permutation(int, long)}; the input is not changed. */
    public static <T> List<T> shuffled(List<T> items, long seed) {
        int[] order = permutation(items.size(), seed);
        List<T> out = new ArrayList<>(items.size());
        for (int index : order) {
            out.add(items.get(index));
        }
        return out;
    }

    /** Fisher–Yates over {@code 0..n-1} with {@code j = uniformBelow(i + 1)} for i from n − 1 down to 1. */
    private static int[] fisherYates(int n, IntUnaryOperator uniformBelow) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = uniformBelow.applyAsInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
