package dev.peft4j.conformance;

import java.util.Locale;

/**
 * Tolerances on {@link RelativeError} for fp32 backends against the float64-accumulating reference, one per
 * kind of computation, with the reason for each. A backend declared to run its matrix products in TF32
 * ({@code -Dpeft4j.conformance.precision.NAME=tf32}) gets 5e-4 on the GEMM-like outputs (DESIGN.md §6).
 *
 * @param kind      short label printed in failure messages
 * @param fp32      the fp32 tolerance
 * @param gemmLike  whether the output comes from a matrix product (the part TF32 changes)
 */
record Tolerance(String kind, double fp32, boolean gemmLike) {

    /** One or two fp32 roundings per element (copy, add, mul, masks, gathers): a few ulps, 6e-8 each. */
    static final Tolerance ROUNDING = new Tolerance("elementwise", 1e-6, false);

    /**
     * fp32 dot products and row/column sums of up to ~1500 terms: naive summation gives about
     * ε·√n ≈ 6e-8·40 ≈ 2.4e-6; 1e-5 leaves a factor of 4 for blocking and FMA differences.
     */
    static final Tolerance GEMM = new Tolerance("GEMM-like", 1e-5, true);

    /** Sums over rows or columns without a product (bias gradients, pooling, scatter-add, norms): as GEMM. */
    static final Tolerance REDUCTION = new Tolerance("reduction", 1e-5, false);

    /**
     * exp, erf, tanh and their compositions (activations, softmax, cross-entropy, layer norm's 1/√): a fast
     * backend may use polynomial approximations good to a few ulps, and softmax/layer norm add a row reduction.
     */
    static final Tolerance TRANSCENDENTAL = new Tolerance("transcendental", 1e-5, false);

    /**
     * An optimiser's step Δθ = θ_new − θ_old: each θ is rounded to fp32 (ulp(1) ≈ 1.2e-7) and |Δθ| ≈ lr = 0.05,
     * so the rounding of θ alone contributes ≈ 2.4e-6 relative; the step itself (√, ÷, bias corrections) a few ulps.
     */
    static final Tolerance OPTIMIZER_STEP = new Tolerance("optimizer step", 1e-5, false);

    /** The tolerance that applies to {@code backend}. */
    double forBackend(String backend) {
        String precision = System.getProperty("peft4j.conformance.precision." + backend, "fp32").toLowerCase(Locale.ROOT);
        if (gemmLike && precision.equals("tf32")) {
            return Math.max(fp32, 5e-4);
        }
        return fp32;
    }
}
