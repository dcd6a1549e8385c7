package dev.peft4j.search;

/**
 * How the trainable-parameter budget spreads over layers: each layer ℓ (0-based, of L) gets a share proportional to
 * its weight: uniform 1, increasing ℓ + 1, decreasing L − ℓ.
 */
public enum Allocation {
    UNIFORM, INCREASING, DECREASING;

    public double weight(int layer, int layers) {
        return switch (this) {
            case UNIFORM -> 1;
            case INCREASING -> layer + 1;
            case DECREASING -> layers - layer;
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
