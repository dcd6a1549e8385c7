package dev.peft4j.cpu;

import static dev.peft4j.cpu.Simd.L;
import static dev.peft4j.cpu.Simd.S;

import dev.peft4j.tensor.Tensor;
import jdk.incubator.vector.FloatVector;

/**
 * Layer norm per row of x {@code [rows,D]}: μ = Σx/D, var = Σ(x−μ)²/D (two passes), rstd = 1/√(var + eps),
 * y = (x−μ)·rstd ⊙ γ + β. Backward with x̂ = (x−μ)·rstd, ĝ = dy ⊙ γ:
 * dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ ⊙ x̂)), dγ = Σ_rows dy ⊙ x̂, dβ = Σ_rows dy.
 */
final class NormKernels {
    /** Floats of the row block an off-heap layer norm copies in and out at a time (16 KiB: stays in L1). */
    private static final int BLOCK_FLOATS = 4096;

    /** The row block of an off-heap layer norm (grown to BLOCK_FLOATS or one row): one per worker. */
    static final ScratchKind<float[][]> ROWS = new ScratchKind<>("layer norm rows", () -> new float[1][0]);

    private NormKernels() {}

    static void layerNormForward(WorkerPool pool, Tensor x, Tensor gamma, Tensor beta, float eps, Tensor y,
                                 Tensor mean, Tensor rstd) {
        int d = x.dim(-1);
        int rows = (int) (x.numel() / Math.max(1, d));
        // each array read and written at its tensor's offset (tensors may wrap part of a caller's array)
        // γ and β read in place from their arrays; off-heap ones copied once for the call
        float[] g = HostFloats.arrayOrCopy(gamma);
        float[] bt = beta == null ? null : HostFloats.arrayOrCopy(beta);
        int go = HostFloats.offsetIn(gamma);
        int bo = beta == null ? 0 : HostFloats.offsetIn(beta);
        if (HostFloats.isSegment(x) || HostFloats.isSegment(y) || HostFloats.isSegment(mean)
                || HostFloats.isSegment(rstd)) {
            // off-heap x, y, mean or rstd: blocks of rows copied in bulk into an L1-sized buffer, normalized there in
            // place by the array path's loop (the same bits), copied out in bulk with their mean and rstd. Bulk
            // copies, not the Vector API's segment loads and stores: C2 compiled those unevenly from run to run
            HostFloats xs = HostFloats.of(x), ys = HostFloats.of(y), ms = HostFloats.of(mean), rs = HostFloats.of(rstd);
            int block = Math.max(1, BLOCK_FLOATS / Math.max(1, d));
            pool.parallelRange(rows, 8, (from, to) -> {
                float[][] holder = pool.acquire(ROWS);
                try {
                    if (holder[0].length < block * d) {
                        holder[0] = new float[block * d];
                    }
                    float[] buf = holder[0];
                    float[] mb = new float[block];
                    float[] rb = new float[block];
                    for (int r0 = from; r0 < to; r0 += block) {
                        int n = Math.min(block, to - r0);
                        xs.read((long) r0 * d, buf, 0, n * d);
                        for (int r = 0; r < n; r++) {
                            row(buf, r * d, buf, r * d, d, g, go, bt, bo, eps, mb, r, rb, r);
                        }
                        ys.write(buf, 0, (long) r0 * d, n * d);
                        ms.write(mb, 0, r0, n);
                        rs.write(rb, 0, r0, n);
                    }
                } finally {
                    pool.release(ROWS, holder);
                }
            });
            return;
        }
        float[] xv = x.array(), yv = y.array(), mv = mean.array(), rv = rstd.array();
        int xo = x.offset(), yo = y.offset(), mo = mean.offset(), ro = rstd.offset();
        pool.parallelRange(rows, 8, (from, to) -> {
            for (int r = from; r < to; r++) {
                row(xv, xo + r * d, yv, yo + r * d, d, g, go, bt, bo, eps, mv, mo + r, rv, ro + r);
            }
        });
    }

    /** One row: y[yr..yr+d) from x[o..o+d) (y may be x itself); μ into mv[mi], rstd into rv[ri]. */
    private static void row(float[] xv, int o, float[] yv, int yr, int d, float[] g, int go, float[] bt, int bo,
                            float eps, float[] mv, int mi, float[] rv, int ri) {
        float mu = (float) (VectorLoops.sum(xv, o, d) / d);
        double var = 0;
        int i = 0;
        int bnd = Simd.bound(d);
        if (bnd > 0) {
            FloatVector acc = FloatVector.zero(S);
            for (; i < bnd; i += L) {
                FloatVector c = FloatVector.fromArray(S, xv, o + i).sub(mu);
                acc = c.fma(c, acc);
            }
            var = Simd.sum(acc);
        }
        for (; i < d; i++) {
            float c = xv[o + i] - mu;
            var += c * c;
        }
        float rs = (float) (1.0 / Math.sqrt(var / d + eps));
        mv[mi] = mu;
        rv[ri] = rs;
        i = 0;
        for (; i < bnd; i += L) {
            FloatVector v = FloatVector.fromArray(S, xv, o + i).sub(mu).mul(rs)
                    .mul(FloatVector.fromArray(S, g, go + i));
            if (bt != null) {
                v = v.add(FloatVector.fromArray(S, bt, bo + i));
            }
            v.intoArray(yv, yr + i);
        }
        for (; i < d; i++) {
            yv[yr + i] = (xv[o + i] - mu) * rs * g[go + i] + (bt == null ? 0f : bt[bo + i]);
        }
    }

    static void layerNormBackward(WorkerPool pool, Tensor dy, Tensor x, Tensor gamma, Tensor mean, Tensor rstd,
                                  Tensor dx, Tensor dGamma, Tensor dBeta) {
        int d = x.dim(-1);
        int rows = (int) (x.numel() / Math.max(1, d));
        // each array read and written at its tensor's offset (tensors may wrap part of a caller's array)
        float[] dyv = dy.array(), xv = x.array(), g = gamma.array(), mv = mean.array(), rv = rstd.array();
        int dyo = dy.offset(), xo = x.offset(), go = gamma.offset(), mo = mean.offset(), ro = rstd.offset();
        if (dx != null) {
            float[] dxv = dx.array();
            int dxo = dx.offset();
            pool.parallelRange(rows, 8, (from, to) -> {
                for (int r = from; r < to; r++) {
                    int o = r * d;
                    float mu = mv[mo + r];
                    float rs = rv[ro + r];
                    double sumG = 0;
                    double sumGx = 0;
                    for (int i = 0; i < d; i++) {
                        float gh = dyv[dyo + o + i] * g[go + i];
                        sumG += gh;
                        sumGx += gh * ((xv[xo + o + i] - mu) * rs);
                    }
                    float meanG = (float) (sumG / d);
                    float meanGx = (float) (sumGx / d);
                    int i = 0;
                    for (int bnd = Simd.bound(d); i < bnd; i += L) {
                        FloatVector xh = FloatVector.fromArray(S, xv, xo + o + i).sub(mu).mul(rs);
                        FloatVector gh = FloatVector.fromArray(S, dyv, dyo + o + i)
                                .mul(FloatVector.fromArray(S, g, go + i));
                        gh.sub(meanG).sub(xh.mul(meanGx)).mul(rs).intoArray(dxv, dxo + o + i);
                    }
                    for (; i < d; i++) {
                        float xh = (xv[xo + o + i] - mu) * rs;
                        dxv[dxo + o + i] = rs * (dyv[dyo + o + i] * g[go + i] - meanG - xh * meanGx);
                    }
                }
            });
        }
        if (dGamma != null) {
            float[] dg = dGamma.array();
            int dgo = dGamma.offset();
            java.util.Arrays.fill(dg, dgo, dgo + d, 0f);
            for (int r = 0; r < rows; r++) {
                int o = r * d;
                float mu = mv[mo + r];
                float rs = rv[ro + r];
                int i = 0;
                for (int bnd = Simd.bound(d); i < bnd; i += L) {
                    FloatVector xh = FloatVector.fromArray(S, xv, xo + o + i).sub(mu).mul(rs);
                    xh.fma(FloatVector.fromArray(S, dyv, dyo + o + i), FloatVector.fromArray(S, dg, dgo + i))
                            .intoArray(dg, dgo + i);
                }
                for (; i < d; i++) {
                    dg[dgo + i] += dyv[dyo + o + i] * ((xv[xo + o + i] - mu) * rs);
                }
            }
        }
        if (dBeta != null) {
            VectorLoops.columnSums(dyv, dyo, rows, d, 1f, dBeta.array(), dBeta.offset());
        }
    }
}
