package dev.peft4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.LoraTarget;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.tensor.Tensor;
import java.util.function.DoubleSupplier;
import dev.peft4j.testing.TestPlans;
import java.util.EnumSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The contrastive objective's whole backward (loss → normalisation → pooling → encoder) against central differences
 * of its float64 loss, element by element for every trainable parameter, on the reference backend and a tiny BERT.
 */
class ContrastiveObjectiveGradientTest {
    /** Three pairs, anchors then positives, of unequal lengths: four of the six sequences carry padding. */
    static Batch threePairs() {
        int t = 5;
        int[][] seqs = {{1, 4, 7, 2}, {1, 9, 3, 5, 2}, {1, 6, 2}, {1, 4, 8, 2}, {1, 3, 5, 10, 2}, {1, 6, 6, 2}};
        int[] ids = new int[seqs.length * t];
        float[] mask = new float[seqs.length * t];
        for (int s = 0; s < seqs.length; s++) {
            for (int k = 0; k < seqs[s].length; k++) {
                ids[s * t + k] = seqs[s][k];
                mask[s * t + k] = 1;
            }
        }
        return new Batch(seqs.length, t, ids, null, mask, null);
    }

    /** Base matrices are scaled by this (see {@link #check}). */
    static final float BASE_SCALE = 10;

    /**
     * The finite-difference step relative to max(1, |x|). Measured on these models: at 1e-2 the error is float32
     * rounding of the activations (it falls tenfold from 3e-3 to 3e-2), at 3e-2 the truncation of the GELU FFN's
     * curvature starts to show; 2e-2 keeps both at ≤ 5e-4 relative for gradients of order 1e-2 and more.
     */
    static final double STEP = 2e-2;

    /** Absolute floor of the comparison: the float32 rounding of a loss of order 1 over 2h (about 1e-7/0.04), ×10. */
    static final double FLOOR = 1e-6;

    private static BertConfig tiny(Pooling pooling) {
        return new BertConfig(11, 8, 2, 2, 12, 6, 2, 1e-5f, Activation.GELU, 0.1f, pooling);
    }

    @Test
    void loraWithMeanPoolingMatchesFiniteDifferences() {
        check(tiny(Pooling.MEAN), PeftPlan.lora(2, new LoraSpec(2, 4f, false, 0f, EnumSet.of(LoraTarget.QUERY,
                LoraTarget.VALUE))), 0.05f);
    }

    @Test
    void loraWithClsPoolingMatchesFiniteDifferences() {
        check(tiny(Pooling.CLS), PeftPlan.lora(2, new LoraSpec(2, 4f, false, 0f, EnumSet.allOf(LoraTarget.class))),
                0.05f);
    }

    @Test
    void everyPeftMethodWithMeanPoolingAndAWarmTemperatureMatchesFiniteDifferences() {
        check(tiny(Pooling.MEAN), TestPlans.everything(), 0.5f);
    }

    private static void check(BertConfig cfg, PeftPlan plan, float temperature) {
        try (Backend be = Backends.create("reference"); BertModel encoder = BertModel.random(be, cfg, 7);
             ContrastiveObjective objective = new ContrastiveObjective(encoder, temperature)) {
            // N(0, 0.2) base matrices instead of N(0, 0.02), as in a trained model: with the tiny init, attention is
            // nearly uniform and the gradients of the query-side modules fall to the float32 rounding of the loss
            for (Parameter p : encoder.parameters()) {
                if (p.value().rank() == 2) {
                    float[] v = p.value().toArray();
                    for (int i = 0; i < v.length; i++) {
                        v[i] *= BASE_SCALE;
                    }
                    p.value().copyFrom(v);
                }
            }
            encoder.applyPlan(plan, 5);
            // move every trainable value off its initialisation: LoRA's zero B would make A's gradient vanish
            SplittableRandom rng = new SplittableRandom(3);
            for (Parameter p : encoder.trainableParameters()) {
                float[] v = p.value().toArray();
                for (int i = 0; i < v.length; i++) {
                    v[i] += (float) (rng.nextDouble() * 0.4 - 0.2);
                }
                p.value().copyFrom(v);
            }
            Batch batch = threePairs();
            double loss = objective.loss(batch, true, 42);
            assertTrue(loss > 0 && Double.isFinite(loss), "loss " + loss);
            objective.backward(1f);
            int checked = 0;
            int alive = 0;
            for (Parameter p : objective.trainableParameters()) {
                float[] analytic = p.grad().toArray();
                double largest = assertClose(p.name(), analytic,
                        centralDifferences(p.value(), () -> objective.loss(batch, true, 42)));
                checked += (int) p.numel();
                alive += largest > 1e-4 ? 1 : 0;
            }
            assertTrue(checked >= 100, "checked only " + checked + " gradient entries");
            // a check is only as good as the gradients it sees: all but the structurally zero ones are well above
            // the floor
            int all = objective.trainableParameters().size();
            assertTrue(alive >= all - 2, alive + " of " + all + " parameters have a gradient above 1e-4");
            assertEquals(loss, objective.loss(batch, true, 42), 0.0, "the same pass again gives the same loss");
        }
    }

    /**
     * ∂L/∂value[i] for every i: the step h = {@link #STEP}·max(1, |x|) is taken as float32 represents it,
     * h₊ = fl(x + h) − x and h₋ = x − fl(x − h), and the quotient is (L(x + h₊) − L(x − h₋))/(h₊ + h₋).
     * (Core's GradientCheck does the same but cannot be read here: its package is split with this module's tests.)
     */
    static double[] centralDifferences(Tensor value, DoubleSupplier loss) {
        float[] x = value.toArray();
        double[] grad = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            float orig = x[i];
            double h = STEP * Math.max(1, Math.abs(orig));
            float up = (float) (orig + h);
            float down = (float) (orig - h);
            x[i] = up;
            value.copyFrom(x);
            double lUp = loss.getAsDouble();
            x[i] = down;
            value.copyFrom(x);
            double lDown = loss.getAsDouble();
            x[i] = orig;
            value.copyFrom(x);
            grad[i] = (lUp - lDown) / ((double) up - (double) down);
        }
        return grad;
    }

    /**
     * max_i |analytic_i − numeric_i| ≤ 1e-3·max_i |g_i| + {@link #FLOOR} and ‖analytic − numeric‖ ≤
     * 1e-3·max(‖analytic‖, ‖numeric‖) + FLOOR·√n: an order above the finite-difference error of these models, two
     * orders below a wrong sign, factor, transpose or missing term. The floor lets a gradient that is exactly zero
     * (a key bias: it shifts every score of a query alike, and the softmax ignores that) meet a numeric one that is
     * rounding noise. Returns max_i |g_i|.
     */
    static double assertClose(String what, float[] analytic, double[] numeric) {
        double diff2 = 0;
        double an2 = 0;
        double num2 = 0;
        double diffMax = 0;
        double absMax = 0;
        int worst = 0;
        for (int i = 0; i < analytic.length; i++) {
            assertTrue(Double.isFinite(analytic[i]) && Double.isFinite(numeric[i]), what + "[" + i + "] not finite");
            double d = Math.abs(analytic[i] - numeric[i]);
            diff2 += d * d;
            an2 += (double) analytic[i] * analytic[i];
            num2 += numeric[i] * numeric[i];
            absMax = Math.max(absMax, Math.max(Math.abs(analytic[i]), Math.abs(numeric[i])));
            if (d > diffMax) {
                diffMax = d;
                worst = i;
            }
        }
        double relative = diff2 == 0 ? 0 : Math.sqrt(diff2 / Math.max(an2, num2));
        if (Boolean.getBoolean("peft4j.gradcheck.verbose")) {
            System.out.printf("gradient check %-50s relative %.2e, max element %.2e of max |g| %.3g%n", what, relative,
                    diffMax, absMax);
        }
        boolean ok = Math.sqrt(diff2) <= 1e-3 * Math.sqrt(Math.max(an2, num2)) + FLOOR * Math.sqrt(analytic.length)
                && diffMax <= 1e-3 * absMax + FLOOR;
        assertTrue(ok, String.format("%s: relative error %.3e, worst [%d]:"
                + " analytic %.8g, finite difference %.8g (max |g| %.4g)", what, relative, worst,
                (double) analytic[worst], numeric[worst], absMax));
        return absMax;
    }
}
