package dev.peft4j.cuda;

import static dev.peft4j.cuda.Peft4jNative.*;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.AdamW;
import dev.peft4j.backend.AdapterGradients;
import dev.peft4j.backend.AdapterWeights;
import dev.peft4j.backend.AttentionGradients;
import dev.peft4j.backend.AttentionInputs;
import dev.peft4j.backend.Backend;
import dev.peft4j.tensor.Device;
import dev.peft4j.tensor.Shapes;
import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * The contract of {@link Backend} on a CUDA device, one C ABI call of {@code libpeft4j_cuda} per kernel (see
 * native/include/peft4j.h for every equation), except the dense products (gemm, linearForward, linearBackward), which
 * run on cuBLAS or on peft4j's tiled kernels as {@link GemmEngine} says. Tensors live in {@link CudaStorage}; kernels
 * run asynchronously, in order, on this instance's own stream (created at the first kernel, destroyed by
 * {@link #close()}), and so does its one cuBLAS handle.
 *
 * <p>Host round trips: none inside a training step that uses the tensor forms of crossEntropyForward and clipGradNorm
 * (the float-returning forms copy one float back, which waits for all queued work). The int[] ids and targets go
 * through pinned staging memory by asynchronous copies on the stream, and an array repeated from an earlier call
 * (forward then backward, positions every step) is not uploaded again; {@link #upload} writes a key mask the same way
 * ({@link StagedUploads}). {@link CudaStorage#write} and {@link CudaStorage#read} (Tensor.copyFrom, toArray) wait. The per-call workspaces come from one growing scratch buffer
 * ({@link DeviceScratch}) and AdamW's and clipping's tensor tables are uploaded only when the tensors change
 * ({@link DeviceTable}). Argument checks are {@link dev.peft4j.backend.ValidatingBackend}'s (which wraps every
 * backend {@link dev.peft4j.backend.Backends} hands out); the C ABI checks again. Not thread-safe: one thread per
 * instance.
 *
 * <p>Status: written without a GPU; it has not run yet. {@link CudaBackendProvider} offers it only when asked
 * to ({@code -Dpeft4j.cuda.unverified=true}) until the conformance suite has passed on a device.
 */
public final class CudaBackend implements Backend {
    private final GemmEngine gemmEngine;
    private Pointer stream;
    private DenseProducts products;
    private final DeviceScratch scratch = new DeviceScratch();
    private final DeviceTable adamWTable = new DeviceTable();
    private final DeviceTable clipTable = new DeviceTable();
    private final StagedUploads uploads = new StagedUploads();

    /** A backend whose dense products use the engine of {@code -Dpeft4j.cuda.gemm} (cuBLAS when unset). */
    public CudaBackend() {
        this(GemmEngine.fromSystemProperty());
    }

    /** A backend whose gemm and linear layers run on {@code gemmEngine}. */
    public CudaBackend(GemmEngine gemmEngine) {
        if (gemmEngine == null) {
            throw new IllegalArgumentException("gemmEngine is null");
        }
        this.gemmEngine = gemmEngine;
    }

    /** The library that computes gemm, linearForward and linearBackward. */
    public GemmEngine gemmEngine() {
        return gemmEngine;
    }

    /** This backend's CUDA stream, created on first use. */
    private Pointer stream() {
        if (stream == null) {
            try (PointerPointer<Pointer> out = new PointerPointer<>(1)) {
                check(peft4j_stream_create(out), "cudaStreamCreate");
                stream = out.get(0);
            }
        }
        return stream;
    }

    /** The dense-product engine on this backend's stream (for cuBLAS: its handle), created on first use. */
    private DenseProducts products() {
        if (products == null) {
            products = gemmEngine == GemmEngine.CUBLAS ? new CublasProducts(stream()) : new TiledProducts(stream());
        }
        return products;
    }

    /**
     * Waits for this backend's work, releases its dense-product engine (the cuBLAS handle, the column of ones), its
     * workspaces and tables, and destroys its stream; tensors it made stay the caller's to close.
     */
    @Override public void close() {
        if (stream != null) {
            Pointer s = stream;
            DenseProducts d = products;
            stream = null;
            products = null;
            try {
                check(peft4j_synchronize(s), "synchronize before closing the backend");
            } finally {
                try {
                    if (d != null) {
                        d.close();
                    }
                    scratch.close();
                    uploads.close();
                    adamWTable.close();
                    clipTable.close();
                } finally {
                    check(peft4j_stream_destroy(s), "cudaStreamDestroy");
                }
            }
        }
    }

    @Override public String name() { return "cuda"; }

    @Override public Device device() { return Device.CUDA; }

    @Override public Tensor allocate(int... shape) {
        Tensor t = new Tensor(new CudaStorage(Shapes.numel(Shapes.checkedCopy(shape))), shape);
        fill(t, 0f);
        return t;
    }

    @Override public Tensor fromHost(float[] data, int... shape) {
        Tensor t = new Tensor(new CudaStorage(Shapes.numel(Shapes.checkedCopy(shape))), shape);
        t.storage().write(0, data);
        return t;
    }

    @Override public void copy(Tensor src, Tensor dst) {
        check(peft4j_copy(p(src), p(dst), src.numel(), stream()), "copy");
    }

    /** Through pinned staging memory by an asynchronous copy on this backend's stream: nothing waits. */
    @Override public void upload(float[] src, Tensor dst) {
        uploads.floats(src, p(dst), stream());
    }

    @Override public void fill(Tensor t, float value) {
        check(peft4j_fill(p(t), value, t.numel(), stream()), "fill");
    }

    @Override public void add(Tensor a, Tensor b, Tensor out) {
        check(peft4j_add(p(a), p(b), p(out), out.numel(), stream()), "add");
    }

    @Override public void mul(Tensor a, Tensor b, Tensor out) {
        check(peft4j_mul(p(a), p(b), p(out), out.numel(), stream()), "mul");
    }

    @Override public void axpy(float alpha, Tensor x, Tensor y) {
        check(peft4j_axpy(alpha, p(x), p(y), y.numel(), stream()), "axpy");
    }

    @Override public void gemm(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, float alpha, float beta) {
        int r = a.rank();
        int batch = r == 3 ? a.dim(0) : 1;
        int m = transA ? a.dim(r - 1) : a.dim(r - 2);
        int k = transA ? a.dim(r - 2) : a.dim(r - 1);
        int n = transB ? b.dim(r - 2) : b.dim(r - 1);
        products().gemm(p(a), transA, p(b), transB, p(c), alpha, beta, batch, m, n, k);
    }

    @Override public void linearForward(Tensor x, Tensor w, Tensor bias, Tensor y) {
        products().linearForward(p(x), p(w), p(bias), p(y), Shapes.rows(x), w.dim(1), w.dim(0));
    }

    @Override public void linearBackward(Tensor dy, Tensor x, Tensor w, Tensor dx, Tensor dw, Tensor db) {
        products().linearBackward(p(dy), p(x), p(w), p(dx), p(dw), p(db), Shapes.rows(dy), w.dim(1), w.dim(0));
    }

    /**
     * With cuBLAS, the base product y = x Wᵀ + b by cuBLAS and then peft4j's low-rank half (u = x̃ Aᵀ, y += s·u Bᵀ: y
     * read and written once more); with the tiled engine, peft4j's single fused kernel. Running tools/gpu-check.sh
     * with both engines times both paths.
     */
    @Override public void loraForward(Tensor x, Tensor w, Tensor bias, Tensor a, Tensor b, float s, Tensor dropMask,
                                      Tensor y, Tensor u) {
        int n = Shapes.rows(x);
        if (gemmEngine == GemmEngine.CUBLAS) {
            products().linearForward(p(x), p(w), p(bias), p(y), n, w.dim(1), w.dim(0));
            check(peft4j_lora_low_rank_forward(p(x), p(a), p(b), s, p(dropMask), p(y), p(u), n, w.dim(1), w.dim(0),
                    a.dim(0), stream()), "loraForward (the low-rank half)");
            return;
        }
        check(peft4j_lora_forward(p(x), p(w), p(bias), p(a), p(b), s, p(dropMask), p(y), p(u), n, w.dim(1),
                w.dim(0), a.dim(0), stream()), "loraForward");
    }

    @Override public void loraBackward(Tensor dy, Tensor x, Tensor w, Tensor a, Tensor b, Tensor u, float s,
                                       Tensor dropMask, Tensor dx, Tensor dA, Tensor dB) {
        long n = Shapes.rows(dy);
        Pointer g = workspace(n * a.dim(0));
        check(peft4j_lora_backward(p(dy), p(x), p(w), p(a), p(b), p(u), s, p(dropMask), p(dx), p(dA), p(dB), g, n,
                w.dim(1), w.dim(0), a.dim(0), stream()), "loraBackward");
    }

    /** The largest LoRA rank {@code peft4j_sgmv_lora} takes (peft4j.h: 1 <= r <= 128). */
    static final int SGMV_MAX_RANK = 128;

    @Override public void loraMixedForward(Tensor x, Tensor a, Tensor b, Tensor scales, int[] adapterOfRow, Tensor y) {
        int r = a.dim(1);
        if (r > SGMV_MAX_RANK) {
            throw new IllegalArgumentException("loraMixedForward: the CUDA kernel takes LoRA ranks up to " + SGMV_MAX_RANK
                    + " but a " + Shapes.str(a) + " has r = " + r);
        }
        scratch.reset();
        check(peft4j_sgmv_lora(p(x), p(a), p(b), p(scales), ints(adapterOfRow), p(y), adapterOfRow.length, a.dim(2),
                b.dim(1), r, a.dim(0), stream()), "loraMixedForward");
    }

    @Override public void adapterForward(Tensor x, Tensor residual, AdapterWeights w, Tensor y, Tensor z) {
        Tensor wDown = w.wDown(), bDown = w.bDown(), wUp = w.wUp(), bUp = w.bUp();
        Activation f = w.f();
        float s = w.s();
        check(peft4j_adapter_forward(p(x), p(residual), p(wDown), p(bDown), p(wUp), p(bUp), f.ordinal(), s, p(y), p(z),
                Shapes.rows(x), wDown.dim(1), wDown.dim(0), stream()), "adapterForward");
    }

    @Override public void adapterBackward(Tensor dy, Tensor x, AdapterWeights w, Tensor z, AdapterGradients grads) {
        Tensor wDown = w.wDown(), wUp = w.wUp(), bUp = w.bUp();
        Activation f = w.f();
        float s = w.s();
        Tensor dx = grads.dx(), dWDown = grads.dWDown(), dbDown = grads.dbDown(), dWUp = grads.dWUp(), dbUp = grads.dbUp(), dScale = grads.dScale();
        long n = Shapes.rows(dy);
        int d = wDown.dim(1);
        int m = wDown.dim(0);
        long[] floats = {0};
        check(peft4j_adapter_backward_workspace(n, d, m, dScale != null ? 1 : 0, floats), "adapterBackward workspace");
        Pointer ws = workspace(floats[0]);
        check(peft4j_adapter_backward(p(dy), p(x), p(wDown), p(wUp), p(bUp), f.ordinal(), s, p(z), p(dx), p(dWDown),
                p(dbDown), p(dWUp), p(dbUp), p(dScale), ws, n, d, m, stream()), "adapterBackward");
    }

    @Override public void attentionForward(AttentionInputs in, Tensor out, Tensor lse) {
        Tensor q = in.q(), k = in.k(), v = in.v(), prefixK = in.prefixK(), prefixV = in.prefixV(), keyMask = in.keyMask();
        boolean causal = in.causal();
        int heads = in.heads();
        check(peft4j_attention_forward(p(q), p(k), p(v), p(prefixK), p(prefixV), p(keyMask), causal ? 1 : 0, p(out),
                p(lse), q.dim(0), q.dim(1), q.dim(2), heads, prefixK == null ? 0 : prefixK.dim(0), stream()),
                "attentionForward");
    }

    @Override public void attentionBackward(Tensor dOut, AttentionInputs in, Tensor out, Tensor lse, AttentionGradients grads) {
        Tensor q = in.q(), k = in.k(), v = in.v(), prefixK = in.prefixK(), prefixV = in.prefixV(), keyMask = in.keyMask();
        boolean causal = in.causal();
        int heads = in.heads();
        Tensor dq = grads.dq(), dk = grads.dk(), dv = grads.dv(), dPrefixK = grads.dPrefixK(), dPrefixV = grads.dPrefixV();
        int prefix = prefixK == null ? 0 : prefixK.dim(0);
        long[] floats = {0};
        check(peft4j_attention_backward_workspace(q.dim(0), q.dim(1), q.dim(2), heads, prefix, floats),
                "attentionBackward workspace");
        Pointer ws = workspace(floats[0]);
        check(peft4j_attention_backward(p(dOut), p(q), p(k), p(v), p(prefixK), p(prefixV), p(keyMask), causal ? 1 : 0,
                p(out), p(lse), p(dq), p(dk), p(dv), p(dPrefixK), p(dPrefixV), ws, q.dim(0), q.dim(1), q.dim(2), heads,
                prefix, stream()), "attentionBackward");
    }

    @Override public void scaleForward(Tensor x, Tensor l, Tensor y) {
        check(peft4j_scale_forward(p(x), p(l), p(y), Shapes.rows(x), x.dim(-1), stream()), "scaleForward");
    }

    @Override public void scaleBackward(Tensor dy, Tensor x, Tensor l, Tensor dx, Tensor dl) {
        check(peft4j_scale_backward(p(dy), p(x), p(l), p(dx), p(dl), Shapes.rows(x), x.dim(-1), stream()), "scaleBackward");
    }

    @Override public void biasGradient(Tensor dy, Tensor db) {
        check(peft4j_bias_gradient(p(dy), p(db), Shapes.rows(dy), dy.dim(-1), stream()), "biasGradient");
    }

    @Override public void maskedBiasUpdate(Tensor dy, Tensor bias, Tensor mask, Tensor m, Tensor v, AdamW hp, long step,
                                           Tensor db) {
        check(peft4j_masked_bias_update(p(dy), p(bias), p(mask), p(m), p(v), p(db), Shapes.rows(dy), dy.dim(-1), hp.lr(),
                hp.beta1(), hp.beta2(), hp.eps(), hp.weightDecay(), step, stream()), "maskedBiasUpdate");
    }

    @Override public void layerNormForward(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor mean,
                                           Tensor rstd) {
        check(peft4j_layer_norm_forward(p(x), p(gamma), p(beta), eps, p(y), p(mean), p(rstd), Shapes.rows(x), x.dim(-1),
                stream()), "layerNormForward");
    }

    @Override public void layerNormBackward(Tensor dy, Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor dx,
                                            Tensor dGamma, Tensor dBeta) {
        check(peft4j_layer_norm_backward(p(dy), p(x), p(gamma), p(mean), p(rstd), p(dx), p(dGamma), p(dBeta),
                Shapes.rows(x), x.dim(-1), stream()), "layerNormBackward");
    }

    @Override public void activationForward(Activation f, Tensor x, Tensor y) {
        check(peft4j_activation_forward(f.ordinal(), p(x), p(y), x.numel(), stream()), "activationForward");
    }

    @Override public void activationBackward(Activation f, Tensor dy, Tensor x, Tensor dx) {
        check(peft4j_activation_backward(f.ordinal(), p(dy), p(x), p(dx), x.numel(), stream()), "activationBackward");
    }

    @Override public void softmaxForward(Tensor x, Tensor y) {
        check(peft4j_softmax_forward(p(x), p(y), Shapes.rows(x), x.dim(-1), stream()), "softmaxForward");
    }

    @Override public void softmaxBackward(Tensor dy, Tensor y, Tensor dx) {
        check(peft4j_softmax_backward(p(dy), p(y), p(dx), Shapes.rows(y), y.dim(-1), stream()), "softmaxBackward");
    }

    @Override public void embeddingForward(Tensor table, int[] ids, Tensor out) {
        scratch.reset();
        check(peft4j_embedding_forward(p(table), ints(ids), p(out), ids.length, table.dim(0), table.dim(1), stream()),
                "embeddingForward");
    }

    /** The positions grouped by id on the host (CSR, ascending), so the device sums each row in a fixed order. */
    @Override public void embeddingBackward(Tensor dOut, int[] ids, Tensor dTable) {
        Map<Integer, List<Integer>> groups = new TreeMap<>();
        for (int i = 0; i < ids.length; i++) {
            groups.computeIfAbsent(ids[i], key -> new ArrayList<>()).add(i);
        }
        int[] rows = new int[groups.size()];
        int[] offsets = new int[groups.size() + 1];
        int[] positions = new int[ids.length];
        int g = 0;
        int at = 0;
        for (Map.Entry<Integer, List<Integer>> e : groups.entrySet()) {
            rows[g++] = e.getKey();
            for (int position : e.getValue()) {
                positions[at++] = position;
            }
            offsets[g] = at;
        }
        scratch.reset();
        int[] csr = new int[rows.length + offsets.length + positions.length]; // one upload: rows | offsets | positions
        System.arraycopy(rows, 0, csr, 0, rows.length);
        System.arraycopy(offsets, 0, csr, rows.length, offsets.length);
        System.arraycopy(positions, 0, csr, rows.length + offsets.length, positions.length);
        Pointer d = ints(csr);
        check(peft4j_embedding_backward(p(dOut), d, DeviceAddress.plus(d, rows.length),
                DeviceAddress.plus(d, rows.length + offsets.length), p(dTable), rows.length, ids.length, dTable.dim(0),
                dTable.dim(1), stream()), "embeddingBackward");
    }

    @Override public void meanPoolForward(Tensor x, Tensor mask, Tensor out) {
        check(peft4j_mean_pool_forward(p(x), p(mask), p(out), x.dim(0), x.dim(1), x.dim(2), stream()), "meanPoolForward");
    }

    @Override public void meanPoolBackward(Tensor dOut, Tensor mask, Tensor dx) {
        check(peft4j_mean_pool_backward(p(dOut), p(mask), p(dx), dx.dim(0), dx.dim(1), dx.dim(2), stream()),
                "meanPoolBackward");
    }

    @Override public void dropoutForward(Tensor x, float p, long seed, Tensor y, Tensor mask) {
        check(peft4j_dropout_forward(p(x), p, seed, p(y), p(mask), x.numel(), stream()), "dropoutForward");
    }

    @Override public float crossEntropyForward(Tensor logits, int[] targets, Tensor probs) {
        scratch.reset();
        Pointer loss = scratch.take(1);
        crossEntropy(logits, targets, probs, loss);
        return readOne(loss, "the cross-entropy loss");
    }

    /** The loss stays on the device: nothing waits for it. */
    @Override public void crossEntropyForward(Tensor logits, int[] targets, Tensor probs, Tensor loss) {
        scratch.reset();
        crossEntropy(logits, targets, probs, p(loss));
    }

    /** The kernel, the loss into {@code loss}; the caller has reset the scratch. */
    private void crossEntropy(Tensor logits, int[] targets, Tensor probs, Pointer loss) {
        int n = Shapes.rows(logits);
        Pointer t = ints(targets);
        Pointer rowLoss = scratch.take(n);
        check(peft4j_cross_entropy_forward(p(logits), t, p(probs), rowLoss, loss, n, logits.dim(-1), stream()),
                "crossEntropyForward");
    }

    @Override public void crossEntropyBackward(Tensor probs, int[] targets, float scale, Tensor dLogits) {
        scratch.reset();
        check(peft4j_cross_entropy_backward(p(probs), ints(targets), scale, p(dLogits), Shapes.rows(probs),
                probs.dim(-1), stream()), "crossEntropyBackward");
    }

    @Override public void adamW(Tensor[] params, Tensor[] grads, Tensor[] m, Tensor[] v, AdamW hp, long step) {
        int n = params.length;
        Pointer table = adamWTable.upload(table(params, grads, m, v), "adamW's tensor table"); // params|grads|m|v|sizes
        check(peft4j_adamw(table, DeviceAddress.plus(table, 2L * n), DeviceAddress.plus(table, 4L * n),
                DeviceAddress.plus(table, 6L * n), DeviceAddress.plus(table, 8L * n), n, maxSize(params), hp.lr(),
                hp.beta1(), hp.beta2(), hp.eps(), hp.weightDecay(), step, stream()), "adamW");
    }

    @Override public float clipGradNorm(Tensor[] grads, float maxNorm) {
        scratch.reset();
        Pointer norm = scratch.take(1);
        clip(grads, maxNorm, norm);
        return readOne(norm, "the gradient norm");
    }

    /** The norm stays on the device, and so does the decision to scale: nothing waits. */
    @Override public void clipGradNorm(Tensor[] grads, float maxNorm, Tensor norm) {
        scratch.reset();
        clip(grads, maxNorm, p(norm));
    }

    /** The kernel, the norm into {@code norm}; the caller has reset the scratch. */
    private void clip(Tensor[] grads, float maxNorm, Pointer norm) {
        int n = grads.length;
        Pointer table = clipTable.upload(table(grads), "clipGradNorm's tensor table"); // grads|sizes
        Pointer partials = scratch.take((long) n * GRAD_NORM_PARTIALS_PER_TENSOR);
        check(peft4j_clip_grad_norm(table, DeviceAddress.plus(table, 2L * n), n, maxSize(grads), maxNorm, partials, norm,
                stream()), "clipGradNorm");
    }

    /** PEFT4J_GRAD_NORM_PARTIALS_PER_TENSOR of peft4j.h. */
    static final int GRAD_NORM_PARTIALS_PER_TENSOR = 128;

    /** The device address of a CUDA tensor; null for null (an optional argument). */
    private static Pointer p(Tensor t) {
        if (t == null) {
            return null;
        }
        if (!(t.storage() instanceof CudaStorage s)) {
            throw new IllegalArgumentException("tensor " + Shapes.str(t) + " is on " + t.device()
                    + ", not on the CUDA backend's device (host tensors, Tensor.wrap ones included, are never read"
                    + " in place: upload them with fromHost(...) or upload(...))");
        }
        return s.pointer();
    }

    private static void check(int status, String kernel) {
        CudaStatus.check(status, kernel);
    }

    /** A workspace of {@code floats} floats for the call being made (a new call: earlier workspaces are reused). */
    private Pointer workspace(long floats) {
        scratch.reset();
        return scratch.take(floats);
    }

    /** int32 values on the device: an asynchronous upload on this backend's stream, or none when repeated. */
    private Pointer ints(int[] values) {
        return uploads.ints(values, stream());
    }

    /** One float of device memory copied to the host (this waits for the work queued before it). */
    private static float readOne(Pointer device, String what) {
        float[] out = new float[1];
        check(peft4j_copy_to_host(out, device, 1), "copy of " + what + " to the host");
        return out[0];
    }

    /**
     * The int64 table of the multi-tensor kernels: the device addresses of each group of tensors one after the other
     * (0 for a null tensor), then the element counts of the first group.
     */
    private static long[] table(Tensor[]... groups) {
        int n = groups[0].length;
        long[] t = new long[(groups.length + 1) * n];
        for (int g = 0; g < groups.length; g++) {
            for (int i = 0; i < n; i++) {
                Pointer ptr = p(groups[g][i]);
                t[g * n + i] = ptr == null ? 0 : ptr.address();
            }
        }
        for (int i = 0; i < n; i++) {
            t[groups.length * n + i] = groups[0][i].numel();
        }
        return t;
    }

    private static long maxSize(Tensor[] tensors) {
        long max = 0;
        for (Tensor t : tensors) {
            max = Math.max(max, t.numel());
        }
        return max;
    }
}
