package dev.peft4j.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GaussianProcessTest {
    static double f(double[] x) {
        return Math.sin(3 * x[0]) + 0.5 * x[1];
    }

    static double[][] grid(int n) {
        double[][] x = new double[n * n][];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                x[i * n + j] = new double[] {i / (n - 1.0), j / (n - 1.0)};
            }
        }
        return x;
    }

    @Test
    void fitsASmoothFunctionAndKnowsWhereItIsUnsure() {
        double[][] x = grid(5);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = f(x[i]);
        }
        GaussianProcess gp = GaussianProcess.fit(x, y);
        double[] at = gp.predict(x[7]);
        assertEquals(y[7], at[0], 0.02, "near-interpolation at a training point");
        double[] between = {0.37, 0.61};
        double[] p = gp.predict(between);
        assertEquals(f(between), p[0], 0.1, "smooth interpolation between points");
        double[] far = gp.predict(new double[] {3, 3});
        assertTrue(far[1] > 5 * at[1], "far from the data the uncertainty grows: " + far[1] + " vs " + at[1]);
        // Maximum likelihood beats the grid's corners.
        for (double len : new double[] {0.05, 10}) {
            for (double noise : new double[] {1e-6, 1}) {
                assertTrue(gp.logMarginalLikelihood()
                        >= GaussianProcess.withHyperParameters(x, y, len, noise).logMarginalLikelihood() - 1e-9);
            }
        }
    }

    @Test
    void krigingBelieverShrinksTheVarianceAtTheBelievedPoint() {
        double[][] x = {{0.0}, {1.0}};
        GaussianProcess gp = GaussianProcess.withHyperParameters(x, new double[] {0, 1}, 0.5, 1e-6);
        double[] mid = {0.5};
        double[] before = gp.predict(mid);
        GaussianProcess after = gp.withObservation(mid, before[0]);
        double[] p = after.predict(mid);
        assertEquals(before[0], p[0], 1e-3);
        assertTrue(p[1] < before[1] / 10, "believed point is nearly certain: " + p[1] + " vs " + before[1]);
    }

    /** f depends on the first of six inputs only; n points of a seeded uniform design. */
    static double[][] design(int n, int dims, long seed) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        double[][] x = new double[n][dims];
        for (double[] row : x) {
            for (int d = 0; d < dims; d++) {
                row[d] = rng.nextDouble();
            }
        }
        return x;
    }

    @Test
    void ardFindsTheOneRelevantDimensionAndPredictsBetterThanOneLengthScale() {
        double[][] x = design(30, 6, 7);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.sin(6 * x[i][0]);
        }
        GaussianProcess ard = GaussianProcess.fit(x, y);
        GaussianProcess iso = GaussianProcess.fit(x, y, false, false);
        double[] len = ard.lengthScales();
        for (int d = 1; d < len.length; d++) {
            assertTrue(len[d] > 5 * len[0], "irrelevant dimension " + d + " got length scale " + len[d]
                    + ", the relevant one " + len[0] + ": " + java.util.Arrays.toString(len));
        }
        double[][] test = design(200, 6, 8);
        double errArd = 0, errIso = 0;
        for (double[] t : test) {
            double truth = Math.sin(6 * t[0]);
            errArd += Math.pow(ard.predict(t)[0] - truth, 2);
            errIso += Math.pow(iso.predict(t)[0] - truth, 2);
        }
        assertTrue(errArd < 0.5 * errIso, "ARD's held-out squared error " + errArd + " vs one length scale's " + errIso);
    }

    @Test
    void posteriorDrawsAtTheDataHaveThePosteriorsMeanAndSpread() {
        double[][] x = design(12, 2, 3);
        double[] y = new double[x.length];
        java.util.SplittableRandom noise = new java.util.SplittableRandom(4);
        for (int i = 0; i < x.length; i++) {
            y[i] = f(x[i]) + 0.3 * (noise.nextDouble() - 0.5);
        }
        GaussianProcess gp = GaussianProcess.withHyperParameters(x, y, 0.4, 0.05);
        int count = 4000;
        double[][] draws = gp.posteriorDrawsAtData(count, new java.util.SplittableRandom(5));
        for (int i = 0; i < x.length; i++) {
            double[] p = gp.predict(x[i]);
            double m = 0, ss = 0;
            for (double[] d : draws) {
                m += d[i];
            }
            m /= count;
            for (double[] d : draws) {
                ss += (d[i] - m) * (d[i] - m);
            }
            double sd = Math.sqrt(ss / (count - 1));
            assertEquals(p[0], m, 5 * p[1] / Math.sqrt(count), "mean of the draws at input " + i);
            assertEquals(p[1], sd, 0.1 * p[1], "spread of the draws at input " + i);
        }
    }

    @Test
    void theConditionalGivenTheDataPinsATrainingInputAndWidensAwayFromIt() {
        double[][] x = design(10, 2, 9);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = f(x[i]);
        }
        GaussianProcess gp = GaussianProcess.withHyperParameters(x, y, 0.5, 1e-3);
        double[] draw = gp.posteriorDrawsAtData(1, new java.util.SplittableRandom(1))[0];
        GaussianProcess.Conditional at = gp.conditional(x[3]);
        assertEquals(draw[3], at.mean(draw), 1e-3, "given f at the data, f at a training input is that value");
        assertTrue(at.sd() < 0.01, "and nearly certain: " + at.sd());
        assertTrue(gp.conditional(new double[] {3, 3}).sd() > 50 * at.sd(), "far away it is not");
    }
}
