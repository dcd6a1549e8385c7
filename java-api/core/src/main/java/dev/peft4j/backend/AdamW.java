package dev.peft4j.backend;

/**
 * AdamW hyper-parameters (Loshchilov and Hutter, decoupled weight decay). For step t ≥ 1:
 * <pre>
 *   m ← β1·m + (1−β1)·g
 *   v ← β2·v + (1−β2)·g²
 *   m̂ = m/(1−β1^t),  v̂ = v/(1−β2^t)
 *   θ ← θ − lr·(m̂/(√v̂ + ε) + λ·θ)
 * </pre>
 */
public record AdamW(float lr, float beta1, float beta2, float eps, float weightDecay) {
    public AdamW {
        requireFinite("lr", lr);
        requireFinite("beta1", beta1);
        requireFinite("beta2", beta2);
        requireFinite("eps", eps);
        requireFinite("weightDecay", weightDecay);
        if (lr < 0) {
            throw new IllegalArgumentException("AdamW lr must be ≥ 0, got " + lr);
        }
        if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1) {
            throw new IllegalArgumentException("AdamW betas must lie in [0, 1), got beta1=" + beta1 + " beta2=" + beta2);
        }
        if (eps <= 0) {
            throw new IllegalArgumentException("AdamW eps must be > 0, got " + eps);
        }
        if (weightDecay < 0) {
            throw new IllegalArgumentException("AdamW weightDecay must be ≥ 0, got " + weightDecay);
        }
    }

    /** lr with PyTorch's defaults otherwise: β = (0.9, 0.999), ε = 1e-8, λ = 0.01. */
    public static AdamW withLr(float lr) {
        return new AdamW(lr, 0.9f, 0.999f, 1e-8f, 0.01f);
    }

    private static void requireFinite(String name, float value) {
        if (!Float.isFinite(value)) {
            throw new IllegalArgumentException("AdamW " + name + " must be finite, got " + value);
        }
    }
}
