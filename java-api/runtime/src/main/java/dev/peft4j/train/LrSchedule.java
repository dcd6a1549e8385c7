package dev.peft4j.train;

/**
 * Learning rate at step t (1-based) of T: linear warmup over the first W steps to the peak, then linear decay
 * to 0, cosine decay to 0, or constant.
 */
public record LrSchedule(float peak, int warmupSteps, int totalSteps, Decay decay) {
    public enum Decay { LINEAR, COSINE, CONSTANT }

    public LrSchedule {
        if (!(peak >= 0) || !Float.isFinite(peak)) {
            throw new IllegalArgumentException("peak learning rate must be finite and ≥ 0, got " + peak);
        }
        if (totalSteps < 1 || warmupSteps < 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("need 0 ≤ warmupSteps ≤ totalSteps and totalSteps ≥ 1, got "
                    + warmupSteps + " and " + totalSteps);
        }
        if (decay == null) {
            throw new IllegalArgumentException("decay is null");
        }
    }

    public float at(long step) {
        if (step <= warmupSteps) {
            return peak * step / Math.max(1, warmupSteps);
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        progress = Math.min(1, progress);
        return switch (decay) {
            case LINEAR -> (float) (peak * (1 - progress));
            case COSINE -> (float) (peak * 0.5 * (1 + Math.cos(Math.PI * progress)));
            case CONSTANT -> peak;
        };
    }
}
