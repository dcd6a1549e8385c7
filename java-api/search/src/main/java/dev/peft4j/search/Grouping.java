package dev.peft4j.search;

import java.util.Arrays;

/**
 * How the layers split into 4 consecutive groups G1..G4. A pattern gives relative group sizes (for 12 layers the
 * design-space paper's splits: increasing 1-2-3-6, uniform 3-3-3-3, decreasing 6-3-2-1, spindle 1-5-5-1,
 * bottleneck 5-1-1-5); {@link #sizes(int)} apportions L layers to them, each group at least one layer.
 * An explicit split names exact sizes and fits only a model with that many layers.
 */
public record Grouping(String name, double[] weights, int[] explicit) {
    public static final int GROUPS = 4;
    public static final Grouping INCREASING = pattern("increasing", 1, 2, 3, 6);
    public static final Grouping UNIFORM = pattern("uniform", 1, 1, 1, 1);
    public static final Grouping DECREASING = pattern("decreasing", 6, 3, 2, 1);
    public static final Grouping SPINDLE = pattern("spindle", 1, 5, 5, 1);
    public static final Grouping BOTTLENECK = pattern("bottleneck", 5, 1, 1, 5);

    public Grouping {
        if ((weights == null) == (explicit == null)) {
            throw new IllegalArgumentException("a grouping has either pattern weights or an explicit split");
        }
        int n = weights != null ? weights.length : explicit.length;
        if (n != GROUPS) {
            throw new IllegalArgumentException("grouping '" + name + "' needs " + GROUPS + " groups, got " + n);
        }
        if (weights != null && Arrays.stream(weights).anyMatch(w -> !(w > 0))) {
            throw new IllegalArgumentException("grouping '" + name + "' weights must be > 0: " + Arrays.toString(weights));
        }
        if (explicit != null && Arrays.stream(explicit).anyMatch(s -> s < 1)) {
            throw new IllegalArgumentException("grouping '" + name + "' group sizes must be ≥ 1: " + Arrays.toString(explicit));
        }
    }

    public static Grouping pattern(String name, double... weights) {
        return new Grouping(name, weights.clone(), null);
    }

    /** An explicit split, e.g. {@code split(2, 4, 4, 2)}. */
    public static Grouping split(int... sizes) {
        String name = "split " + String.join("-", Arrays.stream(sizes).mapToObj(Integer::toString).toList());
        return new Grouping(name, null, sizes.clone());
    }

    /** The five patterns of the paper. */
    public static java.util.List<Grouping> patterns() {
        return java.util.List.of(INCREASING, UNIFORM, DECREASING, SPINDLE, BOTTLENECK);
    }

    /**
     * Group sizes for L layers: targets t_j = L·w_j/Σw; start from max(1, ⌊t_j⌋), then add layers to the groups
     * with the largest t_j − k_j (or take from groups above 1 with the smallest) until Σk = L; ties go to the
     * earlier group.
     */
    public int[] sizes(int layers) {
        if (layers < GROUPS) {
            throw new IllegalArgumentException("grouping needs at least " + GROUPS + " layers, the model has " + layers);
        }
        if (explicit != null) {
            if (Arrays.stream(explicit).sum() != layers) {
                throw new IllegalArgumentException("grouping '" + name + "' covers " + Arrays.stream(explicit).sum()
                        + " layers but the model has " + layers);
            }
            return explicit.clone();
        }
        double sum = Arrays.stream(weights).sum();
        double[] t = new double[GROUPS];
        int[] k = new int[GROUPS];
        int total = 0;
        for (int j = 0; j < GROUPS; j++) {
            t[j] = layers * weights[j] / sum;
            k[j] = Math.max(1, (int) Math.floor(t[j] + 1e-9));
            total += k[j];
        }
        while (total < layers) {
            int best = 0;
            for (int j = 1; j < GROUPS; j++) {
                if (t[j] - k[j] > t[best] - k[best] + 1e-12) {
                    best = j;
                }
            }
            k[best]++;
            total++;
        }
        while (total > layers) {
            int best = -1;
            for (int j = 0; j < GROUPS; j++) {
                if (k[j] > 1 && (best < 0 || t[j] - k[j] < t[best] - k[best] - 1e-12)) {
                    best = j;
                }
            }
            k[best]--;
            total--;
        }
        return k;
    }

    /** The group (0..3) of every layer. */
    public int[] groupOfLayer(int layers) {
        int[] s = sizes(layers);
        int[] g = new int[layers];
        int l = 0;
        for (int j = 0; j < GROUPS; j++) {
            for (int i = 0; i < s[j]; i++) {
                g[l++] = j;
            }
        }
        return g;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Grouping g && name.equals(g.name) && Arrays.equals(weights, g.weights)
                && Arrays.equals(explicit, g.explicit);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name;
    }
}
