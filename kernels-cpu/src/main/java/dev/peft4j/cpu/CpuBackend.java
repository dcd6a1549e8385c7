package dev.peft4j.cpu;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.AdamW;
import dev.peft4j.backend.AdapterGradients;
import dev.peft4j.backend.AdapterWeights;
import dev.peft4j.backend.AttentionGradients;
import dev.peft4j.backend.AttentionInputs;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.BackendOptions;
import dev.peft4j.backend.HostStaging;
import dev.peft4j.tensor.Device;
import dev.peft4j.tensor.MemoryAccounting;
import dev.peft4j.tensor.Tensor;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The Vector-API backend: host tensors, kernels in jdk.incubator.vector at the width {@link Simd} chose, work
 * split over a pool of daemon threads, one per core. Each method delegates to the kernel family's class;
 * arguments are assumed valid ({@link dev.peft4j.backend.ValidatingBackend} checks them).
 *
 * <p>Tensors that wrap part of a caller's array ({@link Tensor#wrap(float[], int, int...)}): every kernel reads and
 * writes the caller's array in place at {@link Tensor#offset()} (zero-copy), each tensor at its own offset; no
 * call copies such a tensor ({@link HostStaging#arraysOnly} passes it through, which {@link
 * HostStaging#stagedByThisThread()} lets a test observe).
 *
 * <p>Tensors over off-heap segments ({@link Tensor#wrap(java.lang.foreign.MemorySegment, int...)}): the inference
 * path reads and writes them in place. linearForward and the inference loraForward (x, w, y: the GEMM copies each
 * row block of x out in bulk and reads it with the in-place kernel, packs w from the segment, and its tile stores
 * write y), layerNormForward (every operand: blocks of rows copied from x's segment into an L1 buffer, normalized
 * there and copied to y's segment in bulk; γ and β copied once per call), activationForward (x, y: 1,024 floats
 * at a time through L1 buffers) and attentionForward (q, k, v, out, one token row at a time).
 * Their small operands (bias, LoRA's a and b, attention's per-row lse, the key mask, prefixes)
 * and every off-heap tensor of every other kernel are copied through {@link HostStaging#arraysOnly}: into a
 * compact array for the call and, if the kernel wrote it, back. A segment of a confined arena, which only its owner
 * thread may touch, is copied that way too ({@link HostStaging#andThreadConfined}): the workers read shared,
 * global and automatic arenas' segments in place.
 */
public final class CpuBackend implements Backend {
    private final WorkerPool pool;
    /** Weights packed by {@link #prepare}, by tensor identity. */
    private final Map<Tensor, PackedWeight> prepared = new IdentityHashMap<>();

    /**
     * A backend with {@code -Dpeft4j.cpu.threads} pool threads, else one per available processor, and the warm-up of
     * {@link #CpuBackend(int)}.
     */
    public CpuBackend() {
        this(BackendOptions.defaults().effectiveThreads());
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
        try (HostStaging st = HostStaging.arraysOnly(src, dst)) {
            Tensor s = st.get(src), d = st.get(dst);
            System.arraycopy(s.array(), s.offset(), d.array(), d.offset(), (int) s.numel());
        }
    }

    @Override public void fill(Tensor t, float value) {
        try (HostStaging st = HostStaging.arraysOnly(t)) {
            Tensor u = st.get(t);
            java.util.Arrays.fill(u.array(), u.offset(), u.offset() + (int) u.numel(), value);
        }
    }

    @Override public void add(Tensor a, Tensor b, Tensor out) {
        try (HostStaging st = HostStaging.arraysOnly(a, b, out)) {
            Tensor x = st.get(a), y = st.get(b), o = st.get(out);
            ElementwiseKernels.add(pool, x.array(), x.offset(), y.array(), y.offset(), o.array(), o.offset(),
                    (int) o.numel());
        }
    }

    @Override public void mul(Tensor a, Tensor b, Tensor out) {
        try (HostStaging st = HostStaging.arraysOnly(a, b, out)) {
            Tensor x = st.get(a), y = st.get(b), o = st.get(out);
            ElementwiseKernels.mul(pool, x.array(), x.offset(), y.array(), y.offset(), o.array(), o.offset(),
                    (int) o.numel());
        }
    }

    @Override public void axpy(float alpha, Tensor x, Tensor y) {
        try (HostStaging st = HostStaging.arraysOnly(x, y)) {
            Tensor xs = st.get(x), ys = st.get(y);
            ElementwiseKernels.axpy(pool, alpha, xs.array(), xs.offset(), ys.array(), ys.offset(), (int) ys.numel());
        }
    }

    @Override public void gemm(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, float alpha, float beta) {
        try (HostStaging st = HostStaging.arraysOnly(a, b, c)) {
            gemmOnArrays(st.get(a), transA, st.get(b), transB, st.get(c), alpha, beta);
        }
    }

    /** {@link #gemm} on tensors over Java arrays, at their offsets. */
    private void gemmOnArrays(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, float alpha, float beta) {
        int m = transA ? a.dim(-1) : a.dim(-2);
        int k = transA ? a.dim(-2) : a.dim(-1);
        int n = transB ? b.dim(-2) : b.dim(-1);
        int lda = a.dim(-1);
        int ldb = b.dim(-1);
        int batch = c.rank() == 3 ? c.dim(0) : 1;
        GemmOperand left = GemmOperand.left(a.array(), a.offset(), transA, lda, k).scaled(alpha);
        GemmOperand right = GemmOperand.right(b.array(), b.offset(), transB, ldb, k);
        Sgemm.Epilogue ep = Sgemm.Epilogue.beta(beta);
        for (int i = 0; i < batch; i++) {
            Sgemm.gemm(pool, m, n, left.shifted(i * m * k), right.shifted(i * k * n), c.array(),
                    c.offset() + i * m * n, n, ep);
        }
    }

    @Override public void linearForward(Tensor x, Tensor w, Tensor bias, Tensor y) {
        PackedWeight packed;
        synchronized (prepared) { // held for the call: an unprepare meanwhile frees it after the call
            packed = prepared.isEmpty() ? null : prepared.get(w);
            if (packed != null) {
                packed.retain();
            }
        }
        // x, w, y in place, off-heap too (a confined arena's segment is copied: workers may not touch it)
        try (HostStaging st = HostStaging.arraysOnly(bias).andThreadConfined(x, w, y)) {
            LinearKernels.forward(pool, st.get(x), st.get(w), packed, st.get(bias), st.get(y));
        } finally {
            if (packed != null) {
                packed.release();
            }
        }
    }

    /**
     * Packs w once into the GEMM's panel layout ({@link PackedWeight}: in × out rounded up to the vector panel
     * width, counted by MemoryAccounting); {@link #linearForward} with this very tensor as w then skips packing.
     * A w of at most one vector's width of rows is left as is (its GEMM packs little).
     */
    @Override public void prepare(Tensor w) {
        PackedWeight packed;
        try (HostStaging st = HostStaging.arraysOnly(w)) {
            Tensor ws = st.get(w);
            packed = PackedWeight.of(ws.array(), ws.offset(), ws.dim(0), ws.dim(1));
        }
        if (packed == null) {
            unprepare(w);
            return;
        }
        MemoryAccounting.allocated(Device.CPU, packed.bytes());
        PackedWeight old;
        synchronized (prepared) {
            old = prepared.put(w, packed);
        }
        if (old != null) {
            MemoryAccounting.freed(Device.CPU, old.bytes());
            old.release();
        }
    }

    /** The packed weight held for w, or null (for tests). */
    PackedWeight preparedFor(Tensor w) {
        synchronized (prepared) {
            return prepared.get(w);
        }
    }

    @Override public void unprepare(Tensor w) {
        PackedWeight old;
        synchronized (prepared) {
            old = prepared.remove(w);
        }
        if (old != null) {
            MemoryAccounting.freed(Device.CPU, old.bytes());
            old.release();
        }
    }

    @Override public void linearBackward(Tensor dy, Tensor x, Tensor w, Tensor dx, Tensor dw, Tensor db) {
        try (HostStaging st = HostStaging.arraysOnly(dy, x, w, dx, dw, db)) {
            LinearKernels.backward(pool, st.get(dy), st.get(x), st.get(w), st.get(dx), st.get(dw), st.get(db));
        }
    }

    @Override public void loraForward(Tensor x, Tensor w, Tensor bias, Tensor a, Tensor b, float s, Tensor dropMask,
                                      Tensor y, Tensor u) {
        try (HostStaging st = HostStaging.arraysOnly(x, w, bias, a, b, dropMask, y, u)) {
            LoraKernels.forward(pool, st.get(x), st.get(w), st.get(bias), st.get(a), st.get(b), s, st.get(dropMask),
                    st.get(y), st.get(u));
        }
    }

    /** Keeps u in a scratch buffer of the pool instead of allocating it (zero-copy on wrapped arrays too). */
    @Override public void loraForward(Tensor x, Tensor w, Tensor bias, Tensor a, Tensor b, float s, Tensor y) {
        // x, w, y in place, off-heap too (a confined arena's segment is copied)
        try (HostStaging st = HostStaging.arraysOnly(bias, a, b).andThreadConfined(x, w, y)) {
            LoraKernels.inferenceForward(pool, st.get(x), st.get(w), st.get(bias), st.get(a), st.get(b), s, st.get(y));
        }
    }

    @Override public void loraBackward(Tensor dy, Tensor x, Tensor w, Tensor a, Tensor b, Tensor u, float s,
                                       Tensor dropMask, Tensor dx, Tensor dA, Tensor dB) {
        try (HostStaging st = HostStaging.arraysOnly(dy, x, w, a, b, u, dropMask, dx, dA, dB)) {
            LoraKernels.backward(pool, st.get(dy), st.get(x), st.get(w), st.get(a), st.get(b), st.get(u), s,
                    st.get(dropMask), st.get(dx), st.get(dA), st.get(dB));
        }
    }

    @Override public void loraMixedForward(Tensor x, Tensor a, Tensor b, Tensor scales, int[] adapterOfRow, Tensor y) {
        try (HostStaging st = HostStaging.arraysOnly(x, a, b, scales, y)) {
            MixedLoraKernels.forward(pool, st.get(x), st.get(a), st.get(b), st.get(scales), adapterOfRow, st.get(y));
        }
    }

    @Override public void adapterForward(Tensor x, Tensor residual, AdapterWeights w, Tensor y, Tensor z) {
        Tensor wDown = w.wDown(), bDown = w.bDown(), wUp = w.wUp(), bUp = w.bUp();
        Activation f = w.f();
        float s = w.s();
        try (HostStaging st = HostStaging.arraysOnly(x, residual, wDown, bDown, wUp, bUp, y, z)) {
            AdapterKernels.forward(pool, st.get(x), st.get(residual), st.get(wDown), st.get(bDown), st.get(wUp), st.get(bUp), f, s, st.get(y), st.get(z));
        }
    }

    @Override public void adapterBackward(Tensor dy, Tensor x, AdapterWeights w, Tensor z, AdapterGradients grads) {
        Tensor wDown = w.wDown(), wUp = w.wUp(), bUp = w.bUp();
        Activation f = w.f();
        float s = w.s();
        Tensor dx = grads.dx(), dWDown = grads.dWDown(), dbDown = grads.dbDown(), dWUp = grads.dWUp(), dbUp = grads.dbUp(), dScale = grads.dScale();
        try (HostStaging st = HostStaging.arraysOnly(dy, x, wDown, wUp, bUp, z, dx, dWDown, dbDown, dWUp, dbUp,
                dScale)) {
            AdapterKernels.backward(pool, st.get(dy), st.get(x), st.get(wDown), st.get(wUp), st.get(bUp), f, s, st.get(z), st.get(dx), st.get(dWDown), st.get(dbDown), st.get(dWUp), st.get(dbUp), st.get(dScale));
        }
    }

    @Override public void attentionForward(AttentionInputs in, Tensor out, Tensor lse) {
        Tensor q = in.q(), k = in.k(), v = in.v(), prefixK = in.prefixK(), prefixV = in.prefixV(), keyMask = in.keyMask();
        boolean causal = in.causal();
        int heads = in.heads();
        // q, k, v, out in place, off-heap too (a confined arena's segment is copied); the mask, prefixes and lse
        // (one float per query row) are staged
        try (HostStaging st = HostStaging.arraysOnly(prefixK, prefixV, keyMask, lse).andThreadConfined(q, k, v, out)) {
            AttentionKernels.forward(pool, st.get(q), st.get(k), st.get(v), st.get(prefixK), st.get(prefixV), st.get(keyMask), causal, heads,
                    in.skipMaskedQueries(), st.get(out), st.get(lse));
        }
    }

    @Override public void attentionBackward(Tensor dOut, AttentionInputs in, Tensor out, Tensor lse, AttentionGradients grads) {
        Tensor q = in.q(), k = in.k(), v = in.v(), prefixK = in.prefixK(), prefixV = in.prefixV(), keyMask = in.keyMask();
        boolean causal = in.causal();
        int heads = in.heads();
        Tensor dq = grads.dq(), dk = grads.dk(), dv = grads.dv(), dPrefixK = grads.dPrefixK(), dPrefixV = grads.dPrefixV();
        try (HostStaging st = HostStaging.arraysOnly(dOut, q, k, v, prefixK, prefixV, keyMask, out, lse, dq, dk, dv,
                dPrefixK, dPrefixV)) {
            AttentionKernels.backward(pool, st.get(dOut), st.get(q), st.get(k), st.get(v), st.get(prefixK), st.get(prefixV), st.get(keyMask), causal, heads, st.get(out), st.get(lse),
                st.get(dq), st.get(dk), st.get(dv), st.get(dPrefixK), st.get(dPrefixV));
        }
    }

    @Override public void scaleForward(Tensor x, Tensor l, Tensor y) {
        try (HostStaging st = HostStaging.arraysOnly(x, l, y)) {
            ElementwiseKernels.scaleForward(st.get(x), st.get(l), st.get(y));
        }
    }

    @Override public void scaleBackward(Tensor dy, Tensor x, Tensor l, Tensor dx, Tensor dl) {
        try (HostStaging st = HostStaging.arraysOnly(dy, x, l, dx, dl)) {
            ElementwiseKernels.scaleBackward(st.get(dy), st.get(x), st.get(l), st.get(dx), st.get(dl));
        }
    }

    @Override public void biasGradient(Tensor dy, Tensor db) {
        try (HostStaging st = HostStaging.arraysOnly(dy, db)) {
            OptimizerKernels.biasGradient(st.get(dy), st.get(db));
        }
    }

    @Override public void maskedBiasUpdate(Tensor dy, Tensor bias, Tensor mask, Tensor m, Tensor v, AdamW hp,
                                           long step, Tensor db) {
        try (HostStaging st = HostStaging.arraysOnly(dy, bias, mask, m, v, db)) {
            OptimizerKernels.maskedBiasUpdate(st.get(dy), st.get(bias), st.get(mask), st.get(m), st.get(v), hp, step, st.get(db));
        }
    }

    @Override public void layerNormForward(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor mean,
                                           Tensor rstd) {
        // every operand in place, off-heap too (a confined arena's segment is copied; an off-heap gamma or beta is
        // copied once by the kernel)
        try (HostStaging st = HostStaging.arraysOnly().andThreadConfined(x, gamma, beta, y, mean, rstd)) {
            NormKernels.layerNormForward(pool, st.get(x), st.get(gamma), st.get(beta), eps, st.get(y), st.get(mean), st.get(rstd));
        }
    }

    @Override public void layerNormBackward(Tensor dy, Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor dx,
                                            Tensor dGamma, Tensor dBeta) {
        try (HostStaging st = HostStaging.arraysOnly(dy, x, gamma, mean, rstd, dx, dGamma, dBeta)) {
            NormKernels.layerNormBackward(pool, st.get(dy), st.get(x), st.get(gamma), st.get(mean), st.get(rstd), st.get(dx), st.get(dGamma), st.get(dBeta));
        }
    }

    @Override public void activationForward(Activation f, Tensor x, Tensor y) {
        // off-heap too (a confined arena's segment is copied)
        try (HostStaging st = HostStaging.arraysOnly().andThreadConfined(x, y)) {
            ActivationKernels.forward(pool, f, HostFloats.of(st.get(x)), HostFloats.of(st.get(y)), (int) x.numel());
        }
    }

    @Override public void activationBackward(Activation f, Tensor dy, Tensor x, Tensor dx) {
        try (HostStaging st = HostStaging.arraysOnly(dy, x, dx)) {
            Tensor g = st.get(dy), xs = st.get(x), d = st.get(dx);
            ActivationKernels.backward(pool, f, g.array(), g.offset(), xs.array(), xs.offset(), d.array(), d.offset(),
                    (int) xs.numel());
        }
    }

    @Override public void softmaxForward(Tensor x, Tensor y) {
        try (HostStaging st = HostStaging.arraysOnly(x, y)) {
            SoftmaxKernels.softmaxForward(pool, st.get(x), st.get(y));
        }
    }

    @Override public void softmaxBackward(Tensor dy, Tensor y, Tensor dx) {
        try (HostStaging st = HostStaging.arraysOnly(dy, y, dx)) {
            SoftmaxKernels.softmaxBackward(pool, st.get(dy), st.get(y), st.get(dx));
        }
    }

    @Override public void embeddingForward(Tensor table, int[] ids, Tensor out) {
        try (HostStaging st = HostStaging.arraysOnly(table, out)) {
            TokenKernels.embeddingForward(st.get(table), ids, st.get(out));
        }
    }

    @Override public void embeddingBackward(Tensor dOut, int[] ids, Tensor dTable) {
        try (HostStaging st = HostStaging.arraysOnly(dOut, dTable)) {
            TokenKernels.embeddingBackward(st.get(dOut), ids, st.get(dTable));
        }
    }

    @Override public void meanPoolForward(Tensor x, Tensor mask, Tensor out) {
        try (HostStaging st = HostStaging.arraysOnly(x, mask, out)) {
            TokenKernels.meanPoolForward(st.get(x), st.get(mask), st.get(out));
        }
    }

    @Override public void meanPoolBackward(Tensor dOut, Tensor mask, Tensor dx) {
        try (HostStaging st = HostStaging.arraysOnly(dOut, mask, dx)) {
            TokenKernels.meanPoolBackward(st.get(dOut), st.get(mask), st.get(dx));
        }
    }

    @Override public void dropoutForward(Tensor x, float p, long seed, Tensor y, Tensor mask) {
        try (HostStaging st = HostStaging.arraysOnly(x, y, mask)) {
            DropoutKernels.forward(pool, st.get(x), p, seed, st.get(y), st.get(mask));
        }
    }

    @Override public float crossEntropyForward(Tensor logits, int[] targets, Tensor probs) {
        try (HostStaging st = HostStaging.arraysOnly(logits, probs)) {
            return SoftmaxKernels.crossEntropyForward(st.get(logits), targets, st.get(probs));
        }
    }

    @Override public void crossEntropyForward(Tensor logits, int[] targets, Tensor probs, Tensor loss) {
        try (HostStaging st = HostStaging.arraysOnly(logits, probs, loss)) {
            Tensor l = st.get(loss);
            l.array()[l.offset()] = SoftmaxKernels.crossEntropyForward(st.get(logits), targets, st.get(probs));
        }
    }

    @Override public void crossEntropyBackward(Tensor probs, int[] targets, float scale, Tensor dLogits) {
        try (HostStaging st = HostStaging.arraysOnly(probs, dLogits)) {
            SoftmaxKernels.crossEntropyBackward(st.get(probs), targets, scale, st.get(dLogits));
        }
    }

    @Override public void adamW(Tensor[] params, Tensor[] grads, Tensor[] m, Tensor[] v, AdamW hp, long step) {
        try (HostStaging st = HostStaging.arraysOnly().and(params).and(grads).and(m).and(v)) {
            OptimizerKernels.adamW(pool, st.get(params), st.get(grads), st.get(m), st.get(v), hp, step);
        }
    }

    @Override public float clipGradNorm(Tensor[] grads, float maxNorm) {
        try (HostStaging st = HostStaging.arraysOnly().and(grads)) {
            return OptimizerKernels.clipGradNorm(st.get(grads), maxNorm);
        }
    }

    @Override public void clipGradNorm(Tensor[] grads, float maxNorm, Tensor norm) {
        try (HostStaging st = HostStaging.arraysOnly(norm).and(grads)) {
            Tensor n = st.get(norm);
            n.array()[n.offset()] = OptimizerKernels.clipGradNorm(st.get(grads), maxNorm);
        }
    }

    @Override public void close() {
        synchronized (prepared) {
            for (PackedWeight p : prepared.values()) {
                MemoryAccounting.freed(Device.CPU, p.bytes());
                p.release();
            }
            prepared.clear();
        }
        pool.close();
    }
}
