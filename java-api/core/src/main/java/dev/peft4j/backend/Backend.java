package dev.peft4j.backend;

import dev.peft4j.tensor.Device;
import dev.peft4j.tensor.Shapes;
import dev.peft4j.tensor.Tensor;

/**
 * The kernel contract (DESIGN.md §2): every computation of the runtime, forward and backward, as one
 * interface that the reference, Vector-API and CUDA backends implement.
 *
 * <p>Conventions, for every method:
 * <ul>
 *   <li>Tensors are dense, row-major float32 on this backend's {@link #device()}. A tensor of rank ≥ 2 is
 *       read as a matrix of {@code rows = product of all but the last dimension} by its last dimension.</li>
 *   <li>{@code x} is {@code [N, in]} (N = batch × tokens); a frozen weight {@code W} is {@code [out, in]}
 *       (PyTorch layout); a bias is {@code [out]}; {@code s} is a scalar.</li>
 *   <li>Outputs are overwritten, never accumulated into (gradients included), unless a method says
 *       otherwise. An output argument documented as nullable is not computed when null.</li>
 *   <li>Outputs never alias inputs unless a method says they may.</li>
 *   <li>{@code ids}/{@code targets} are host int arrays (inputs to a step, not results of one).</li>
 * </ul>
 * Argument checking lives in {@link ValidatingBackend}, which {@link Backends} puts in front of every backend,
 * so implementations may assume well-formed arguments.
 */
public interface Backend extends AutoCloseable {

    /** Targets equal to this are ignored by the cross-entropy (padding, prompt tokens). */
    int IGNORE_INDEX = -100;

    /** Short name: "reference", "cpu", "cuda". */
    String name();

    Device device();

    // ---------------------------------------------------------------- memory

    /** A new zero-filled tensor on this backend's device. */
    Tensor allocate(int... shape);

    /** A new tensor on this backend's device holding a copy of {@code data}. */
    Tensor fromHost(float[] data, int... shape);

    /** dst = src (same number of elements). */
    void copy(Tensor src, Tensor dst);

    /**
     * dst = src from the host: an input of a step (a key mask), written in order with the work queued on this backend,
     * so a device backend need not wait for that work as {@link Tensor#copyFrom} does. src may be changed once this
     * returns. Same number of elements.
     */
    default void upload(float[] src, Tensor dst) {
        dst.copyFrom(src);
    }

    /** t[i] = value for every i. */
    void fill(Tensor t, float value);

    // ---------------------------------------------------------------- elementwise

    /** out = a + b, all the same shape; out may alias a or b. */
    void add(Tensor a, Tensor b, Tensor out);

    /** out = a ⊙ b, all the same shape; out may alias a or b. */
    void mul(Tensor a, Tensor b, Tensor out);

    /** y ← y + α·x, same number of elements. */
    void axpy(float alpha, Tensor x, Tensor y);

    // ---------------------------------------------------------------- GEMM

    /**
     * C = α·op(A)·op(B) + β·C, where op(X) is X or Xᵀ. Rank 2: op(A) {@code [m,k]}, op(B) {@code [k,n]},
     * C {@code [m,n]}. Rank 3 (batched): A {@code [batch, ·, ·]}, B {@code [batch, ·, ·]}, C {@code [batch, m, n]},
     * one product per batch index. With β = 0, C is not read (NaN in C does not propagate).
     */
    void gemm(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, float alpha, float beta);

    // ---------------------------------------------------------------- dense linear

    /** y = x Wᵀ + b. x {@code [N,in]}, W {@code [out,in]}, b {@code [out]} (nullable), y {@code [N,out]}. */
    void linearForward(Tensor x, Tensor w, Tensor bias, Tensor y);

    /**
     * dx = dy W, dW = dyᵀ x, db = Σ_rows dy. dy {@code [N,out]}; dx {@code [N,in]}, dW {@code [out,in]},
     * db {@code [out]}, each nullable (a frozen weight gets no gradient).
     */
    void linearBackward(Tensor dy, Tensor x, Tensor w, Tensor dx, Tensor dw, Tensor db);

    // ---------------------------------------------------------------- fused LoRA linear

    /**
     * y = x Wᵀ + b + s·(x̃ Aᵀ) Bᵀ with x̃ = x ⊙ dropMask (x̃ = x when dropMask is null), and u = x̃ Aᵀ saved.
     * x {@code [N,in]}, W {@code [out,in]}, b {@code [out]} nullable, A {@code [r,in]}, B {@code [out,r]},
     * dropMask {@code [N,in]} nullable (entries 0 or 1/(1−p)), y {@code [N,out]}, u {@code [N,r]}.
     */
    void loraForward(Tensor x, Tensor w, Tensor bias, Tensor a, Tensor b, float s, Tensor dropMask, Tensor y, Tensor u);

    /**
     * Declares a frozen weight w {@code [out,in]} (as passed to {@link #linearForward}) unchanging from now on, so
     * the backend may prepare it once instead of on every call: the CPU backend packs it into its GEMM's panel
     * layout, which {@link #linearForward} then reads instead of repacking w. Until {@link #unprepare(Tensor)}, the
     * contents of w must not change (a change would go unseen); the backend holds the prepared copy (counted by
     * {@code MemoryAccounting}) and a reference to w. Preparing again after a change refreshes it. The default does
     * nothing.
     */
    default void prepare(Tensor w) {}

    /** Drops what {@link #prepare(Tensor)} made for w (nothing if w was not prepared); w may change afterwards. */
    default void unprepare(Tensor w) {}

    /**
     * The fused LoRA linear for inference: y = x Wᵀ + b + s·(x Aᵀ) Bᵀ, without dropout and without handing back
     * u = x Aᵀ (nothing for a backward to read). Shapes as in {@link #loraForward(Tensor, Tensor, Tensor, Tensor,
     * Tensor, float, Tensor, Tensor, Tensor)}: x {@code [N,in]}, W {@code [out,in]}, b {@code [out]} nullable,
     * A {@code [r,in]}, B {@code [out,r]}, y {@code [N,out]}. This default allocates u {@code [N,r]} for the call and
     * frees it; a backend may keep u in its own scratch instead.
     */
    default void loraForward(Tensor x, Tensor w, Tensor bias, Tensor a, Tensor b, float s, Tensor y) {
        try (Tensor u = allocate(Shapes.rows(x), a.dim(0))) {
            loraForward(x, w, bias, a, b, s, null, y, u);
        }
    }

    /**
     * With g = dy B {@code [N,r]}: dB = s·dyᵀ u, dA = s·gᵀ x̃, dx = dy W + s·(g A) ⊙ dropMask.
     * Shapes as in {@link #loraForward}; dx, dA, dB nullable.
     */
    void loraBackward(Tensor dy, Tensor x, Tensor w, Tensor a, Tensor b, Tensor u, float s, Tensor dropMask,
                      Tensor dx, Tensor dA, Tensor dB);

    /**
     * Mixed-adapter LoRA for inference (SGMV): different LoRA adapters for different rows of one batch, added to the
     * base product already in y. For each row i with α = adapterOfRow[i] ≥ 0:
     * y[i,:] += scales[α]·(x[i,:] A_αᵀ) B_αᵀ; a row with −1 keeps its y. x {@code [N,in]}, a {@code [k,r,in]} and
     * b {@code [k,out,r]} (the k adapters' A and B stacked; an adapter of smaller rank is zero-padded, which adds
     * nothing), scales {@code [k]}, adapterOfRow {@code N} entries in [−1, k), y {@code [N,out]} read and written.
     */
    void loraMixedForward(Tensor x, Tensor a, Tensor b, Tensor scales, int[] adapterOfRow, Tensor y);

    // ---------------------------------------------------------------- adapter bottleneck

    /**
     * z = x W_dᵀ + b_d (saved), y = residual + s·(f(z) W_uᵀ + b_u), with the parameters of w ({@link AdapterWeights}). Serial adapter: x = residual = the
     * sublayer output. Parallel adapter: x = the sublayer input, residual = the sublayer output.
     * x {@code [N,d]}, residual {@code [N,d]}, W_d {@code [m,d]}, b_d {@code [m]}, W_u {@code [d,m]}, b_u {@code [d]}
     * (biases nullable), y {@code [N,d]}, z {@code [N,m]}. y may alias residual when residual is not x (a parallel
     * adapter adding into the sublayer output); a serial adapter (x = residual) needs a separate y.
     */
    void adapterForward(Tensor x, Tensor residual, AdapterWeights w, Tensor y, Tensor z);

    /**
     * With h = f(z), dh = s·dy W_u, dz = dh ⊙ f'(z): dW_u = s·dyᵀ h, db_u = s·Σ_rows dy, dW_d = dzᵀ x,
     * db_d = Σ_rows dz, dx = dz W_d (the adapter path only: the residual's gradient is dy itself, which the
     * caller adds), dScale {@code [1]} = Σ dy ⊙ (h W_uᵀ + b_u) for a learned scale. Every output of grads
     * ({@link AdapterGradients}) is optional; w's b_d is not read.
     */
    void adapterBackward(Tensor dy, Tensor x, AdapterWeights w, Tensor z, AdapterGradients grads);

    // ---------------------------------------------------------------- attention with prefixes

    /**
     * Multi-head attention with optional prefix keys/values, all in {@code in} ({@link AttentionInputs}). q, k, v, out {@code [B,T,H·dh]} (heads side by side
     * in the last dimension, as a linear layer produces them); prefixK, prefixV {@code [L,H·dh]} or both null
     * (L = 0), shared by the batch; keyMask {@code [B,T]} with 1 = attend, 0 = padding, nullable (all 1).
     * For head h, query t: scores over the L prefix positions (always visible) then the T sequence positions
     * j with keyMask[b,j] = 1 (and j ≤ t if causal), p = softmax(scores/√dh), out = p·[P_v; V].
     * lse {@code [B,H,T]} = the log-sum-exp of the scaled scores, saved for the backward. A query with no
     * visible key gets out = 0 and lse = −∞. With {@link AttentionInputs#skipMaskedQueries()} the out and lse rows
     * of masked query positions (keyMask[b,t] = 0) are unspecified: a backend may skip them.
     */
    void attentionForward(AttentionInputs in, Tensor out, Tensor lse);

    /**
     * Gradients of {@link #attentionForward}: with p recomputed from lse, dP = dOut·[P_v;V]ᵀ,
     * δ = rowsum(dOut ⊙ out), dS = p ⊙ (dP − δ)/√dh; dq = dS·[P_k;K], d[P_k;K] = dSᵀ q, d[P_v;V] = pᵀ dOut.
     * dPrefixK, dPrefixV {@code [L,H·dh]} sum over the batch; they and dq, dk, dv ({@link AttentionGradients}) are
     * optional. A query with no
     * visible key (lse = −∞) contributes no gradient anywhere. Inputs with {@link AttentionInputs#skipMaskedQueries()}
     * are refused: the backward reads every row of out and lse.
     */
    void attentionBackward(Tensor dOut, AttentionInputs in, Tensor out, Tensor lse, AttentionGradients grads);

    // ---------------------------------------------------------------- (IA)³

    /** y = l ⊙ x, l {@code [D]} broadcast over the rows of x {@code [.., D]}. y may alias x. */
    void scaleForward(Tensor x, Tensor l, Tensor y);

    /** dx = l ⊙ dy, dl = Σ_rows dy ⊙ x. dx, dl nullable. */
    void scaleBackward(Tensor dy, Tensor x, Tensor l, Tensor dx, Tensor dl);

    // ---------------------------------------------------------------- BitFit

    /** db = Σ_rows dy. dy {@code [.., D]}, db {@code [D]}. */
    void biasGradient(Tensor dy, Tensor db);

    /**
     * The masked BitFit update, fused: g = Σ_rows dy, then one AdamW step (see {@link AdamW}) on bias[i],
     * m[i], v[i] only where mask[i] ≠ 0 (1 = train); elsewhere all three stay as they are. bias, mask, m, v {@code [D]};
     * db {@code [D]} nullable receives g (for clipping or logging). step ≥ 1.
     */
    void maskedBiasUpdate(Tensor dy, Tensor bias, Tensor mask, Tensor m, Tensor v, AdamW hp, long step, Tensor db);

    // ---------------------------------------------------------------- transformer pieces

    /**
     * y = (x − μ)·rstd ⊙ γ + β per row, μ = mean, rstd = 1/√(var + eps) (biased variance).
     * x, y {@code [.., D]}; γ, β {@code [D]} (β nullable); mean, rstd {@code [rows]} saved.
     */
    void layerNormForward(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor mean, Tensor rstd);

    /**
     * With x̂ = (x − μ)·rstd and ĝ = dy ⊙ γ: dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ ⊙ x̂)),
     * dγ = Σ_rows dy ⊙ x̂, dβ = Σ_rows dy. dx, dγ, dβ nullable.
     */
    void layerNormBackward(Tensor dy, Tensor x, Tensor gamma, Tensor mean, Tensor rstd,
                           Tensor dx, Tensor dGamma, Tensor dBeta);

    /** y = f(x) elementwise; y may alias x. */
    void activationForward(Activation f, Tensor x, Tensor y);

    /** dx = dy ⊙ f'(x); dx may alias dy. */
    void activationBackward(Activation f, Tensor dy, Tensor x, Tensor dx);

    /** y = softmax over the last dimension. y may alias x. */
    void softmaxForward(Tensor x, Tensor y);

    /** dx = y ⊙ (dy − rowsum(dy ⊙ y)). */
    void softmaxBackward(Tensor dy, Tensor y, Tensor dx);

    /** out[i] = table[ids[i]]. table {@code [V,D]}, out {@code [ids.length, D]}. Also gathers rows (CLS pooling). */
    void embeddingForward(Tensor table, int[] ids, Tensor out);

    /** dTable = 0, then dTable[ids[i]] += dOut[i] (scatter-add). */
    void embeddingBackward(Tensor dOut, int[] ids, Tensor dTable);

    /** out[b] = Σ_t mask[b,t]·x[b,t] / max(1, Σ_t mask[b,t]). x {@code [B,T,D]}, mask {@code [B,T]} nullable, out {@code [B,D]}. */
    void meanPoolForward(Tensor x, Tensor mask, Tensor out);

    /** dx[b,t] = mask[b,t]·dOut[b] / max(1, Σ_t mask[b,t]). */
    void meanPoolBackward(Tensor dOut, Tensor mask, Tensor dx);

    /**
     * Inverted dropout with the counter-based hash of {@link DropoutHash}: mask[i] = {@link DropoutHash#keepScale} if
     * uniform(seed, i) ≥ p else 0, y = x ⊙ mask. 0 ≤ p &lt; 1; mask nullable; y may alias x.
     */
    void dropoutForward(Tensor x, float p, long seed, Tensor y, Tensor mask);

    /**
     * probs = softmax(logits) per row and loss[0] = the mean over rows with targets[i] ≠ {@link #IGNORE_INDEX}
     * of −log probs[i, targets[i]] (0 when every row is ignored). logits, probs {@code [N,C]}, loss {@code [1]} on
     * this backend's device: the loss stays there, so a training step need not wait for it.
     */
    void crossEntropyForward(Tensor logits, int[] targets, Tensor probs, Tensor loss);

    /**
     * {@link #crossEntropyForward(Tensor, int[], Tensor, Tensor)} with the loss returned on the host, which on a
     * device backend waits for all the work queued before it.
     */
    default float crossEntropyForward(Tensor logits, int[] targets, Tensor probs) {
        try (Tensor loss = allocate(1)) {
            crossEntropyForward(logits, targets, probs, loss);
            return loss.toArray()[0];
        }
    }

    /**
     * dLogits = scale·(probs − onehot(targets))/count, count = rows not ignored; ignored rows get 0.
     * scale multiplies the loss (1, or 1/accumulation steps).
     */
    void crossEntropyBackward(Tensor probs, int[] targets, float scale, Tensor dLogits);

    // ---------------------------------------------------------------- optimisation

    /** One AdamW step (see {@link AdamW}) on each params[i] with grads[i], state m[i], v[i]; step ≥ 1. */
    void adamW(Tensor[] params, Tensor[] grads, Tensor[] m, Tensor[] v, AdamW hp, long step);

    /**
     * Global gradient-norm clipping: n = √(Σ_i ‖grads[i]‖²); if n &gt; maxNorm, every gradient is scaled by
     * maxNorm/(n + 1e-6). norm[0] = n, the norm before clipping, written on this backend's device (decided and
     * applied there: no host round trip).
     */
    void clipGradNorm(Tensor[] grads, float maxNorm, Tensor norm);

    /** {@link #clipGradNorm(Tensor[], float, Tensor)} returning n on the host (a device backend waits for it). */
    default float clipGradNorm(Tensor[] grads, float maxNorm) {
        try (Tensor norm = allocate(1)) {
            clipGradNorm(grads, maxNorm, norm);
            return norm.toArray()[0];
        }
    }

    /** Releases what the backend holds (streams, handles, workspaces); tensors it made stay the caller's to close. */
    @Override
    default void close() {}
}
