package dev.peft4j.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** k-NN accuracy and MRR on hand-made 2-D vectors, every ranking worked out in the comments. */
class RetrievalEvaluationTest {
    private static final int A = 0;
    private static final int B = 1;

    /** A vector at {@code degrees} of length {@code length}: cosine similarity depends on angles alone. */
    private static float[] at(double degrees, double length) {
        double r = Math.toRadians(degrees);
        return new float[] {(float) (length * Math.cos(r)), (float) (length * Math.sin(r))};
    }

    @Test
    void twoTightClustersAreRetrievedPerfectly() {
        float[][] v = {at(0, 1), at(3, 2), at(6, 0.5), at(90, 1), at(87, 3), at(84, 1)};
        RetrievalMetrics m = RetrievalEvaluation.evaluate(v, new int[] {A, A, A, B, B, B}, 2);
        assertEquals(new RetrievalMetrics(6, 2, 1.0, 1.0), m);
    }

    @Test
    void aTieBetweenLabelsGoesToTheNearestAndTheQueryItselfIsNeverItsNeighbour() {
        // v0 0° A, v1 10° B, v2 25° A, v3 90° B; lengths differ (cosine ignores them). k = 2:
        // q0: [v1 10°, v2 25°, v3] labels B,A: tie → B (nearest), wrong; first A at rank 2
        // q1: [v0 10°, v2 15°, v3] labels A,A → A, wrong; first B (v3) at rank 3
        // q2: [v1 15°, v0 25°, v3] labels B,A: tie → B, wrong; first A at rank 2
        // q3: [v2 65°, v1 80°, v0] labels A,B: tie → A, wrong; first B at rank 2
        float[][] v = {at(0, 3), at(10, 1), at(25, 0.5), at(90, 2)};
        RetrievalMetrics m = RetrievalEvaluation.evaluate(v, new int[] {A, B, A, B}, 2);
        assertEquals(0.0, m.knnAccuracy(), 0);
        assertEquals((0.5 + 1.0 / 3 + 0.5 + 0.5) / 4, m.meanReciprocalRank(), 1e-15);
    }

    @Test
    void theMajorityOfKNeighboursOutvotesTheNearest() {
        // v0 0° A, v1 5° B, v2 8° A, v3 12° A, v4 100° B:
        // q0: [v1, v2, v3, v4] B,A,A,B   k=3 → A right, k=1 → B wrong; first A at rank 2
        // q1: [v2, v0, v3, v4] A,A,A,B   k=3 → A wrong, k=1 → A wrong; first B at rank 4
        // q2: [v1, v3, v0, v4] B,A,A,B   k=3 → A right, k=1 → B wrong; first A at rank 2
        // q3: [v2, v1, v0, v4] A,B,A,B   k=3 → A right, k=1 → A right; first A at rank 1
        // q4: [v3, v2, v1, v0] A,A,B,A   k=3 → A wrong, k=1 → A wrong; first B at rank 3
        float[][] v = {at(0, 1), at(5, 1), at(8, 1), at(12, 1), at(100, 1)};
        int[] labels = {A, B, A, A, B};
        double mrr = (0.5 + 0.25 + 0.5 + 1 + 1.0 / 3) / 5;
        RetrievalMetrics k3 = RetrievalEvaluation.evaluate(v, labels, 3);
        assertEquals(3.0 / 5, k3.knnAccuracy(), 0);
        assertEquals(mrr, k3.meanReciprocalRank(), 1e-15);
        RetrievalMetrics k1 = RetrievalEvaluation.evaluate(v, labels, 1);
        assertEquals(1.0 / 5, k1.knnAccuracy(), 0);
        assertEquals(mrr, k1.meanReciprocalRank(), 1e-15);
    }

    @Test
    void kBeyondTheOtherTextsVotesOverAllOfThem() {
        // k = 10 over 3 vectors: each query votes over its 2 others
        float[][] v = {at(0, 1), at(10, 1), at(22, 1)};
        RetrievalMetrics m = RetrievalEvaluation.evaluate(v, new int[] {A, A, B}, 10);
        // q0: [v1 A, v2 B] tie → A (nearest) right; q1: [v0 A 10°, v2 B 12°] tie → A right;
        // q2: [v1 A, v0 A] → A wrong, and no B among its neighbours: reciprocal rank 0
        assertEquals(2.0 / 3, m.knnAccuracy(), 0);
        assertEquals((1 + 1 + 0) / 3.0, m.meanReciprocalRank(), 1e-15);
    }

    @Test
    void mismatchedInputsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> RetrievalEvaluation.evaluate(new float[2][2], new int[3], 1));
        assertThrows(IllegalArgumentException.class, () -> RetrievalEvaluation.evaluate(new float[1][2], new int[1], 1));
        assertThrows(IllegalArgumentException.class,
                () -> RetrievalEvaluation.evaluate(new float[][] {{1, 0}, {1}}, new int[2], 1));
    }
}
