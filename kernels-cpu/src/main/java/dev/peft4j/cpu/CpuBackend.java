package dev.peft4j.cpu;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.AdamW;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.BackendOptions;
import dev.peft4j.tensor.Device;
import dev.peft4j.tensor.Tensor;

/**
 * The Vector-API backend: host tensors ({@link Tensor#data()}), kernels in jdk.incubator.vector at the width
 * {@link Simd} chose, work split over a pool of daemon threads, one per core. Each method delegates to the
 * kernel family's class; arguments are assumed valid ({@link dev.peft4j.backend.ValidatingBackend} checks them).
 */
public final class CpuBackend implements Backend {
    private final WorkerPool pool;

    /** A backend with one pool thread per available processor and the warm-up of {@link #CpuBackend(int)}. */
    public CpuBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /**
     * A backend whose pool has this many threads (the caller included); starts the JVM's {@link JitWarmUp} once
     * unless {@code -Dpeft4j.cpu.warmUp=false}.
     */
    public CpuBackend(int threads) {
        this(threads, BackendOptions.defaults().effectiveWarmUp());
    }

    /**
     * A backend configured by the options: {@link BackendOptions#effectiveThreads() threads} and
     * {@link BackendOptions#effectiveWarmUp() warm-up}; the vector width asked for must be the one in force (it is
     * fixed once per JVM; an {@link IllegalStateException} says which it is otherwise).
     */
    public CpuBackend(BackendOptions options) {
        this(checkedWidth(options).effectiveThreads(), options.effectiveWarmUp());
    }

    private static BackendOptions checkedWidth(BackendOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("backend options are null: pass BackendOptions.defaults() for none");
        }
        VectorWidth.require(options.effectiveCpuVectorBits());
        return options;
    }

    /** A backend with a pool of this many threads that starts the JVM's JIT warm-up once when warmUp is true. */
    CpuBackend(int threads, boolean warmUp) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads = " + threads + ": a cpu backend needs at least 1 thread");
        }
        this.pool = new WorkerPool(threads);
        if (warmUp) {
            JitWarmUp.startOnce();
        }
    }

    /** "512-bit vectors, 16 float lanes" or the scalar path's description. */
    public static String vectorDescription() {
        return Simd.describe();
    }

    public int threads() {
        return pool.threads();
    }

    @Override public String name() { return "cpu"; }

    @Override public Device device() { return Device.CPU; }

    @Override public Tensor allocate(int... shape) { return Tensor.zeros(shape); }

    @Override public Tensor fromHost(float[] data, int... shape) { return Tensor.of(data, shape); }

    @Override public void copy(Tensor src, Tensor dst) {
        System.arraycopy(src.data(), 0, dst.data(), 0, (int) src.numel());
    }

    @Override public void fill(Tensor t, float value) { java.util.Arrays.fill(t.data(), value); }

    @Override public void add(Tensor a, Tensor b, Tensor out) {
        ElementwiseKernels.add(pool, a.data(), b.data(), out.data(), (int) out.numel());
    }

    @Override public void mul(Tensor a, Tensor b, Tensor out) {
        ElementwiseKernels.mul(pool, a.data(), b.data(), out.data(), (int) out.numel());
    }

    @Override public void axpy(float alpha, Tensor x, Tensor y) {
        ElementwiseKernels.axpy(pool, alpha, x.data(), y.data(), (int) y.numel());
    }

    @Override public void gemm(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, float alpha, float beta) {
        int m = transA ? a.dim(-1) : a.dim(-2);
        int k = transA ? a.dim(-2) : a.dim(-1);
        int n = transB ? b.dim(-2) : b.dim(-1);
        int lda = a.dim(-1);
        int ldb = b.dim(-1);
        int batch = c.rank() == 3 ? c.dim(0) : 1;
        GemmOperand left = GemmOperand.left(a.data(), 0, transA, lda, k).scaled(alpha);
        GemmOperand right = GemmOperand.right(b.data(), 0, transB, ldb, k);
        Sgemm.Epilogue ep = Sgemm.Epilogue.beta(beta);
        for (int i = 0; i < batch; i++) {
            Sgemm.gemm(pool, m, n, left.shifted(i * m * k), right.shifted(i * k * n), c.data(), i * m * n, n, ep);
        }
    }

    @Override public void linearForward(Tensor x, Tensor w, Tensor bias, Tensor y) {
        LinearKernels.forward(pool, x, w, bias, y);
    }

    @Override public void linearBackward(Tensor dy, Tensor x, Tensor w, Tensor dx, Tensor dw, Tensor db) {
        LinearKernels.backward(pool, dy, x, w, dx, dw, db);
    }

    @Override public void loraForward(Tensor x, Tensor w, Tensor bias, Tensor a, Tensor b, float s, Tensor dropMask,
                                      Tensor y, Tensor u) {
        LoraKernels.forward(pool, x, w, bias, a, b, s, dropMask, y, u);
    }

    @Override public void loraBackward(Tensor dy, Tensor x, Tensor w, Tensor a, Tensor b, Tensor u, float s,
                                       Tensor dropMask, Tensor dx, Tensor dA, Tensor dB) {
        LoraKernels.backward(pool, dy, x, w, a, b, u, s, dropMask, dx, dA, dB);
    }

    @Override public void loraMixedForward(Tensor x, Tensor a, Tensor b, Tensor scales, int[] adapterOfRow, Tensor y) {
        MixedLoraKernels.forward(pool, x, a, b, scales, adapterOfRow, y);
    }

    @Override public void adapterForward(Tensor x, Tensor residual, Tensor wDown, Tensor bDown, Tensor wUp, Tensor bUp,
                                         Activation f, float s, Tensor y, Tensor z) {
        AdapterKernels.forward(pool, x, residual, wDown, bDown, wUp, bUp, f, s, y, z);
    }

    @Override public void adapterBackward(Tensor dy, Tensor x, Tensor wDown, Tensor wUp, Tensor bUp, Activation f,
                                          float s, Tensor z, Tensor dx, Tensor dWDown, Tensor dbDown, Tensor dWUp,
                                          Tensor dbUp, Tensor dScale) {
        AdapterKernels.backward(pool, dy, x, wDown, wUp, bUp, f, s, z, dx, dWDown, dbDown, dWUp, dbUp, dScale);
    }

    @Override public void attentionForward(Tensor q, Tensor k, Tensor v, Tensor prefixK, Tensor prefixV,
                                           Tensor keyMask, boolean causal, int heads, Tensor out, Tensor lse) {
        AttentionKernels.forward(pool, q, k, v, prefixK, prefixV, keyMask, causal, heads, out, lse);
    }

    @Override public void attentionBackward(Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor prefixK, Tensor prefixV,
                                            Tensor keyMask, boolean causal, int heads, Tensor out, Tensor lse,
                                            Tensor dq, Tensor dk, Tensor dv, Tensor dPrefixK, Tensor dPrefixV) {
        AttentionKernels.backward(pool, dOut, q, k, v, prefixK, prefixV, keyMask, causal, heads, out, lse,
                dq, dk, dv, dPrefixK, dPrefixV);
    }

    @Override public void scaleForward(Tensor x, Tensor l, Tensor y) { ElementwiseKernels.scaleForward(x, l, y); }

    @Override public void scaleBackward(Tensor dy, Tensor x, Tensor l, Tensor dx, Tensor dl) {
        ElementwiseKernels.scaleBackward(dy, x, l, dx, dl);
    }

    @Override public void biasGradient(Tensor dy, Tensor db) { OptimizerKernels.biasGradient(dy, db); }

    @Override public void maskedBiasUpdate(Tensor dy, Tensor bias, Tensor mask, Tensor m, Tensor v, AdamW hp,
                                           long step, Tensor db) {
        OptimizerKernels.maskedBiasUpdate(dy, bias, mask, m, v, hp, step, db);
    }

    @Override public void layerNormForward(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor mean,
                                           Tensor rstd) {
        NormKernels.layerNormForward(pool, x, gamma, beta, eps, y, mean, rstd);
    }

    @Override public void layerNormBackward(Tensor dy, Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor dx,
                                            Tensor dGamma, Tensor dBeta) {
        NormKernels.layerNormBackward(pool, dy, x, gamma, mean, rstd, dx, dGamma, dBeta);
    }

    @Override public void activationForward(Activation f, Tensor x, Tensor y) {
        ActivationKernels.forward(pool, f, x.data(), y.data(), (int) x.numel());
    }

    @Override public void activationBackward(Activation f, Tensor dy, Tensor x, Tensor dx) {
        ActivationKernels.backward(pool, f, dy.data(), x.data(), dx.data(), (int) x.numel());
    }

    @Override public void softmaxForward(Tensor x, Tensor y) { SoftmaxKernels.softmaxForward(pool, x, y); }

    @Override public void softmaxBackward(Tensor dy, Tensor y, Tensor dx) { SoftmaxKernels.softmaxBackward(pool, dy, y, dx); }

    @Override public void embeddingForward(Tensor table, int[] ids, Tensor out) {
        TokenKernels.embeddingForward(table, ids, out);
    }

    @Override public void embeddingBackward(Tensor dOut, int[] ids, Tensor dTable) {
        TokenKernels.embeddingBackward(dOut, ids, dTable);
    }

    @Override public void meanPoolForward(Tensor x, Tensor mask, Tensor out) { TokenKernels.meanPoolForward(x, mask, out); }

    @Override public void meanPoolBackward(Tensor dOut, Tensor mask, Tensor dx) {
        TokenKernels.meanPoolBackward(dOut, mask, dx);
    }

    @Override public void dropoutForward(Tensor x, float p, long seed, Tensor y, Tensor mask) {
        DropoutKernels.forward(pool, x, p, seed, y, mask);
    }

    @Override public float crossEntropyForward(Tensor logits, int[] targets, Tensor probs) {
        return SoftmaxKernels.crossEntropyForward(logits, targets, probs);
    }

    @Override public void crossEntropyForward(Tensor logits, int[] targets, Tensor probs, Tensor loss) {
        loss.data()[0] = SoftmaxKernels.crossEntropyForward(logits, targets, probs);
    }

    @Override public void crossEntropyBackward(Tensor probs, int[] targets, float scale, Tensor dLogits) {
        SoftmaxKernels.crossEntropyBackward(probs, targets, scale, dLogits);
    }

    @Override public void adamW(Tensor[] params, Tensor[] grads, Tensor[] m, Tensor[] v, AdamW hp, long step) {
        OptimizerKernels.adamW(pool, params, grads, m, v, hp, step);
    }

    @Override public float clipGradNorm(Tensor[] grads, float maxNorm) {
        return OptimizerKernels.clipGradNorm(grads, maxNorm);
    }

    @Override public void clipGradNorm(Tensor[] grads, float maxNorm, Tensor norm) {
        norm.data()[0] = OptimizerKernels.clipGradNorm(grads, maxNorm);
    }

    @Override public void close() { pool.close(); }
}
