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
}
