package dev.peft4j.backend.plain;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.AdamW;
import dev.peft4j.backend.AdapterGradients;
import dev.peft4j.backend.AdapterWeights;
import dev.peft4j.backend.AttentionGradients;
import dev.peft4j.backend.AttentionInputs;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.HostStaging;
import dev.peft4j.backend.reference.ReferenceBackend;
import dev.peft4j.tensor.Device;
import dev.peft4j.tensor.Shapes;
import dev.peft4j.tensor.Tensor;

/**
 * The fallback for a JVM where no faster backend can run (no GPU, and no {@code jdk.incubator.vector} module for the
 * cpu backend), in plain Java on {@code java.base} alone, in float32 on a pool of threads ({@link RowPool}). The
 * matrix products, about 90 % of a training step on the reference backend: gemm, linearForward, linearBackward,
 * loraForward and loraBackward ({@link PlainGemm}); attention, one head per task ({@link PlainAttention}); the
 * activations and dropout, the elements split over the threads ({@link PlainPointwise}; dropout draws the
 * reference's mask bit for bit); layer norm, softmax, cross-entropy and the bias gradient, by rows or columns
 * ({@link PlainRowKernels}); AdamW and gradient clipping ({@link PlainOptimizer}). The remaining kernels, whose cost
 * in a training step is small (copy, fill, add, mul, axpy, embeddings, mean pooling, (IA)³ scaling, the masked
 * BitFit update, mixed-batch LoRA, bottleneck adapters), are the {@link ReferenceBackend}'s (float64 sums, one
 * thread). No result depends on the thread count.
 * It is many times faster than the reference backend and several times slower than the cpu backend; the conformance
 * suite holds it to the float32 tolerances like every other backend. Like the reference it assumes well-formed
 * arguments: {@link dev.peft4j.backend.Backends} hands it out behind a {@link dev.peft4j.backend.ValidatingBackend}.
 *
 * <p>Safe to call from many threads at once: each call's row chunks write only its own outputs.
 */
public final class PlainBackend implements Backend {
    private final ReferenceBackend reference = new ReferenceBackend();
    private final RowPool pool;

    /** A backend whose kernels run on this many threads, the caller included (at least 1). */
    public PlainBackend(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads = " + threads + ": the plain backend needs at least 1 thread");
        }
        this.pool = new RowPool(threads);
    }

    /** Threads of the kernels, the caller included. */
    public int threads() {
        return pool.threads();
    }

    @Override public String name() {
        return "plain";
    }

    /** Ends the worker threads. */
    @Override public void close() {
        pool.close();
    }

    /** C = α·op(A)·op(B) + β·C, rank 2 or batched rank 3, in float32 (see {@link Backend#gemm}). */
    @Override public void gemm(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, float alpha, float beta) {
        try (HostStaging st = HostStaging.of(a, b, c)) {
            gemmWhole(st.get(a), transA, st.get(b), transB, st.get(c), alpha, beta);
        }
    }

    /** {@link #gemm} on tensors that are their whole arrays. */
    private void gemmWhole(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, float alpha, float beta) {
        int m = transA ? a.dim(-1) : a.dim(-2);
        int k = transA ? a.dim(-2) : a.dim(-1);
        int n = transB ? b.dim(-2) : b.dim(-1);
        int batch = c.rank() == 3 ? c.dim(0) : 1;
        float[] av = a.data(), bv = b.data(), cv = c.data();
        for (int i = 0; i < batch; i++) {
            int aOff = i * m * k, bOff = i * k * n;
            PlainGemm.Strided opA = transA ? PlainGemm.Strided.transposed(av, aOff, m) : PlainGemm.Strided.rows(av, aOff, k);
            PlainGemm.Strided opB = transB ? PlainGemm.Strided.transposed(bv, bOff, k) : PlainGemm.Strided.rows(bv, bOff, n);
            PlainGemm.multiply(pool, m, n, k, alpha, opA, opB, beta, cv, i * m * n);
        }
    }

    /** y = x Wᵀ + b: one product, then the bias added to each row. */
    @Override public void linearForward(Tensor x, Tensor w, Tensor bias, Tensor y) {
        try (HostStaging st = HostStaging.of(x, w, bias, y)) {
            linearForwardWhole(st.get(x), st.get(w), st.get(bias), st.get(y));
        }
    }

    /** {@link #linearForward} on tensors that are their whole arrays. */
    private void linearForwardWhole(Tensor x, Tensor w, Tensor bias, Tensor y) {
        int rows = Shapes.rows(x), out = w.dim(0), in = w.dim(1);
        float[] ys = y.data();
        PlainGemm.multiply(pool, rows, out, in, 1f, PlainGemm.Strided.rows(x.data(), 0, in),
                PlainGemm.Strided.transposed(w.data(), 0, in), 0f, ys, 0);
        if (bias != null) {
            float[] bs = bias.data();
            for (int r = 0; r < rows; r++) {
                int o = r * out;
                for (int j = 0; j < out; j++) {
                    ys[o + j] += bs[j];
                }
            }
        }
    }

    /** dx = dy W (W is already row-major [out, in]), dW = dyᵀ x (dyᵀ read through strides), db = Σ_rows dy. */
    @Override public void linearBackward(Tensor dy, Tensor x, Tensor w, Tensor dx, Tensor dw, Tensor db) {
        try (HostStaging st = HostStaging.of(dy, x, w, dx, dw, db)) {
            linearBackwardWhole(st.get(dy), st.get(x), st.get(w), st.get(dx), st.get(dw), st.get(db));
        }
    }

    /** {@link #linearBackward} on tensors that are their whole arrays. */
    private void linearBackwardWhole(Tensor dy, Tensor x, Tensor w, Tensor dx, Tensor dw, Tensor db) {
        int rows = Shapes.rows(dy), out = w.dim(0), in = w.dim(1);
        float[] gy = dy.data();
        if (dx != null) {
            PlainGemm.multiply(pool, rows, in, out, 1f, PlainGemm.Strided.rows(gy, 0, out), PlainGemm.Strided.rows(w.data(), 0, in), 0f,
                    dx.data(), 0);
        }
        if (dw != null) {
            PlainGemm.multiply(pool, out, in, rows, 1f, PlainGemm.Strided.transposed(gy, 0, out),
                    PlainGemm.Strided.rows(x.data(), 0, in), 0f, dw.data(), 0);
        }
        if (db != null) {
            columnSums(gy, rows, out, 1f, db.data());
        }
    }

    /** u = x̃ Aᵀ, then y = x Wᵀ + b, then y += s·u Bᵀ, with x̃ = x ⊙ dropMask (see {@link Backend#loraForward}). */
    @Override public void loraForward(Tensor x, Tensor w, Tensor bias, Tensor a, Tensor b, float s, Tensor dropMask,
                                      Tensor y, Tensor u) {
        try (HostStaging st = HostStaging.of(x, w, bias, a, b, dropMask, y, u)) {
            loraForwardWhole(st.get(x), st.get(w), st.get(bias), st.get(a), st.get(b), s, st.get(dropMask), st.get(y), st.get(u));
        }
    }

    /** {@link #loraForward} on tensors that are their whole arrays. */
    private void loraForwardWhole(Tensor x, Tensor w, Tensor bias, Tensor a, Tensor b, float s, Tensor dropMask,
                                      Tensor y, Tensor u) {
        int rows = Shapes.rows(x), out = w.dim(0), in = w.dim(1), r = a.dim(0);
        float[] xt = dropped(x, dropMask);
        PlainGemm.multiply(pool, rows, r, in, 1f, PlainGemm.Strided.rows(xt, 0, in),
                PlainGemm.Strided.transposed(a.data(), 0, in), 0f, u.data(), 0);
        linearForward(x, w, bias, y);
        PlainGemm.multiply(pool, rows, out, r, s, PlainGemm.Strided.rows(u.data(), 0, r),
                PlainGemm.Strided.transposed(b.data(), 0, r), 1f, y.data(), 0);
    }

    /**
     * With g = dy B: dB = s·dyᵀ u, dA = s·gᵀ x̃, dx = dy W + s·(g A) ⊙ dropMask; the derivation is the reference's
     * (dev.peft4j.backend.reference.ReferenceLora), here as five float32 products.
     */
    @Override public void loraBackward(Tensor dy, Tensor x, Tensor w, Tensor a, Tensor b, Tensor u, float s,
                                       Tensor dropMask, Tensor dx, Tensor dA, Tensor dB) {
        try (HostStaging st = HostStaging.of(dy, x, w, a, b, u, dropMask, dx, dA, dB)) {
            loraBackwardWhole(st.get(dy), st.get(x), st.get(w), st.get(a), st.get(b), st.get(u), s, st.get(dropMask), st.get(dx), st.get(dA), st.get(dB));
        }
    }

    /** {@link #loraBackward} on tensors that are their whole arrays. */
    private void loraBackwardWhole(Tensor dy, Tensor x, Tensor w, Tensor a, Tensor b, Tensor u, float s,
                                       Tensor dropMask, Tensor dx, Tensor dA, Tensor dB) {
        int rows = Shapes.rows(x), out = w.dim(0), in = w.dim(1), r = a.dim(0);
        float[] gy = dy.data();
        PlainGemm.Strided dyRows = PlainGemm.Strided.rows(gy, 0, out);
        float[] g = new float[rows * r];
        PlainGemm.multiply(pool, rows, r, out, 1f, dyRows, PlainGemm.Strided.rows(b.data(), 0, r), 0f, g, 0);
        if (dB != null) {
            PlainGemm.multiply(pool, out, r, rows, s, PlainGemm.Strided.transposed(gy, 0, out),
                    PlainGemm.Strided.rows(u.data(), 0, r), 0f, dB.data(), 0);
        }
        if (dA != null) {
            PlainGemm.multiply(pool, r, in, rows, s, PlainGemm.Strided.transposed(g, 0, r),
                    PlainGemm.Strided.rows(dropped(x, dropMask), 0, in), 0f, dA.data(), 0);
        }
        if (dx != null) {
            float[] d = dx.data();
            PlainGemm.multiply(pool, rows, in, out, 1f, dyRows, PlainGemm.Strided.rows(w.data(), 0, in), 0f, d, 0);
            PlainGemm.Strided gRows = PlainGemm.Strided.rows(g, 0, r), aRows = PlainGemm.Strided.rows(a.data(), 0, in);
            if (dropMask == null) {
                PlainGemm.multiply(pool, rows, in, r, s, gRows, aRows, 1f, d, 0);
            } else {
                float[] t = new float[rows * in];
                PlainGemm.multiply(pool, rows, in, r, s, gRows, aRows, 0f, t, 0);
                float[] mask = dropMask.data();
                for (int i = 0; i < t.length; i++) {
                    d[i] += t[i] * mask[i];
                }
            }
        }
    }

    /** x ⊙ mask as a new array, or x's own array without a mask. */
    private static float[] dropped(Tensor x, Tensor dropMask) {
        float[] xs = x.data();
        if (dropMask == null) {
            return xs;
        }
        int n = (int) x.numel();
        float[] mask = dropMask.data();
        float[] t = new float[n];
        for (int i = 0; i < n; i++) {
            t[i] = xs[i] * mask[i];
        }
        return t;
    }

    /** dst[j] = s·Σ_rows src[r·cols + j]. */
    private static void columnSums(float[] src, int rows, int cols, float s, float[] dst) {
        java.util.Arrays.fill(dst, 0, cols, 0f);
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int j = 0; j < cols; j++) {
                dst[j] += src[o + j];
            }
        }
        if (s != 1f) {
            for (int j = 0; j < cols; j++) {
                dst[j] *= s;
            }
        }
    }

    // ------------------------------------------- the other kernels: its own where a method says so, else the reference's

    @Override public Device device() {
        return reference.device();
    }

    @Override public Tensor allocate(int... shape) {
        return reference.allocate(shape);
    }

    @Override public Tensor fromHost(float[] data, int... shape) {
        return reference.fromHost(data, shape);
    }

    @Override public void copy(Tensor src, Tensor dst) {
        reference.copy(src, dst);
    }

    @Override public void fill(Tensor t, float value) {
        reference.fill(t, value);
    }

    @Override public void add(Tensor a, Tensor b, Tensor out) {
        reference.add(a, b, out);
    }

    @Override public void mul(Tensor a, Tensor b, Tensor out) {
        reference.mul(a, b, out);
    }

    @Override public void axpy(float alpha, Tensor x, Tensor y) {
        reference.axpy(alpha, x, y);
    }

    @Override public void loraMixedForward(Tensor x, Tensor a, Tensor b, Tensor scales, int[] adapterOfRow, Tensor y) {
        reference.loraMixedForward(x, a, b, scales, adapterOfRow, y);
    }

    @Override public void adapterForward(Tensor x, Tensor residual, AdapterWeights w, Tensor y, Tensor z) {
        reference.adapterForward(x, residual, w, y, z);
    }

    @Override public void adapterBackward(Tensor dy, Tensor x, AdapterWeights w, Tensor z, AdapterGradients grads) {
        reference.adapterBackward(dy, x, w, z, grads);
    }

    /** Attention in float32, one head per task ({@link PlainAttention}). */
    @Override public void attentionForward(AttentionInputs in, Tensor out, Tensor lse) {
        try (HostStaging st = HostStaging.of(in.q(), in.k(), in.v(), in.prefixK(), in.prefixV(), in.keyMask(), out, lse)) {
            attention(st, in).forward(pool, st.get(out).data(), st.get(lse).data());
        }
    }

    @Override public void attentionBackward(Tensor dOut, AttentionInputs in, Tensor out, Tensor lse, AttentionGradients grads) {
        try (HostStaging st = HostStaging.of(dOut, in.q(), in.k(), in.v(), in.prefixK(), in.prefixV(), in.keyMask(), out,
                lse, grads.dq(), grads.dk(), grads.dv(), grads.dPrefixK(), grads.dPrefixV())) {
            attention(st, in).backward(pool, st.get(dOut).data(), st.get(out).data(), st.get(lse).data(),
                    data(st.get(grads.dq())), data(st.get(grads.dk())), data(st.get(grads.dv())),
                    data(st.get(grads.dPrefixK())), data(st.get(grads.dPrefixV())));
        }
    }

    private static PlainAttention attention(HostStaging st, AttentionInputs in) {
        return new PlainAttention(st.get(in.q()), st.get(in.k()), st.get(in.v()), st.get(in.prefixK()),
                st.get(in.prefixV()), st.get(in.keyMask()), in.causal(), in.heads());
    }

    private static float[] data(Tensor t) {
        return t == null ? null : t.data();
    }

    @Override public void scaleForward(Tensor x, Tensor l, Tensor y) {
        reference.scaleForward(x, l, y);
    }

    @Override public void scaleBackward(Tensor dy, Tensor x, Tensor l, Tensor dx, Tensor dl) {
        reference.scaleBackward(dy, x, l, dx, dl);
    }

    /** db = Σ_rows dy in float32, columns split over the threads ({@link PlainRowKernels#biasGradient}). */
    @Override public void biasGradient(Tensor dy, Tensor db) {
        try (HostStaging st = HostStaging.of(dy, db)) {
            Tensor b = st.get(db);
            int dim = b.dim(0);
            int rows = dim == 0 ? 0 : (int) (dy.numel() / dim);
            PlainRowKernels.biasGradient(pool, st.get(dy).data(), b.data(), rows, dim);
        }
    }

    @Override public void maskedBiasUpdate(Tensor dy, Tensor bias, Tensor mask, Tensor m, Tensor v, AdamW hp, long step, Tensor db) {
        reference.maskedBiasUpdate(dy, bias, mask, m, v, hp, step, db);
    }

    /** Layer norm over the last dimension in float32, rows split over the threads ({@link PlainRowKernels}). */
    @Override public void layerNormForward(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor mean, Tensor rstd) {
        try (HostStaging st = HostStaging.of(x, gamma, beta, y, mean, rstd)) {
            PlainRowKernels.layerNormForward(pool, st.get(x).data(), st.get(gamma).data(), data(st.get(beta)), eps,
                    st.get(y).data(), st.get(mean).data(), st.get(rstd).data(), Shapes.rows(x), gamma.dim(0));
        }
    }

    /** Layer norm's gradients in float32: dx by rows, dγ and dβ by columns ({@link PlainRowKernels}). */
    @Override public void layerNormBackward(Tensor dy, Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor dx, Tensor dGamma, Tensor dBeta) {
        try (HostStaging st = HostStaging.of(dy, x, gamma, mean, rstd, dx, dGamma, dBeta)) {
            PlainRowKernels.layerNormBackward(pool, st.get(dy).data(), st.get(x).data(), st.get(gamma).data(),
                    st.get(mean).data(), st.get(rstd).data(), data(st.get(dx)), data(st.get(dGamma)),
                    data(st.get(dBeta)), Shapes.rows(x), gamma.dim(0));
        }
    }

    /** y = f(x) in float32, the elements split over the threads ({@link PlainPointwise}). */
    @Override public void activationForward(Activation f, Tensor x, Tensor y) {
        try (HostStaging st = HostStaging.of(x, y)) {
            PlainPointwise.activationForward(pool, f, st.get(x).data(), st.get(y).data(), Math.toIntExact(x.numel()));
        }
    }

    /** dx = dy ⊙ f'(x) in float32, the elements split over the threads ({@link PlainPointwise}). */
    @Override public void activationBackward(Activation f, Tensor dy, Tensor x, Tensor dx) {
        try (HostStaging st = HostStaging.of(dy, x, dx)) {
            PlainPointwise.activationBackward(pool, f, st.get(dy).data(), st.get(x).data(), st.get(dx).data(),
                    Math.toIntExact(x.numel()));
        }
    }

    /** Softmax over the last dimension in float32, rows split over the threads ({@link PlainRowKernels}). */
    @Override public void softmaxForward(Tensor x, Tensor y) {
        try (HostStaging st = HostStaging.of(x, y)) {
            int cols = x.dim(-1);
            int rows = cols == 0 ? 0 : (int) (x.numel() / cols);
            PlainRowKernels.softmaxForward(pool, st.get(x).data(), st.get(y).data(), rows, cols);
        }
    }

    /** dx = y ⊙ (dy − Σ dy ⊙ y) per row in float32 ({@link PlainRowKernels}). */
    @Override public void softmaxBackward(Tensor dy, Tensor y, Tensor dx) {
        try (HostStaging st = HostStaging.of(dy, y, dx)) {
            int cols = y.dim(-1);
            int rows = cols == 0 ? 0 : (int) (y.numel() / cols);
            PlainRowKernels.softmaxBackward(pool, st.get(dy).data(), st.get(y).data(), st.get(dx).data(), rows, cols);
        }
    }

    @Override public void embeddingForward(Tensor table, int[] ids, Tensor out) {
        reference.embeddingForward(table, ids, out);
    }

    @Override public void embeddingBackward(Tensor dOut, int[] ids, Tensor dTable) {
        reference.embeddingBackward(dOut, ids, dTable);
    }

    @Override public void meanPoolForward(Tensor x, Tensor mask, Tensor out) {
        reference.meanPoolForward(x, mask, out);
    }

    @Override public void meanPoolBackward(Tensor dOut, Tensor mask, Tensor dx) {
        reference.meanPoolBackward(dOut, mask, dx);
    }

    /** Hashed inverted dropout on the threads: the reference's mask and output bit for bit ({@link PlainPointwise}). */
    @Override public void dropoutForward(Tensor x, float p, long seed, Tensor y, Tensor mask) {
        try (HostStaging st = HostStaging.of(x, y, mask)) {
            PlainPointwise.dropoutForward(pool, st.get(x).data(), p, seed, st.get(y).data(), data(st.get(mask)),
                    Math.toIntExact(x.numel()));
        }
    }

    /** Softmax cross-entropy over rows of logits [N,C] in float32 ({@link PlainRowKernels}); returns the mean loss. */
    @Override public float crossEntropyForward(Tensor logits, int[] targets, Tensor probs) {
        try (HostStaging st = HostStaging.of(logits, probs)) {
            return PlainRowKernels.crossEntropyForward(pool, st.get(logits).data(), targets, st.get(probs).data(),
                    logits.dim(0), logits.dim(1));
        }
    }

    @Override public void crossEntropyForward(Tensor logits, int[] targets, Tensor probs, Tensor loss) {
        try (HostStaging st = HostStaging.of(logits, probs, loss)) {
            st.get(loss).data()[0] = PlainRowKernels.crossEntropyForward(pool, st.get(logits).data(), targets,
                    st.get(probs).data(), logits.dim(0), logits.dim(1));
        }
    }

    @Override public void crossEntropyBackward(Tensor probs, int[] targets, float scale, Tensor dLogits) {
        try (HostStaging st = HostStaging.of(probs, dLogits)) {
            PlainRowKernels.crossEntropyBackward(pool, st.get(probs).data(), targets, scale, st.get(dLogits).data(),
                    probs.dim(0), probs.dim(1));
        }
    }

    /** One AdamW step in float32, each tensor's elements split over the threads ({@link PlainOptimizer}). */
    @Override public void adamW(Tensor[] params, Tensor[] grads, Tensor[] m, Tensor[] v, AdamW hp, long step) {
        try (HostStaging st = HostStaging.of().and(params).and(grads).and(m).and(v)) {
            PlainOptimizer.adamW(pool, arrays(st.get(params)), arrays(st.get(grads)), arrays(st.get(m)),
                    arrays(st.get(v)), hp, step);
        }
    }

    /** Global-norm clipping with a double sum of squares per block ({@link PlainOptimizer}); returns the norm. */
    @Override public float clipGradNorm(Tensor[] grads, float maxNorm) {
        try (HostStaging st = HostStaging.of().and(grads)) {
            return PlainOptimizer.clipGradNorm(pool, arrays(st.get(grads)), maxNorm);
        }
    }

    @Override public void clipGradNorm(Tensor[] grads, float maxNorm, Tensor norm) {
        try (HostStaging st = HostStaging.of(norm).and(grads)) {
            st.get(norm).data()[0] = PlainOptimizer.clipGradNorm(pool, arrays(st.get(grads)), maxNorm);
        }
    }

    private static float[][] arrays(Tensor[] ts) {
        float[][] a = new float[ts.length][];
        for (int i = 0; i < ts.length; i++) {
            a[i] = ts[i].data();
        }
        return a;
    }
}
