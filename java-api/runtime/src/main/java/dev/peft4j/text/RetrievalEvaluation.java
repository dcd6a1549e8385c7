package dev.peft4j.text;

import java.util.Arrays;

/**
 * Nearest-neighbour evaluation of embeddings against labels, in float64 on the host. For each query i, every other
 * vector j ≠ i is ranked by cosine similarity cos(v_i, v_j) = v_i·v_j / (‖v_i‖‖v_j‖) (a zero vector has similarity 0
 * to everything), highest first, equal similarities by index.
 * <ul>
 *   <li>k-NN label: the most frequent label among the first k neighbours (all n − 1 when fewer); a tie between labels
 *       goes to the one that occurs nearest (earliest in the ranking).</li>
 *   <li>Reciprocal rank: 1/r for the rank r (1-based) of the first neighbour sharing the query's label; 0 if none.</li>
 * </ul>
 * O(n²·d) time, O(n) memory per query: meant for held-out sets of hundreds to a few thousand texts.
 */
public final class RetrievalEvaluation {
    private RetrievalEvaluation() {}

    /** The metrics of {@code vectors} {@code [n][d]} with {@code labels} {@code [n]}, k neighbours (k ≥ 1, n ≥ 2). */
    public static RetrievalMetrics evaluate(float[][] vectors, int[] labels, int k) {
        int n = vectors.length;
        if (labels.length != n) {
            throw new IllegalArgumentException(n + " vectors but " + labels.length + " labels");
        }
        if (n < 2 || k < 1) {
            throw new IllegalArgumentException("need at least 2 vectors and k ≥ 1, got " + n + " and " + k);
        }
        int d = vectors[0].length;
        double[] norms = new double[n];
        for (int i = 0; i < n; i++) {
            if (vectors[i].length != d) {
                throw new IllegalArgumentException("vector " + i + " has " + vectors[i].length + " components, vector 0 "
                        + d);
            }
            double sq = 0;
            for (float x : vectors[i]) {
                sq += (double) x * x;
            }
            norms[i] = Math.sqrt(sq);
        }
        int correct = 0;
        double reciprocalRanks = 0;
        for (int q = 0; q < n; q++) {
            Integer[] ranking = ranking(vectors, norms, q);
            if (majorityLabel(ranking, labels, Math.min(k, n - 1)) == labels[q]) {
                correct++;
            }
            for (int r = 0; r < ranking.length; r++) {
                if (labels[ranking[r]] == labels[q]) {
                    reciprocalRanks += 1.0 / (r + 1);
                    break;
                }
            }
        }
        return new RetrievalMetrics(n, k, (double) correct / n, reciprocalRanks / n);
    }

    /** Every index but q, by cosine similarity to q, highest first, equal ones by index. */
    private static Integer[] ranking(float[][] vectors, double[] norms, int q) {
        int n = vectors.length;
        double[] sim = new double[n];
        Integer[] others = new Integer[n - 1];
        for (int j = 0, o = 0; j < n; j++) {
            if (j == q) {
                continue;
            }
            double dot = 0;
            for (int c = 0; c < vectors[q].length; c++) {
                dot += (double) vectors[q][c] * vectors[j][c];
            }
            sim[j] = norms[q] == 0 || norms[j] == 0 ? 0 : dot / (norms[q] * norms[j]);
            others[o++] = j;
        }
        Arrays.sort(others, (a, b) -> sim[a] != sim[b] ? Double.compare(sim[b], sim[a]) : Integer.compare(a, b));
        return others;
    }

    /** The most frequent label among ranking[0..k), ties to the label that occurs first. */
    private static int majorityLabel(Integer[] ranking, int[] labels, int k) {
        int best = labels[ranking[0]];
        int bestCount = 0;
        for (int i = 0; i < k; i++) {
            int label = labels[ranking[i]];
            int count = 0;
            for (int j = 0; j < k; j++) {
                count += labels[ranking[j]] == label ? 1 : 0;
            }
            // strictly more: a label first met later with the same count loses to the nearer one
            if (count > bestCount) {
                best = label;
                bestCount = count;
            }
        }
        return best;
    }
}
