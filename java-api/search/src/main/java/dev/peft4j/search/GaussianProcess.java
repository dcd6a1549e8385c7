package dev.peft4j.search;

import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.ArrayRealVector;
import org.hipparchus.linear.CholeskyDecomposition;
import org.hipparchus.linear.MatrixUtils;
import org.hipparchus.linear.RealMatrix;
import org.hipparchus.linear.RealVector;
import org.hipparchus.optim.InitialGuess;
import org.hipparchus.optim.MaxEval;
import org.hipparchus.optim.SimpleBounds;
import org.hipparchus.optim.nonlinear.scalar.GoalType;
import org.hipparchus.optim.nonlinear.scalar.ObjectiveFunction;
import org.hipparchus.optim.nonlinear.scalar.noderiv.BOBYQAOptimizer;

/**
 * A Gaussian-process regression surrogate with a Matérn-5/2 kernel
 * k(x, x') = (1 + √5·r/ℓ + 5r²/(3ℓ²))·exp(−√5·r/ℓ), r = ‖x − x'‖, on outputs standardised to mean 0 and variance 1
 * (so the signal variance is 1), plus noise variance σ². Posterior of the latent f at x*: mean k*ᵀ(K + σ²I)⁻¹y,
 * variance 1 − vᵀv with v = L⁻¹k*, L the Cholesky factor of K + σ²I (Hipparchus).
 *
 * <p>Hyper-parameters (ℓ, σ²) maximise the log marginal likelihood −½ yᵀα − Σ log L_ii − (n/2) log 2π: the best of
 * a fixed grid starts BOBYQA over (log ℓ, log σ²) within ℓ ∈ [0.05, 10], σ² ∈ [1e-6, 1]; deterministic.
 */
public final class GaussianProcess {
    static final double MIN_LENGTH = 0.05;
    static final double MAX_LENGTH = 10;
    static final double MIN_NOISE = 1e-6;
    static final double MAX_NOISE = 1;

    private final double[][] x;
    private final double[] yRaw;
    private final double yMean;
    private final double yScale;
    private final double lengthScale;
    private final double noise;
    private final RealMatrix cholL;
    private final RealVector alpha;
    private final double logLikelihood;

    private GaussianProcess(double[][] x, double[] y, double lengthScale, double noise) {
        this.x = x;
        this.yRaw = y;
        this.lengthScale = lengthScale;
        this.noise = noise;
        int n = y.length;
        double m = 0;
        for (double v : y) {
            m += v;
        }
        m /= n;
        double ss = 0;
        for (double v : y) {
            ss += (v - m) * (v - m);
        }
        double sd = n > 1 ? Math.sqrt(ss / n) : 0;
        this.yMean = m;
        this.yScale = sd > 1e-12 ? sd : 1;
        double[][] k = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                k[i][j] = kernel(x[i], x[j], lengthScale) + (i == j ? noise + 1e-10 : 0);
            }
        }
        CholeskyDecomposition chol = new CholeskyDecomposition(new Array2DRowRealMatrix(k, false), 1e-9, 1e-14);
        this.cholL = chol.getL();
        RealVector ys = new ArrayRealVector(n);
        for (int i = 0; i < n; i++) {
            ys.setEntry(i, (y[i] - yMean) / yScale);
        }
        this.alpha = chol.getSolver().solve(ys);
        double logDetHalf = 0;
        for (int i = 0; i < n; i++) {
            logDetHalf += Math.log(cholL.getEntry(i, i));
        }
        this.logLikelihood = -0.5 * ys.dotProduct(alpha) - logDetHalf - 0.5 * n * Math.log(2 * Math.PI);
    }

    /** A GP with the given hyper-parameters. */
    public static GaussianProcess withHyperParameters(double[][] x, double[] y, double lengthScale, double noise) {
        check(x, y);
        return new GaussianProcess(copy(x), y.clone(), lengthScale, noise);
    }

    /** A GP whose hyper-parameters maximise the marginal likelihood (see the class comment). */
    public static GaussianProcess fit(double[][] x, double[] y) {
        check(x, y);
        double[][] xs = copy(x);
        double[] ys = y.clone();
        double bestLen = 1;
        double bestNoise = 1e-2;
        double best = Double.NEGATIVE_INFINITY;
        for (double len : new double[] {0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4}) {
            for (double nz : new double[] {1e-5, 1e-3, 1e-2, 1e-1, 0.5}) {
                double ll = safeLikelihood(xs, ys, len, nz);
                if (ll > best) {
                    best = ll;
                    bestLen = len;
                    bestNoise = nz;
                }
            }
        }
        if (ys.length >= 3) {
            try {
                double[] opt = new BOBYQAOptimizer(5).optimize(new MaxEval(300),
                        new ObjectiveFunction(p -> safeLikelihood(xs, ys, Math.exp(p[0]), Math.exp(p[1]))),
                        GoalType.MAXIMIZE, new InitialGuess(new double[] {Math.log(bestLen), Math.log(bestNoise)}),
                        new SimpleBounds(new double[] {Math.log(MIN_LENGTH), Math.log(MIN_NOISE)},
                                new double[] {Math.log(MAX_LENGTH), Math.log(MAX_NOISE)})).getPoint();
                if (safeLikelihood(xs, ys, Math.exp(opt[0]), Math.exp(opt[1])) > best) {
                    bestLen = Math.exp(opt[0]);
                    bestNoise = Math.exp(opt[1]);
                }
            } catch (RuntimeException e) {
                // keep the grid's best: BOBYQA stops on degenerate likelihood surfaces (e.g. constant data)
            }
        }
        return new GaussianProcess(xs, ys, bestLen, bestNoise);
    }

    private static double safeLikelihood(double[][] x, double[] y, double len, double noise) {
        try {
            double ll = new GaussianProcess(x, y, len, noise).logLikelihood;
            return Double.isFinite(ll) ? ll : -1e300;
        } catch (RuntimeException e) {
            return -1e300;
        }
    }

    /** The same hyper-parameters with one more observation (Kriging believer: y = the predicted mean). */
    public GaussianProcess withObservation(double[] xNew, double yNew) {
        double[][] x2 = java.util.Arrays.copyOf(x, x.length + 1);
        x2[x.length] = xNew.clone();
        double[] y2 = java.util.Arrays.copyOf(yRaw, yRaw.length + 1);
        y2[yRaw.length] = yNew;
        return new GaussianProcess(x2, y2, lengthScale, noise);
    }

    /** {mean, standard deviation} of the latent function at x*, in the outputs' units. */
    public double[] predict(double[] xs) {
        int n = x.length;
        RealVector k = new ArrayRealVector(n);
        for (int i = 0; i < n; i++) {
            k.setEntry(i, kernel(xs, x[i], lengthScale));
        }
        double mean = k.dotProduct(alpha);
        RealVector v = k.copy();
        MatrixUtils.solveLowerTriangularSystem(cholL, v);
        double var = Math.max(0, 1 - v.dotProduct(v));
        return new double[] {yMean + yScale * mean, yScale * Math.sqrt(var)};
    }

    public double lengthScale() {
        return lengthScale;
    }

    public double noise() {
        return noise;
    }

    public double logMarginalLikelihood() {
        return logLikelihood;
    }

    static double kernel(double[] a, double[] b, double len) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        double z = Math.sqrt(5 * s) / len;
        return (1 + z + z * z / 3) * Math.exp(-z);
    }

    private static void check(double[][] x, double[] y) {
        if (x.length == 0 || x.length != y.length) {
            throw new IllegalArgumentException("need n ≥ 1 inputs and as many outputs, got " + x.length + " and " + y.length);
        }
        for (double v : y) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("GP outputs must be finite, got " + v);
            }
        }
    }

    private static double[][] copy(double[][] x) {
        double[][] c = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            c[i] = x[i].clone();
        }
        return c;
    }
}
