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
 * A Gaussian-process regression surrogate with an automatic-relevance-determination (ARD) Matérn-5/2 kernel
 * k(x, x') = (1 + √5·r + 5r²/3)·exp(−√5·r), r² = Σ_d ((x_d − x'_d)/ℓ_d)², one length scale per input dimension,
 * on outputs standardised to mean 0 and variance 1 (so the signal variance is 1), plus noise variance σ². Posterior
 * of the latent f at x*: mean k*ᵀ(K + σ²I)⁻¹y, variance 1 − vᵀv with v = L⁻¹k*, L the Cholesky factor of K + σ²I
 * (Hipparchus).
 *
 * <p>Hyper-parameters maximise the log marginal likelihood −½ yᵀα − Σ log L_ii − (n/2) log 2π plus, with the
 * sparsity prior, Σ_d log p(ρ_d) for ρ_d = 1/ℓ_d² under a half-Cauchy(0, τ = {@value #SPARSITY_SCALE}) prior
 * (the shrinkage of SAAS, Eriksson and Jankowiak 2021, used as a MAP estimate rather than sampled): dimensions
 * the data do not need get long length scales and drop out. The search: the best isotropic (ℓ, σ²) of a fixed grid
 * (ℓ ∈ [0.05, 10], σ² ∈ [1e-6, 1]), refined by BOBYQA over (log ℓ, log σ²), then, with more observations than
 * {@value #ARD_MIN_POINTS}, BOBYQA over (log ℓ_1..log ℓ_D, log σ²) within ℓ_d ∈ [0.05, 100] from there, kept
 * only where it scores higher; deterministic.
 */
public final class GaussianProcess {
    static final double MIN_LENGTH = 0.05;
    static final double MAX_LENGTH = 10;
    /** Upper bound of one ARD length scale: far beyond the unit cube's width, so a dimension can drop out. */
    static final double MAX_ARD_LENGTH = 100;
    static final double MIN_NOISE = 1e-6;
    static final double MAX_NOISE = 1;
    /** τ of the half-Cauchy prior on each inverse squared length scale. */
    static final double SPARSITY_SCALE = 0.1;
    /** ARD is fitted only with more observations than this (fewer cannot inform one scale per dimension). */
    static final int ARD_MIN_POINTS = 4;

    private final double[][] x;
    private final double[] yRaw;
    private final double yMean;
    private final double yScale;
    private final double[] lengthScales;
    private final double noise;
    private final RealMatrix cholL;
    private final RealVector alpha;
    private final double logLikelihood;
    /** Solver of the noise-free K_f (plus jitter), made on the first {@link #conditional} call. */
    private org.hipparchus.linear.DecompositionSolver noiseFreeChol;

    private GaussianProcess(double[][] x, double[] y, double[] lengthScales, double noise) {
        this.x = x;
        this.yRaw = y;
        this.lengthScales = lengthScales;
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
                k[i][j] = kernel(x[i], x[j], lengthScales) + (i == j ? noise + 1e-10 : 0);
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

    /** A GP with the given hyper-parameters, one length scale for every dimension. */
    public static GaussianProcess withHyperParameters(double[][] x, double[] y, double lengthScale, double noise) {
        check(x, y);
        return new GaussianProcess(copy(x), y.clone(), isotropic(x[0].length, lengthScale), noise);
    }

    /** A GP with the given hyper-parameters, length scale ℓ_d for dimension d. */
    public static GaussianProcess withHyperParameters(double[][] x, double[] y, double[] lengthScales, double noise) {
        check(x, y);
        if (lengthScales.length != x[0].length) {
            throw new IllegalArgumentException("need " + x[0].length + " length scales, got " + lengthScales.length);
        }
        return new GaussianProcess(copy(x), y.clone(), lengthScales.clone(), noise);
    }

    /** A GP whose hyper-parameters maximise the marginal likelihood with ARD and the sparsity prior (class comment). */
    public static GaussianProcess fit(double[][] x, double[] y) {
        return fit(x, y, true, true);
    }

    /**
     * A GP whose hyper-parameters maximise the marginal likelihood: one length scale per dimension if {@code ard}
     * (else one for all), plus the sparsity prior's log density if {@code sparsityPrior} (ARD only).
     */
    public static GaussianProcess fit(double[][] x, double[] y, boolean ard, boolean sparsityPrior) {
        check(x, y);
        double[][] xs = copy(x);
        double[] ys = y.clone();
        int dims = xs[0].length;
        double bestLen = 1;
        double bestNoise = 1e-2;
        double best = Double.NEGATIVE_INFINITY;
        for (double len : new double[] {0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4}) {
            for (double nz : new double[] {1e-5, 1e-3, 1e-2, 1e-1, 0.5}) {
                double ll = safeLikelihood(xs, ys, isotropic(dims, len), nz);
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
                        new ObjectiveFunction(p -> safeLikelihood(xs, ys, isotropic(dims, Math.exp(p[0])), Math.exp(p[1]))),
                        GoalType.MAXIMIZE, new InitialGuess(new double[] {Math.log(bestLen), Math.log(bestNoise)}),
                        new SimpleBounds(new double[] {Math.log(MIN_LENGTH), Math.log(MIN_NOISE)},
                                new double[] {Math.log(MAX_LENGTH), Math.log(MAX_NOISE)})).getPoint();
                if (safeLikelihood(xs, ys, isotropic(dims, Math.exp(opt[0])), Math.exp(opt[1])) > best) {
                    bestLen = Math.exp(opt[0]);
                    bestNoise = Math.exp(opt[1]);
                }
            } catch (RuntimeException e) {
                // keep the grid's best: BOBYQA stops on degenerate likelihood surfaces (e.g. constant data)
            }
        }
        double[] lens = isotropic(dims, bestLen);
        if (ard && ys.length > ARD_MIN_POINTS) {
            double[] start = new double[dims + 1];
            double[] lo = new double[dims + 1];
            double[] hi = new double[dims + 1];
            for (int d = 0; d < dims; d++) {
                start[d] = Math.log(bestLen);
                lo[d] = Math.log(MIN_LENGTH);
                hi[d] = Math.log(MAX_ARD_LENGTH);
            }
            start[dims] = Math.log(bestNoise);
            lo[dims] = Math.log(MIN_NOISE);
            hi[dims] = Math.log(MAX_NOISE);
            double startScore = ardObjective(xs, ys, start, sparsityPrior);
            try {
                double[] opt = new BOBYQAOptimizer(2 * (dims + 1) + 1).optimize(new MaxEval(150 * (dims + 1)),
                        new ObjectiveFunction(p -> ardObjective(xs, ys, p, sparsityPrior)), GoalType.MAXIMIZE,
                        new InitialGuess(start), new SimpleBounds(lo, hi)).getPoint();
                if (ardObjective(xs, ys, opt, sparsityPrior) > startScore) {
                    for (int d = 0; d < dims; d++) {
                        lens[d] = Math.exp(opt[d]);
                    }
                    bestNoise = Math.exp(opt[dims]);
                }
            } catch (RuntimeException e) {
                // keep the isotropic fit
            }
        }
        return new GaussianProcess(xs, ys, lens, bestNoise);
    }

    /** Log marginal likelihood at (log ℓ_1..log ℓ_D, log σ²), plus the sparsity prior's log density if asked. */
    private static double ardObjective(double[][] x, double[] y, double[] p, boolean prior) {
        int dims = p.length - 1;
        double[] lens = new double[dims];
        double logPrior = 0;
        for (int d = 0; d < dims; d++) {
            lens[d] = Math.exp(p[d]);
            double rho = 1 / (lens[d] * lens[d]);
            // half-Cauchy(0, τ) density of ρ, up to a constant: 1 / (1 + (ρ/τ)²)
            logPrior -= Math.log1p((rho / SPARSITY_SCALE) * (rho / SPARSITY_SCALE));
        }
        double ll = safeLikelihood(x, y, lens, Math.exp(p[dims]));
        return prior ? ll + logPrior : ll;
    }

    private static double safeLikelihood(double[][] x, double[] y, double[] lens, double noise) {
        try {
            double ll = new GaussianProcess(x, y, lens, noise).logLikelihood;
            return Double.isFinite(ll) ? ll : -1e300;
        } catch (RuntimeException e) {
            return -1e300;
        }
    }

    private static double[] isotropic(int dims, double len) {
        double[] l = new double[dims];
        java.util.Arrays.fill(l, len);
        return l;
    }

    /** The same hyper-parameters with one more observation (Kriging believer: y = the predicted mean). */
    public GaussianProcess withObservation(double[] xNew, double yNew) {
        double[][] x2 = java.util.Arrays.copyOf(x, x.length + 1);
        x2[x.length] = xNew.clone();
        double[] y2 = java.util.Arrays.copyOf(yRaw, yRaw.length + 1);
        y2[yRaw.length] = yNew;
        return new GaussianProcess(x2, y2, lengthScales, noise);
    }

    /** {mean, standard deviation} of the latent function at x*, in the outputs' units. */
    public double[] predict(double[] xs) {
        int n = x.length;
        RealVector k = new ArrayRealVector(n);
        for (int i = 0; i < n; i++) {
            k.setEntry(i, kernel(xs, x[i], lengthScales));
        }
        double mean = k.dotProduct(alpha);
        RealVector v = k.copy();
        MatrixUtils.solveLowerTriangularSystem(cholL, v);
        double var = Math.max(0, 1 - v.dotProduct(v));
        return new double[] {yMean + yScale * mean, yScale * Math.sqrt(var)};
    }

    /**
     * {@code count} joint draws of the latent f at the training inputs from the posterior N(μ, Σ), μ = K_f α,
     * Σ = K_f − K_f (K_f + σ²I)⁻¹ K_f (K_f the noise-free kernel matrix), in the outputs' units: [draw][input]. Σ's
     * square root comes from its symmetric eigen-decomposition (eigenvalues below 0, rounding, clipped to 0).
     */
    public double[][] posteriorDrawsAtData(int count, java.util.SplittableRandom rng) {
        int n = x.length;
        RealMatrix k = new Array2DRowRealMatrix(noiseFreeKernel(0), false);
        RealMatrix v = k.copy();
        for (int c = 0; c < n; c++) { // column c of L⁻¹ K_f
            RealVector col = v.getColumnVector(c);
            MatrixUtils.solveLowerTriangularSystem(cholL, col);
            v.setColumnVector(c, col);
        }
        RealMatrix cov = k.subtract(v.transposeMultiply(v));
        RealMatrix sym = cov.add(cov.transpose()).scalarMultiply(0.5);
        org.hipparchus.linear.EigenDecompositionSymmetric eig = new org.hipparchus.linear.EigenDecompositionSymmetric(sym);
        double[] lambda = eig.getEigenvalues();
        RealMatrix vecs = eig.getV();
        RealVector mean = k.operate(alpha);
        double[][] out = new double[count][n];
        for (int s = 0; s < count; s++) {
            double[] z = new double[n];
            for (int e = 0; e < n; e++) {
                z[e] = Math.sqrt(Math.max(0, lambda[e])) * gaussian(rng);
            }
            for (int i = 0; i < n; i++) {
                double f = mean.getEntry(i);
                for (int e = 0; e < n; e++) {
                    f += vecs.getEntry(i, e) * z[e];
                }
                out[s][i] = yMean + yScale * f;
            }
        }
        return out;
    }

    /**
     * The distribution of f(x*) given the latent f at the training inputs: f* | f_X ~ N(wᵀ f_X, s²), w = K_f⁻¹ k*,
     * s² = 1 − k*ᵀ K_f⁻¹ k* (the prior's conditional: the observations add nothing once f_X is known). In the outputs'
     * units, for f_X given in them: mean = yMean + Σ_i w_i (f_i − yMean), sd = yScale·s.
     */
    public Conditional conditional(double[] xs) {
        int n = x.length;
        if (noiseFreeChol == null) {
            noiseFreeChol = new CholeskyDecomposition(new Array2DRowRealMatrix(noiseFreeKernel(1e-6), false), 1e-9, 1e-14)
                    .getSolver();
        }
        RealVector k = new ArrayRealVector(n);
        for (int i = 0; i < n; i++) {
            k.setEntry(i, kernel(xs, x[i], lengthScales));
        }
        RealVector w = noiseFreeChol.solve(k);
        double var = Math.max(0, 1 - k.dotProduct(w));
        return new Conditional(w.toArray(), yMean, yScale * Math.sqrt(var));
    }

    /** K_f at the training inputs, plus {@code jitter} on the diagonal. */
    private double[][] noiseFreeKernel(double jitter) {
        int n = x.length;
        double[][] kf = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                kf[i][j] = kernel(x[i], x[j], lengthScales) + (i == j ? jitter : 0);
            }
        }
        return kf;
    }

    /** f* | f_X (see {@link #conditional}): its mean for a draw of f_X, and its standard deviation. */
    public record Conditional(double[] weights, double offset, double sd) {
        /** yMean + Σ_i w_i (f_i − yMean). */
        public double mean(double[] fAtData) {
            double m = 0;
            for (int i = 0; i < weights.length; i++) {
                m += weights[i] * (fAtData[i] - offset);
            }
            return offset + m;
        }
    }

    private static double gaussian(java.util.SplittableRandom rng) {
        double u1 = rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** The length scale of each input dimension (all equal for an isotropic fit). */
    public double[] lengthScales() {
        return lengthScales.clone();
    }

    public double noise() {
        return noise;
    }

    public double logMarginalLikelihood() {
        return logLikelihood;
    }

    /** Matérn-5/2 with r² = Σ_d ((a_d − b_d)/ℓ_d)². */
    static double kernel(double[] a, double[] b, double[] lens) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (a[i] - b[i]) / lens[i];
            s += d * d;
        }
        double z = Math.sqrt(5 * s);
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
