package dev.peft4j.testing;

import dev.peft4j.tensor.Tensor;
import java.util.function.DoubleSupplier;

/**
 * Central finite differences of a scalar objective with respect to every element of a host tensor.
 *
 * <p>The objective is evaluated in double, but the tensors it reads and the kernel outputs it sums are
 * float32. Two consequences shape the method:
 * <ul>
 *   <li>x ± h is not representable exactly, so the step actually taken is measured:
 *       h₊ = fl(x + h) − x and h₋ = x − fl(x − h) (both exact in double), and the derivative is
 *       (L(x + h₊) − L(x − h₋))/(h₊ + h₋).</li>
 *   <li>Each output element the perturbation changes carries a rounding error of up to 2⁻²⁴ relative, so the
 *       step must be large against that: h = {@value #RELATIVE_STEP}·max(1, |x|). The truncation error of the
 *       central difference is then h²·L'''/6 ≈ 2e-5 for inputs and curvatures of order 1 (zero for objectives
 *       linear in the input), and the rounding error about 2⁻²⁴·|out|·√k/h ≈ 1e-5 for k changed outputs of order
 *       1; both well under the 1e-3 tolerance of {@link GradientCheck}.</li>
 * </ul>
 * Functions with kinks (ReLU) must be fed inputs farther than h from the kink.
 */
public final class FiniteDifference {
    /** Step size relative to max(1, |x|). */
    public static final double RELATIVE_STEP = 1e-2;

    private FiniteDifference() {}

    /**
     * ∂L/∂input[i] for every i by central differences. Perturbs input.data() in place, one element at a time,
     * and restores every element exactly; input must be a host tensor that the objective reads.
     */
    public static double[] gradient(DoubleSupplier objective, Tensor input) {
        float[] x = input.data();
        double[] grad = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            float original = x[i];
            double h = RELATIVE_STEP * Math.max(1.0, Math.abs(original));
            float plus = (float) (original + h);
            float minus = (float) (original - h);
            x[i] = plus;
            double lPlus = objective.getAsDouble();
            x[i] = minus;
            double lMinus = objective.getAsDouble();
            x[i] = original;
            grad[i] = (lPlus - lMinus) / ((double) plus - (double) minus);
        }
        return grad;
    }

    /**
     * The objective L = Σ_k Σ_i outputs[k][i]·weights[k][i], in double, after running forward (which must
     * recompute the outputs from the current inputs). With weights R, the gradient a backward receives for
     * output k is exactly R_k, so the analytic gradients to compare come from a backward called with dOut = R.
     */
    public static DoubleSupplier weightedSum(Runnable forward, Tensor[] outputs, Tensor[] weights) {
        if (outputs.length != weights.length) {
            throw new IllegalArgumentException(outputs.length + " outputs but " + weights.length + " weights");
        }
        return () -> {
            forward.run();
            double sum = 0;
            for (int k = 0; k < outputs.length; k++) {
                float[] out = outputs[k].data();
                float[] w = weights[k].data();
                for (int i = 0; i < out.length; i++) {
                    sum += (double) out[i] * w[i];
                }
            }
            return sum;
        };
    }

    /** {@link #weightedSum(Runnable, Tensor[], Tensor[])} for one output. */
    public static DoubleSupplier weightedSum(Runnable forward, Tensor output, Tensor weights) {
        return weightedSum(forward, new Tensor[] {output}, new Tensor[] {weights});
    }
}
