package dev.peft4j.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Two-objective Pareto tools, both objectives minimised, with a reference point r.
 *
 * <p>Exact expected hypervolume improvement. Sort the front (inside the box y &lt; r) by y₁: p₁..p_n (y₂ falling).
 * The region not dominated by the front splits into strips i = 0..n: y₁ ∈ [a_i, a_{i+1}), y₂ &lt; b_i, with
 * a_0 = −∞, a_i = p_i.y₁, a_{n+1} = r₁, b_0 = r₂, b_i = p_i.y₂. The improvement of a point y is
 * HVI(y) = Σ_i (a_{i+1} − max(y₁, a_i))⁺ · (b_i − y₂)⁺, and since (a_{i+1} − max(Y, a_i))⁺ = (a_{i+1} − Y)⁺ − (a_i − Y)⁺,
 * for independent Y₁ ~ N(μ₁, s₁²), Y₂ ~ N(μ₂, s₂²):
 * EHVI = Σ_i [ψ₁(a_{i+1}) − ψ₁(a_i)] · ψ₂(b_i), with ψ(c) = E[(c − Y)⁺] = (c − μ)Φ(z) + s·φ(z), z = (c − μ)/s
 * (and (c − μ)⁺ when s = 0).
 */
public final class Hypervolume2D {
    private Hypervolume2D() {}

    /** The points no other point dominates (≤ in both, &lt; in one), sorted by y₁; duplicates kept once. */
    public static List<double[]> nondominated(List<double[]> points) {
        List<double[]> sorted = new ArrayList<>(points);
        sorted.sort(Comparator.<double[]>comparingDouble(p -> p[0]).thenComparingDouble(p -> p[1]));
        List<double[]> front = new ArrayList<>();
        double bestY2 = Double.POSITIVE_INFINITY;
        for (double[] p : sorted) {
            if (p[1] < bestY2) {
                front.add(p);
                bestY2 = p[1];
            }
        }
        return front;
    }

    /** The area dominated by the points and bounded by r. */
    public static double hypervolume(List<double[]> points, double[] ref) {
        double hv = 0;
        double prevY2 = ref[1];
        for (double[] p : inside(nondominated(points), ref)) {
            hv += (ref[0] - p[0]) * (prevY2 - p[1]);
            prevY2 = p[1];
        }
        return hv;
    }

    /** The exact EHVI of a candidate with independent Gaussian objectives (s = 0: a known value). */
    public static double expectedImprovement(List<double[]> points, double[] ref, double mu1, double s1, double mu2,
                                             double s2) {
        List<double[]> front = inside(nondominated(points), ref);
        int n = front.size();
        double total = 0;
        double psiLow = 0; // ψ₁(a_0 = −∞) = 0
        for (int i = 0; i <= n; i++) {
            double aNext = i < n ? front.get(i)[0] : ref[0];
            double b = i == 0 ? ref[1] : front.get(i - 1)[1];
            double psiHigh = psi(aNext, mu1, s1);
            total += (psiHigh - psiLow) * psi(b, mu2, s2);
            psiLow = psiHigh;
        }
        return Math.max(0, total);
    }

    /** ψ(c) = E[(c − Y)⁺] for Y ~ N(μ, s²). */
    static double psi(double c, double mu, double s) {
        if (s <= 0) {
            return Math.max(0, c - mu);
        }
        double z = (c - mu) / s;
        return (c - mu) * cdf(z) + s * Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
    }

    private static double cdf(double z) {
        return 0.5 * org.hipparchus.special.Erf.erfc(-z / Math.sqrt(2));
    }

    private static List<double[]> inside(List<double[]> front, double[] ref) {
        return front.stream().filter(p -> p[0] < ref[0] && p[1] < ref[1]).toList();
    }
}
