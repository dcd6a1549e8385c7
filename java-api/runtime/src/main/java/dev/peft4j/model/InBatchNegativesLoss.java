package dev.peft4j.model;

/**
 * The multiple-negatives ranking loss (sentence-transformers' {@code MultipleNegativesRankingLoss}) on pooled
 * vectors, with its hand-written backward, in float64 on the host.
 *
 * <p>Input: v {@code [2B, d]} row-major, rows 0..B−1 the anchors' pooled vectors, rows B..2B−1 their positives'
 * (row B+i is the positive of anchor i; every other positive is one of anchor i's in-batch negatives).
 *
 * <p>Forward:
 * <pre>
 *   n_r = max(‖v_r‖, ε),  e_r = v_r / n_r                    (ε = 1e-12, as torch's normalize)      e [2B, d]
 *   a_i = e_i,  p_j = e_{B+j}                                                                         a, p [B, d]
 *   S = a pᵀ / τ, and S_ij = −∞ for j ≠ i in anchor i's group (g_j = g_i ≥ 0: not a negative)       S [B, B]
 *   P = softmax(S) per row,  loss = −(1/B) Σ_i log P_ii = (1/B) Σ_i (logsumexp_j S_ij − S_ii)
 * </pre>
 *
 * <p>Backward, for c·loss (c = scale, 1/accumulation steps):
 * <pre>
 *   dS = c·(P − I)/B                      (∂/∂S_ij of logsumexp_j S_ij − S_ii is P_ij − δ_ij; a masked
 *                                          S_ij is a constant, and there P_ij = 0, so dS_ij = 0)     [B, B]
 *   da = dS p / τ                         (S_ij = Σ_k a_ik p_jk / τ, so ∂S_ij/∂a_ik = p_jk/τ)         [B, d]
 *   dp = dSᵀ a / τ                        (∂S_ij/∂p_jk = a_ik/τ, summed over i)                       [B, d]
 *   de = [da; dp]                                                                                     [2B, d]
 *   dv_r = (de_r − e_r (e_r·de_r)) / n_r  (∂e/∂v = (I − e eᵀ)/‖v‖ for ‖v‖ > ε; below ε, n is the
 *                                          constant ε and dv_r = de_r/ε)                             [2B, d]
 * </pre>
 *
 * <p>Why the host: these are O(B²·d) operations on a {@code [2B, d]} matrix (B = 32, d = 384: 0.8 MFLOP), against
 * the encoder's O(B·T·d²) per layer, and the backends have no row-normalisation kernel; float64 also makes the loss
 * an exact objective for finite differences. The pooled vectors come down once and their gradient goes up once per
 * micro-batch.
 */
final class InBatchNegativesLoss {
    private static final double EPS = 1e-12;

    private final double temperature;
    private int pairs;
    private int dim;
    private double[] e;
    private double[] norms;
    private double[] probs;

    InBatchNegativesLoss(double temperature) {
        if (!(temperature > 0) || !Double.isFinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and > 0, got " + temperature);
        }
        this.temperature = temperature;
    }

    /** The mean loss over the B anchors of {@code pooled} {@code [2B, d]}; keeps what the backward needs. */
    double forward(float[] pooled, int twoB, int d) {
        return forward(pooled, twoB, d, null);
    }

    /**
     * As {@link #forward(float[], int, int)}, with {@code groups} {@code [B]} (nullable; −1 = none): for anchor i,
     * the positives j ≠ i with groups[j] = groups[i] ≥ 0 are left out of its softmax.
     */
    double forward(float[] pooled, int twoB, int d, int[] groups) {
        if (twoB < 2 || twoB % 2 != 0) {
            throw new IllegalArgumentException("need an even number ≥ 2 of pooled rows (anchors then positives), got "
                    + twoB);
        }
        if (pooled.length != twoB * d) {
            throw new IllegalArgumentException("pooled has " + pooled.length + " values, [" + twoB + ", " + d
                    + "] needs " + twoB * d);
        }
        int b = twoB / 2;
        if (groups != null && groups.length != b) {
            throw new IllegalArgumentException("groups has " + groups.length + " entries for " + b + " pairs");
        }
        pairs = b;
        dim = d;
        e = new double[twoB * d];
        norms = new double[twoB];
        for (int r = 0; r < twoB; r++) {
            double sq = 0;
            for (int k = 0; k < d; k++) {
                double x = pooled[r * d + k];
                sq += x * x;
            }
            norms[r] = Math.max(Math.sqrt(sq), EPS);
            for (int k = 0; k < d; k++) {
                e[r * d + k] = pooled[r * d + k] / norms[r];
            }
        }
        probs = new double[b * b];
        double loss = 0;
        for (int i = 0; i < b; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < b; j++) {
                double s = 0;
                for (int k = 0; k < d; k++) {
                    s += e[i * d + k] * e[(b + j) * d + k];
                }
                s /= temperature;
                if (groups != null && j != i && groups[i] >= 0 && groups[j] == groups[i]) {
                    s = Double.NEGATIVE_INFINITY;
                }
                probs[i * b + j] = s;
                max = Math.max(max, s);
            }
            double sum = 0;
            for (int j = 0; j < b; j++) {
                sum += Math.exp(probs[i * b + j] - max);
            }
            double logSumExp = max + Math.log(sum);
            loss += logSumExp - probs[i * b + i];
            for (int j = 0; j < b; j++) {
                probs[i * b + j] = Math.exp(probs[i * b + j] - logSumExp);
            }
        }
        return loss / b;
    }

    /** The softmax P {@code [B, B]} of the last forward (row i: anchor i against every positive). */
    double[] probabilities() {
        return probs.clone();
    }

    /** d(scale·loss)/dv {@code [2B, d]} for the pooled vectors of the last forward. */
    float[] backward(double scale) {
        if (e == null) {
            throw new IllegalStateException("backward before forward");
        }
        int b = pairs;
        int d = dim;
        double[] de = new double[2 * b * d];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < b; j++) {
                double ds = scale * (probs[i * b + j] - (i == j ? 1 : 0)) / b / temperature;
                for (int k = 0; k < d; k++) {
                    de[i * d + k] += ds * e[(b + j) * d + k];       // da_i += dS_ij p_j / τ
                    de[(b + j) * d + k] += ds * e[i * d + k];       // dp_j += dS_ij a_i / τ
                }
            }
        }
        float[] dv = new float[2 * b * d];
        for (int r = 0; r < 2 * b; r++) {
            double dot = 0;
            if (norms[r] > EPS) {
                for (int k = 0; k < d; k++) {
                    dot += e[r * d + k] * de[r * d + k];
                }
            }
            for (int k = 0; k < d; k++) {
                dv[r * d + k] = (float) ((de[r * d + k] - e[r * d + k] * dot) / norms[r]);
            }
        }
        return dv;
    }
}
