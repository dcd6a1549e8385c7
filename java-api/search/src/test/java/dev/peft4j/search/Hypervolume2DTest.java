package dev.peft4j.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Hypervolume2DTest {
    static final double[] REF = {4, 4};

    @Test
    void staircaseAreaByHand() {
        // Rectangles up to (4,4) from (1,3), (2,2), (3,1): a staircase of 3 + 2 + 1.
        List<double[]> pts = List.of(new double[] {1, 3}, new double[] {2, 2}, new double[] {3, 1}, new double[] {3, 3});
        assertEquals(6, Hypervolume2D.hypervolume(pts, REF), 1e-12);
        assertEquals(3, Hypervolume2D.nondominated(pts).size(), "(3,3) is dominated");
        assertEquals(0, Hypervolume2D.hypervolume(List.of(new double[] {5, 1}), REF), 0);
    }

    static List<double[]> randomFront(Random r, int n) {
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pts.add(new double[] {r.nextDouble() * 4, r.nextDouble() * 4});
        }
        return pts;
    }

    @Test
    void withoutUncertaintyEhviIsTheHypervolumeImprovement() {
        Random r = new Random(3);
        for (int t = 0; t < 200; t++) {
            List<double[]> front = randomFront(r, 1 + r.nextInt(6));
            double[] y = {r.nextDouble() * 4.5 - 0.5, r.nextDouble() * 4.5 - 0.5};
            List<double[]> plus = new ArrayList<>(front);
            plus.add(y);
            double hvi = Hypervolume2D.hypervolume(plus, REF) - Hypervolume2D.hypervolume(front, REF);
            assertEquals(hvi, Hypervolume2D.expectedImprovement(front, REF, y[0], 0, y[1], 0), 1e-12);
        }
    }

    @Test
    void exactEhviAgreesWithMonteCarlo() {
        Random r = new Random(8);
        for (int t = 0; t < 10; t++) {
            List<double[]> front = randomFront(r, 1 + r.nextInt(5));
            double mu1 = r.nextDouble() * 4;
            double mu2 = r.nextDouble() * 4;
            double s1 = 0.1 + r.nextDouble();
            double s2 = t % 3 == 0 ? 0 : 0.1 + r.nextDouble();
            double base = Hypervolume2D.hypervolume(front, REF);
            int n = 40_000;
            double sum = 0;
            double sumSq = 0;
            Random g = new Random(100 + t);
            for (int i = 0; i < n; i++) {
                List<double[]> plus = new ArrayList<>(front);
                plus.add(new double[] {mu1 + s1 * g.nextGaussian(), mu2 + s2 * g.nextGaussian()});
                double v = Hypervolume2D.hypervolume(plus, REF) - base;
                sum += v;
                sumSq += v * v;
            }
            double mean = sum / n;
            double se = Math.sqrt(Math.max(0, sumSq / n - mean * mean) / n);
            double exact = Hypervolume2D.expectedImprovement(front, REF, mu1, s1, mu2, s2);
            assertTrue(Math.abs(exact - mean) <= 4 * se + 1e-9, "exact " + exact + " vs MC " + mean + " ± " + se);
        }
    }
}
