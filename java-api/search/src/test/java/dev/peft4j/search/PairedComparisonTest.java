package dev.peft4j.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PairedComparisonTest {
    @Test
    void mcnemarMatchesTheBinomialByHand() {
        // b = 1, c = 5: P(X ≤ 1) for Bin(6, ½) = 7/64; two-sided 14/64.
        assertEquals(14.0 / 64, PairedComparison.mcnemar(1, 5), 1e-12);
        assertEquals(1.0, PairedComparison.mcnemar(3, 3), 0.0);
        assertEquals(1.0, PairedComparison.mcnemar(0, 0), 0.0);
        assertEquals(2.0 / 1024, PairedComparison.mcnemar(0, 10), 1e-12);
    }

    @Test
    void aClearlyBetterCandidateHasAPositiveIntervalAndSmallPValues() {
        SplittableRandom rng = new SplittableRandom(1);
        int n = 400;
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = rng.nextInt(2);
        }
        List<int[]> base = List.of(noisy(labels, 0.30, rng), noisy(labels, 0.30, rng), noisy(labels, 0.30, rng));
        List<int[]> cand = List.of(noisy(labels, 0.15, rng), noisy(labels, 0.15, rng), noisy(labels, 0.15, rng));
        PairedComparison.Result r = PairedComparison.compare(labels, base, cand, 2,
                ClassifierTrialRunner.Score.ACCURACY, 2000, 7);
        assertTrue(r.delta() > 0.1 && r.low() > 0 && r.high() > r.low(), r.toString());
        assertTrue(r.bootstrapP() < 0.01 && r.mcnemarP() < 0.001, r.toString());
        assertEquals(3, r.seeds());
        PairedComparison.Result same = PairedComparison.compare(labels, base, base, 2,
                ClassifierTrialRunner.Score.MACRO_F1, 500, 7);
        assertEquals(0, same.delta(), 0.0);
        assertEquals(1.0, same.mcnemarP(), 0.0);
        assertEquals(PairedComparison.compare(labels, base, cand, 2, ClassifierTrialRunner.Score.ACCURACY, 2000, 7), r,
                "seeded: the same numbers again");
        assertThrows(IllegalArgumentException.class, () -> PairedComparison.compare(labels, base, cand.subList(0, 2), 2,
                ClassifierTrialRunner.Score.ACCURACY, 10, 1));
    }

    static int[] noisy(int[] labels, double error, SplittableRandom rng) {
        int[] p = labels.clone();
        for (int i = 0; i < p.length; i++) {
            if (rng.nextDouble() < error) {
                p[i] = 1 - p[i];
            }
        }
        return p;
    }
}
