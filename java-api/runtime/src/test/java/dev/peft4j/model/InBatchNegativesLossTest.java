package dev.peft4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The multiple-negatives ranking loss on host vectors: values by hand, and its backward by central differences. */
class InBatchNegativesLossTest {

    private static float[] random(int rows, int d, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] v = new float[rows * d];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return v;
    }

    @Test
    void orthonormalPairsGiveTheCrossEntropyOfAnIdentitySimilarity() {
        // a = p = the unit vectors e0, e1 (given at lengths 2 and 3: normalisation removes them); τ = 1, so S = I
        // and each row's loss is log(e + 1) − 1
        float[] v = {2, 0, 0, 3, 2, 0, 0, 3};
        double loss = new InBatchNegativesLoss(1).forward(v, 4, 2);
        assertEquals(Math.log(Math.E + 1) - 1, loss, 1e-15);
    }

    @Test
    void identicalVectorsCannotBeToldApartSoTheLossIsLogB() {
        float[] v = new float[6 * 4];
        for (int r = 0; r < 6; r++) {
            for (int k = 0; k < 4; k++) {
                v[r * 4 + k] = k + 1;
            }
        }
        assertEquals(Math.log(3), new InBatchNegativesLoss(0.05).forward(v, 6, 4), 1e-12);
    }

    @Test
    void theTemperatureDividesTheSimilarities() {
        // B = 2, d = 2: a0 = p0 = (1,0); a1 = (0,1), p1 = (0.6, 0.8). Row 0: S = (1, 0.6)/τ; row 1: S = (0, 0.8)/τ.
        float[] v = {1, 0, 0, 1, 1, 0, 0.6f, 0.8f};
        double tau = 0.5;
        double n = Math.hypot(0.6f, 0.8f); // 1 up to the float32 rounding of 0.6 and 0.8
        double row0 = Math.log(Math.exp(1 / tau) + Math.exp(0.6f / n / tau)) - 1 / tau;
        double row1 = Math.log(Math.exp(0 / tau) + Math.exp(0.8f / n / tau)) - 0.8f / n / tau;
        assertEquals((row0 + row1) / 2, new InBatchNegativesLoss(tau).forward(v, 4, 2), 1e-12);
    }

    @Test
    void backwardMatchesCentralDifferencesInDouble() {
        for (int b : new int[] {2, 3, 5}) {
            int d = 7;
            float[] v = random(2 * b, d, 10 + b);
            InBatchNegativesLoss loss = new InBatchNegativesLoss(0.05);
            loss.forward(v, 2 * b, d);
            float[] analytic = loss.backward(0.5);
            double[] numeric = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                // a step that float32 represents exactly around v[i], so the difference quotient is exact in h
                float orig = v[i];
                float h = 0x1p-12f;
                v[i] = orig + h;
                double up = new InBatchNegativesLoss(0.05).forward(v, 2 * b, d);
                v[i] = orig - h;
                double down = new InBatchNegativesLoss(0.05).forward(v, 2 * b, d);
                v[i] = orig;
                numeric[i] = 0.5 * (up - down) / ((double) (orig + h) - (double) (orig - h));
            }
            // truncation h²·L'''/6 with L''' ~ 1/τ³ = 8e3 and h = 2.4e-4: ≈ 8e-5 of gradients of order 1
            ContrastiveObjectiveGradientTest.assertClose("dv, B = " + b, analytic, numeric);
        }
    }

    @Test
    void sameGroupPositivesAreNotNegatives() {
        // B = 3, pairs 0 and 1 in group 7, pair 2 alone: anchor 0's softmax runs over positives {0, 2}, anchor 1's
        // over {1, 2}, anchor 2's over all three.
        int b = 3;
        int d = 4;
        float[] v = random(2 * b, d, 21);
        int[] groups = {7, 7, -1};
        double masked = new InBatchNegativesLoss(0.5).forward(v, 2 * b, d, groups);
        double[][] s = new double[b][b];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < b; j++) {
                s[i][j] = cosine(v, i, b + j, d) / 0.5;
            }
        }
        double expected = (logSumExp(s[0][0], s[0][2]) - s[0][0] + logSumExp(s[1][1], s[1][2]) - s[1][1]
                + logSumExp(s[2][0], s[2][1], s[2][2]) - s[2][2]) / 3;
        assertEquals(expected, masked, 1e-6);
        assertEquals(new InBatchNegativesLoss(0.5).forward(v, 2 * b, d),
                new InBatchNegativesLoss(0.5).forward(v, 2 * b, d, new int[] {-1, -1, -1}), 0);
        assertThrows(IllegalArgumentException.class, () -> new InBatchNegativesLoss(0.5).forward(v, 2 * b, d, new int[2]));
    }

    @Test
    void maskedBackwardMatchesCentralDifferencesInDouble() {
        int b = 5;
        int d = 6;
        int[] groups = {0, 1, 0, 1, 0};
        float[] v = random(2 * b, d, 33);
        InBatchNegativesLoss loss = new InBatchNegativesLoss(0.05);
        loss.forward(v, 2 * b, d, groups);
        float[] analytic = loss.backward(1.0);
        double[] numeric = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            float orig = v[i];
            float h = 0x1p-12f;
            v[i] = orig + h;
            double up = new InBatchNegativesLoss(0.05).forward(v, 2 * b, d, groups);
            v[i] = orig - h;
            double down = new InBatchNegativesLoss(0.05).forward(v, 2 * b, d, groups);
            v[i] = orig;
            numeric[i] = (up - down) / ((double) (orig + h) - (double) (orig - h));
        }
        ContrastiveObjectiveGradientTest.assertClose("dv with groups", analytic, numeric);
        double[] p = loss.probabilities();
        assertEquals(0, p[0 * b + 2], 0, "anchor 0 does not see pair 2's positive (same group)");
        assertTrue(p[0 * b + 1] > 0);
    }

    static double cosine(float[] v, int r, int c, int d) {
        double dot = 0, nr = 0, nc = 0;
        for (int k = 0; k < d; k++) {
            dot += (double) v[r * d + k] * v[c * d + k];
            nr += (double) v[r * d + k] * v[r * d + k];
            nc += (double) v[c * d + k] * v[c * d + k];
        }
        return dot / Math.sqrt(nr * nc);
    }

    static double logSumExp(double... x) {
        double max = Double.NEGATIVE_INFINITY;
        for (double y : x) {
            max = Math.max(max, y);
        }
        double sum = 0;
        for (double y : x) {
            sum += Math.exp(y - max);
        }
        return max + Math.log(sum);
    }

    @Test
    void oneAnchorHasNoNegativeSoItsLossAndGradientAreZero() {
        InBatchNegativesLoss loss = new InBatchNegativesLoss(0.05);
        assertEquals(0, loss.forward(random(2, 4, 1), 2, 4), 0);
        for (float g : loss.backward(1)) {
            assertEquals(0, g, 0);
        }
    }

    @Test
    void eachRowsGradientIsOrthogonalToItsVector() {
        // the loss depends on v_r only through its direction, so dv_r ⟂ v_r
        float[] v = random(8, 5, 3);
        InBatchNegativesLoss loss = new InBatchNegativesLoss(0.1);
        loss.forward(v, 8, 5);
        float[] dv = loss.backward(1);
        for (int r = 0; r < 8; r++) {
            double dot = 0;
            double scale = 0;
            for (int k = 0; k < 5; k++) {
                dot += (double) dv[r * 5 + k] * v[r * 5 + k];
                scale += Math.abs((double) dv[r * 5 + k] * v[r * 5 + k]);
            }
            assertEquals(0, dot, 1e-6 * scale, "row " + r);
        }
    }

    @Test
    void anOddNumberOfRowsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new InBatchNegativesLoss(0.05).forward(new float[6], 3, 2));
        assertThrows(IllegalArgumentException.class, () -> new InBatchNegativesLoss(0));
    }
}
