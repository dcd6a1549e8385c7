/*
 * peft4j.h - the whole C ABI of the peft4j native (CUDA) library.
 *
 * Conventions:
 *  - Row-major float32 tensors; device pointers are plain float*; sizes are int64_t element counts.
 *  - A stream is a cudaStream_t passed as void* (NULL = the legacy default stream).
 *  - Every function returns an int status: PEFT4J_OK (0) or an error code; peft4j_status_string(status)
 *    gives its message. CUDA runtime errors are returned as PEFT4J_ERROR_CUDA_BASE + cudaError_t.
 *  - Arguments are validated before any CUDA call is made, so a bad call never launches a kernel.
 */
#ifndef PEFT4J_H
#define PEFT4J_H

#include <stdint.h>

#if defined(_WIN32)
#define PEFT4J_API __declspec(dllexport)
#else
#define PEFT4J_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define PEFT4J_OK 0
#define PEFT4J_ERROR_NULL_POINTER 1   /* a required pointer argument is NULL */
#define PEFT4J_ERROR_NEGATIVE_SIZE 2  /* a size argument is negative */
#define PEFT4J_ERROR_RANK 3           /* the LoRA rank r is < 1 */
#define PEFT4J_ERROR_TOO_LARGE 4      /* the problem exceeds the launch grid this library supports */
#define PEFT4J_ERROR_NO_DRIVER 5      /* libcuda.so.1 (the CUDA driver) cannot be loaded */
#define PEFT4J_ERROR_OVERFLOW 6       /* a product of sizes (an element count) does not fit in int64 */
#define PEFT4J_ERROR_ZERO_WIDTH 7     /* rows > 0 but the reduced dimension (layer norm D, classes C) is 0 */
#define PEFT4J_ERROR_ACTIVATION 8     /* the activation code is not one of PEFT4J_ACTIVATION_* */
#define PEFT4J_ERROR_NOT_FINITE 9     /* a float argument that must be finite is NaN or infinite */
#define PEFT4J_ERROR_OUT_OF_RANGE 10  /* a scalar argument lies outside its documented range */
#define PEFT4J_ERROR_STEP 11          /* the optimiser step is < 1 */
#define PEFT4J_ERROR_CUDA_BASE 1000   /* status = PEFT4J_ERROR_CUDA_BASE + cudaError_t */

/* The message for a status; never NULL, static storage. */
PEFT4J_API const char* peft4j_status_string(int status);

/* *count = the number of CUDA devices. Fails with PEFT4J_ERROR_NO_DRIVER when there is no driver. */
PEFT4J_API int peft4j_device_count(int* count);

/* *ptr = a new device buffer of count floats (NULL when count is 0). */
PEFT4J_API int peft4j_device_alloc(float** ptr, int64_t count);

/* Frees a buffer from peft4j_device_alloc; NULL is a no-op. */
PEFT4J_API int peft4j_device_free(float* ptr);

/* Synchronous copies of count floats between host and device. */
PEFT4J_API int peft4j_copy_to_device(float* device_dst, const float* host_src, int64_t count);
PEFT4J_API int peft4j_copy_to_host(float* host_dst, const float* device_src, int64_t count);

/* Synchronous copy of bytes raw bytes from host to device: int32 targets, device arrays of pointers and sizes
 * (a buffer from peft4j_device_alloc of ceil(bytes / 4) floats holds them). */
PEFT4J_API int peft4j_copy_bytes_to_device(void* device_dst, const void* host_src, int64_t bytes);

/* Waits until all work queued on stream (NULL = default stream) is done; reports errors of that work. */
PEFT4J_API int peft4j_synchronize(void* stream);

/*
 * *stream = a new CUDA stream for one backend instance's kernels (cudaStreamCreate: a blocking stream, so the
 * synchronous copies above, on the legacy default stream, wait for its work). Destroy it with
 * peft4j_stream_destroy (NULL is a no-op).
 */
PEFT4J_API int peft4j_stream_create(void** stream);
PEFT4J_API int peft4j_stream_destroy(void* stream);

/*
 * Uploads of a step's inputs (token ids, targets) that do not wait for the stream's queued work, as the synchronous
 * copies above do. *staging = bytes of pinned host memory (cudaMallocHost; NULL when bytes is 0), freed by
 * peft4j_host_free_pinned (NULL is a no-op). *event = a CUDA event without timing, destroyed by
 * peft4j_event_destroy (NULL is a no-op).
 */
PEFT4J_API int peft4j_host_alloc_pinned(void** staging, int64_t bytes);
PEFT4J_API int peft4j_host_free_pinned(void* staging);
PEFT4J_API int peft4j_event_create(void** event);
PEFT4J_API int peft4j_event_destroy(void* event);

/*
 * Queues a copy of bytes from pinned host memory (peft4j_host_alloc_pinned) to the device on stream, then records
 * event on stream: kernels queued after it see the data, and the staging bytes may be rewritten once
 * peft4j_event_synchronize(event) has returned.
 */
PEFT4J_API int peft4j_copy_to_device_async(void* device_dst, const void* pinned_src, int64_t bytes, void* event,
                                           void* stream);

/* Waits until the work before the event's last record is done (at once when it was never recorded). */
PEFT4J_API int peft4j_event_synchronize(void* event);

/*
 * Fused LoRA linear forward, asynchronous on stream:
 *   x~ = x (.) drop_mask  (x~ = x when drop_mask is NULL; the mask applies to the LoRA path only)
 *   u  = x~ A^T                         u [n, r]   (saved for the backward)
 *   y  = x W^T + bias + s * u B^T       y [n, out]
 * x [n, in], w [out, in], bias [out] or NULL, a [r, in], b [out, r], drop_mask [n, in] or NULL.
 * n, in, out >= 0, r >= 1. y and u must not alias any input. A pointer may be NULL only where its array has
 * no elements (e.g. x and a when in = 0); bias and drop_mask may always be NULL.
 */
PEFT4J_API int peft4j_lora_forward(const float* x, const float* w, const float* bias, const float* a,
                                   const float* b, float s, const float* drop_mask, float* y, float* u,
                                   int64_t n, int64_t in, int64_t out, int64_t r, void* stream);

/*
 * Layer norm over the last dimension, asynchronous on stream. Per row of x [rows, dim]:
 *   mean = sum(x)/dim,  var = sum((x - mean)^2)/dim (biased),  rstd = 1/sqrt(var + eps)
 *   y = (x - mean) * rstd * gamma + beta
 * gamma [dim], beta [dim] or NULL, y [rows, dim]; mean, rstd [rows] are saved for the backward.
 * eps > 0 and finite; dim >= 1 when rows > 0. y must not alias x.
 */
PEFT4J_API int peft4j_layer_norm_forward(const float* x, const float* gamma, const float* beta, float eps,
                                         float* y, float* mean, float* rstd, int64_t rows, int64_t dim,
                                         void* stream);

/*
 * Layer norm backward from the saved mean and rstd. With x^ = (x - mean) * rstd and g^ = dy * gamma:
 *   dx = rstd * (g^ - mean(g^) - x^ * mean(g^ * x^))   (row means over dim)
 *   dgamma = sum_rows dy * x^,  dbeta = sum_rows dy
 * dy, x, dx [rows, dim]; gamma, dgamma, dbeta [dim]; mean, rstd [rows]. dx, dgamma, dbeta may be NULL (not
 * computed). Outputs are overwritten (rows = 0 gives dgamma = dbeta = 0).
 */
PEFT4J_API int peft4j_layer_norm_backward(const float* dy, const float* x, const float* gamma, const float* mean,
                                          const float* rstd, float* dx, float* dgamma, float* dbeta,
                                          int64_t rows, int64_t dim, void* stream);

/* Activation codes: the ordinals of dev.peft4j.backend.Activation. */
#define PEFT4J_ACTIVATION_IDENTITY 0  /* f(z) = z */
#define PEFT4J_ACTIVATION_RELU 1      /* f(z) = max(z, 0), f'(0) = 0 */
#define PEFT4J_ACTIVATION_GELU 2      /* f(z) = z * Phi(z) = z/2 * (1 + erf(z/sqrt 2)) */
#define PEFT4J_ACTIVATION_GELU_TANH 3 /* f(z) = z/2 * (1 + tanh(sqrt(2/pi) * (z + 0.044715 z^3))) */
#define PEFT4J_ACTIVATION_SWISH 4     /* f(z) = z * sigmoid(z) */
#define PEFT4J_ACTIVATION_TANH 5      /* f(z) = tanh(z) */

/* y = f(x) elementwise over count floats; y may alias x. */
PEFT4J_API int peft4j_activation_forward(int activation, const float* x, float* y, int64_t count, void* stream);

/* dx = dy * f'(x) elementwise over count floats; dx may alias dy. */
PEFT4J_API int peft4j_activation_backward(int activation, const float* dy, const float* x, float* dx,
                                          int64_t count, void* stream);

/*
 * Row softmax over the last dimension: y = exp(x - max) / sum exp(x - max) per row of x [rows, cols].
 * y [rows, cols] may alias x.
 */
PEFT4J_API int peft4j_softmax_forward(const float* x, float* y, int64_t rows, int64_t cols, void* stream);

/* Softmax backward: dx = y * (dy - rowsum(dy * y)); dy, y, dx [rows, cols]; dx may alias dy or y. */
PEFT4J_API int peft4j_softmax_backward(const float* dy, const float* y, float* dx, int64_t rows, int64_t cols,
                                       void* stream);

/* Targets equal to this are ignored by the cross-entropy (dev.peft4j.backend.Backend.IGNORE_INDEX). */
#define PEFT4J_IGNORE_INDEX (-100)

/*
 * Softmax cross-entropy forward, entirely on the device (no host round trip):
 *   probs = softmax(logits) per row (ignored rows too)
 *   row_loss[i] = log sum_c exp(logits[i, c]) - logits[i, targets[i]]   (0 where targets[i] = ignore index)
 *   loss[0] = sum of row_loss over the counted rows / their count         (0 when every row is ignored)
 * logits, probs [n, c]; targets [n] int32 on the device, each in [0, c) or PEFT4J_IGNORE_INDEX (another value
 * is never used as an index: it makes its row_loss and the loss NaN); row_loss [n]; loss [1], a device float.
 * c >= 1 when n > 0. probs must not alias logits.
 */
PEFT4J_API int peft4j_cross_entropy_forward(const float* logits, const int32_t* targets, float* probs,
                                            float* row_loss, float* loss, int64_t n, int64_t c, void* stream);

/*
 * Cross-entropy backward: dlogits = scale * (probs - onehot(targets)) / count, count = the rows whose target is
 * not the ignore index (counted on the device); ignored rows get 0 (a target outside [0, c): NaN).
 * probs, dlogits [n, c]; targets [n] int32 on the device; scale finite (1, or 1/accumulation steps).
 */
PEFT4J_API int peft4j_cross_entropy_backward(const float* probs, const int32_t* targets, float scale,
                                             float* dlogits, int64_t n, int64_t c, void* stream);

/*
 * AdamW (decoupled weight decay) on many tensors in one launch. For every tensor i < tensors, element j <
 * sizes[i], with theta = params[i][j], g = grads[i][j] and the state m[i][j], v[i][j]:
 *   m <- beta1 m + (1 - beta1) g,  v <- beta2 v + (1 - beta2) g^2
 *   theta <- theta - lr (m / (1 - beta1^step) / (sqrt(v / (1 - beta2^step)) + eps) + weight_decay theta)
 * params, grads, m, v: DEVICE arrays of `tensors` device pointers; sizes: a DEVICE array of int64 counts
 * (upload them once with peft4j_copy_bytes_to_device; they stay valid while the tensors live). max_size: the
 * largest sizes[i] (host value; sizes the grid). The arrays' contents are not validated on the host: an entry
 * with a NULL pointer or a size <= 0 is skipped. Hyper-parameters as dev.peft4j.backend.AdamW: all finite
 * (else PEFT4J_ERROR_NOT_FINITE), lr >= 0, 0 <= beta < 1, eps > 0, weight_decay >= 0 (else
 * PEFT4J_ERROR_OUT_OF_RANGE); step >= 1 (else PEFT4J_ERROR_STEP). Tensors must not overlap.
 */
PEFT4J_API int peft4j_adamw(float* const* params, const float* const* grads, float* const* m, float* const* v,
                            const int64_t* sizes, int64_t tensors, int64_t max_size, float lr, float beta1,
                            float beta2, float eps, float weight_decay, int64_t step, void* stream);

/* Floats of the partials workspace of peft4j_clip_grad_norm per tensor. */
#define PEFT4J_GRAD_NORM_PARTIALS_PER_TENSOR 128

/*
 * Global gradient-norm clipping on the device, no host round trip:
 *   n = sqrt(sum_i ||grads[i]||^2);  norm[0] = n;  if n > max_norm, every grads[i] *= max_norm / (n + 1e-6)
 * grads: a DEVICE array of `tensors` device pointers, sizes a DEVICE array of int64 counts, max_size the largest
 * (as for peft4j_adamw). partials: a device workspace of tensors * PEFT4J_GRAD_NORM_PARTIALS_PER_TENSOR floats.
 * norm: one device float (written even when tensors = 0: n = 0). max_norm finite and > 0. Deterministic.
 */
PEFT4J_API int peft4j_clip_grad_norm(float* const* grads, const int64_t* sizes, int64_t tensors, int64_t max_size,
                                     float max_norm, float* partials, float* norm, void* stream);

/* BitFit bias gradient: db = sum_rows dy; dy [rows, dim], db [dim] (rows = 0 gives db = 0). */
PEFT4J_API int peft4j_bias_gradient(const float* dy, float* db, int64_t rows, int64_t dim, void* stream);

/*
 * The masked BitFit update, fused in one launch: g = sum_rows dy (written to db when db is not NULL), then one
 * AdamW step (as peft4j_adamw) on bias[c], m[c], v[c] only where mask[c] != 0; elsewhere all three are left as
 * they are. dy [rows, dim]; bias, mask, m, v, db [dim]. Hyper-parameters and step checked as for peft4j_adamw.
 */
PEFT4J_API int peft4j_masked_bias_update(const float* dy, float* bias, const float* mask, float* m, float* v,
                                         float* db, int64_t rows, int64_t dim, float lr, float beta1, float beta2,
                                         float eps, float weight_decay, int64_t step, void* stream);

/* (IA)^3 scaling: y = l * x with l [dim] broadcast over the rows of x [rows, dim]; y may alias x. */
PEFT4J_API int peft4j_scale_forward(const float* x, const float* l, float* y, int64_t rows, int64_t dim,
                                    void* stream);

/* (IA)^3 backward: dx = l * dy, dl = sum_rows dy * x; dx [rows, dim] and dl [dim] may be NULL (not computed). */
PEFT4J_API int peft4j_scale_backward(const float* dy, const float* x, const float* l, float* dx, float* dl,
                                     int64_t rows, int64_t dim, void* stream);

/*
 * Fused LoRA linear backward, asynchronous on stream (shapes as in peft4j_lora_forward; u is its saved output):
 *   g  = dy B                          g [n, r]     (the rank-r intermediate, written to the workspace g)
 *   dB = s * dy^T u                    db [out, r]
 *   dA = s * g^T x~,  x~ = x (.) mask  da [r, in]
 *   dx = dy W + s * (g A) (.) mask     dx [n, in]   (mask NULL: no mask)
 * dy [n, out]. dx, da, db may be NULL (not computed); g may be NULL only when dx and da are; x only when da is,
 * w and a only when dx is, u only when db is. s finite. Outputs must not alias inputs or each other. n = 0
 * writes zeros to da and db.
 */
PEFT4J_API int peft4j_lora_backward(const float* dy, const float* x, const float* w, const float* a, const float* b,
                                    const float* u, float s, const float* drop_mask, float* dx, float* da, float* db,
                                    float* g, int64_t n, int64_t in, int64_t out, int64_t r, void* stream);

/*
 * The low-rank half of a LoRA linear forward, for a base product computed elsewhere (cuBLAS, or
 * peft4j_linear_forward), asynchronous on stream:
 *   x~ = x (.) drop_mask               (x~ = x when drop_mask is NULL)
 *   u  = x~ A^T                        u [n, r]   (saved for peft4j_lora_backward)
 *   y  = y + s * u B^T                 y [n, out] holds x W^T + bias on entry; read once and written once
 * So base + this = peft4j_lora_forward. x [n, in], a [r, in], b [out, r], drop_mask [n, in] or NULL.
 * n, in, out >= 0, r >= 1 (else PEFT4J_ERROR_RANK); s finite (else PEFT4J_ERROR_NOT_FINITE). Two launches: the
 * shrink (each u element one thread's fixed-order fp32 sum over in) and the expand (each y element one read,
 * one fused update). y and u must not alias any input or each other. A pointer may be NULL only where its array
 * has no elements; drop_mask may always be NULL.
 */
PEFT4J_API int peft4j_lora_low_rank_forward(const float* x, const float* a, const float* b, float s,
                                            const float* drop_mask, float* y, float* u, int64_t n, int64_t in,
                                            int64_t out, int64_t r, void* stream);

/* ---- Elementwise, over count >= 0 elements, asynchronous on stream ---- */

/* x[i] = value (any float, NaN included). */
PEFT4J_API int peft4j_fill(float* x, float value, int64_t count, void* stream);

/* dst[i] = src[i], device to device; dst may equal src but must not overlap it otherwise. */
PEFT4J_API int peft4j_copy(const float* src, float* dst, int64_t count, void* stream);

/* out[i] = a[i] + b[i]; out may alias a or b. */
PEFT4J_API int peft4j_add(const float* a, const float* b, float* out, int64_t count, void* stream);

/* out[i] = a[i] * b[i]; out may alias a or b. */
PEFT4J_API int peft4j_mul(const float* a, const float* b, float* out, int64_t count, void* stream);

/* y[i] = y[i] + alpha * x[i] (one fused multiply-add); alpha finite (else PEFT4J_ERROR_NOT_FINITE); y != x. */
PEFT4J_API int peft4j_axpy(float alpha, const float* x, float* y, int64_t count, void* stream);

/* ---- Embedding rows (also the gather of CLS pooling) ---- */

/*
 * out[i, :] = table[ids[i], :] for i < n: table [vocab, dim], ids int32 [n] on the device, out [n, dim].
 * The ids are not read on the host: one outside [0, vocab) gives a row of NaN (the Java side rejects such ids
 * before they get here).
 */
PEFT4J_API int peft4j_embedding_forward(const float* table, const int32_t* ids, float* out, int64_t n, int64_t vocab,
                                        int64_t dim, void* stream);

/*
 * d_table = 0, then d_table[ids[i], :] += d_out[i, :] for i < n, deterministically (no atomics): the caller groups
 * the positions by id, as CSR on the device, int32: for k < groups, rows[k] is a distinct id in [0, vocab) and
 * positions[offsets[k] .. offsets[k+1]) the i with ids[i] = rows[k] in ascending order (offsets [groups + 1],
 * offsets[0] = 0, offsets[groups] = n, positions [n]; offsets may be NULL when groups = 0). Each touched row is
 * summed in that order in float64 and rounded once. A row id outside [0, vocab) is skipped. d_out [n, dim],
 * d_table [vocab, dim].
 */
PEFT4J_API int peft4j_embedding_backward(const float* d_out, const int32_t* rows, const int32_t* offsets,
                                         const int32_t* positions, float* d_table, int64_t groups, int64_t n,
                                         int64_t vocab, int64_t dim, void* stream);

/* ---- Mean pooling over the sequence ---- */

/*
 * out[b, e] = sum_t mask[b, t] * x[b, t, e] / max(1, sum_t mask[b, t]), sums in float64.
 * x [batch, seq, dim], mask [batch, seq] or NULL (every position counts), out [batch, dim].
 */
PEFT4J_API int peft4j_mean_pool_forward(const float* x, const float* mask, float* out, int64_t batch, int64_t seq,
                                        int64_t dim, void* stream);

/* dx[b, t, e] = mask[b, t] * d_out[b, e] / max(1, sum_t mask[b, t]) (the weight in float64, rounded once). */
PEFT4J_API int peft4j_mean_pool_backward(const float* d_out, const float* mask, float* dx, int64_t batch, int64_t seq,
                                         int64_t dim, void* stream);

/* ---- Dropout ---- */

/*
 * Inverted dropout with the counter-based hash of dev.peft4j.backend.DropoutHash, the same mask bit for bit as
 * the Java backends. For the flat index i:
 *   z = seed + (i + 1) * 0x9E3779B97F4A7C15 (mod 2^64), then the SplitMix64 finaliser
 *   z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9; z = (z ^ (z >> 27)) * 0x94D049BB133111EB; z = z ^ (z >> 31)
 *   uniform = (z >> 40) * 2^-24 (a float in [0, 1));  mask[i] = uniform >= p ? (float)(1 / (1 - p)) : 0
 *   y[i] = x[i] * mask[i]
 * 0 <= p < 1 (else PEFT4J_ERROR_OUT_OF_RANGE; NaN: PEFT4J_ERROR_NOT_FINITE). mask may be NULL; y may alias x.
 */
PEFT4J_API int peft4j_dropout_forward(const float* x, float p, int64_t seed, float* y, float* mask, int64_t count,
                                      void* stream);

/* ---- Multi-head attention with prefix keys/values (flash-style) ---- */

/*
 * Shapes: q, k, v, out [batch, seq, width] with width = heads * dh (head h in columns [h*dh, (h+1)*dh));
 * prefix_k, prefix_v [prefix_len, width] shared by the batch, both NULL when prefix_len = 0; key_mask
 * [batch, seq] (1 = attend, 0 = padding) or NULL; lse [batch, heads, seq]. width must be a positive multiple
 * of heads >= 1 (else PEFT4J_ERROR_OUT_OF_RANGE); dh <= 128 and batch * heads <= 65535 (else
 * PEFT4J_ERROR_TOO_LARGE).
 * For query t of batch b and head h the keys are the prefix_len prefix positions (always visible), then the
 * seq positions j with key_mask[b, j] != 0 (and j <= t when causal != 0):
 *   s_j = q_t . key_j / sqrt(dh),  lse_t = log sum_j e^(s_j),  out_t = sum_j e^(s_j - lse_t) value_j
 * A query with no visible key gets out_t = 0 and lse_t = -inf. Tiles of keys/values in shared memory, online
 * softmax in registers: the scores are never stored.
 */
PEFT4J_API int peft4j_attention_forward(const float* q, const float* k, const float* v, const float* prefix_k,
                                        const float* prefix_v, const float* key_mask, int causal, float* out,
                                        float* lse, int64_t batch, int64_t seq, int64_t width, int64_t heads,
                                        int64_t prefix_len, void* stream);

/* The floats of workspace peft4j_attention_backward needs: batch*heads*seq + 2*batch*prefix_len*width. */
PEFT4J_API int peft4j_attention_backward_workspace(int64_t batch, int64_t seq, int64_t width, int64_t heads,
                                                   int64_t prefix_len, int64_t* floats);

/*
 * Gradients of peft4j_attention_forward (same shapes; out and lse are its saved outputs), probabilities
 * recomputed from lse: p_j = e^(s_j - lse_t), dp_j = d_out_t . value_j, delta_t = d_out_t . out_t,
 * ds_j = p_j (dp_j - delta_t) / sqrt(dh);  dq_t = sum_j ds_j key_j,  dkey_j = sum_t ds_j q_t,
 * dvalue_j = sum_t p_j d_out_t. d_prefix_k, d_prefix_v [prefix_len, width] sum over the batch (in batch order,
 * float64: deterministic, no atomics). dq, dk, dv, d_prefix_k, d_prefix_v may be NULL (not computed); a query
 * with lse = -inf contributes nothing. workspace: peft4j_attention_backward_workspace floats.
 */
PEFT4J_API int peft4j_attention_backward(const float* d_out, const float* q, const float* k, const float* v,
                                         const float* prefix_k, const float* prefix_v, const float* key_mask,
                                         int causal, const float* out, const float* lse, float* dq, float* dk,
                                         float* dv, float* d_prefix_k, float* d_prefix_v, float* workspace,
                                         int64_t batch, int64_t seq, int64_t width, int64_t heads,
                                         int64_t prefix_len, void* stream);

/* ---- Adapter bottleneck (serial and parallel adapters) ---- */

/*
 * z = x W_d^T + b_d (saved for the backward), y = residual + s * (f(z) W_u^T + b_u), asynchronous on stream.
 * x, residual, y [n, d]; w_down [m, d], b_down [m] or NULL; w_up [d, m], b_up [d] or NULL; z [n, m];
 * activation a PEFT4J_ACTIVATION_* code; s finite. f is applied as the up projection loads z (h = f(z) is never
 * stored). y may alias residual when residual is not x (a parallel adapter adding into the sublayer output);
 * a serial adapter (x = residual) needs a separate y.
 */
PEFT4J_API int peft4j_adapter_forward(const float* x, const float* residual, const float* w_down, const float* b_down,
                                      const float* w_up, const float* b_up, int activation, float s, float* y,
                                      float* z, int64_t n, int64_t d, int64_t m, void* stream);

/* The floats of workspace peft4j_adapter_backward needs: n*m, or with d_scale about n*m + n*d + 2*d. */
PEFT4J_API int peft4j_adapter_backward_workspace(int64_t n, int64_t d, int64_t m, int with_scale, int64_t* floats);

/*
 * Gradients of peft4j_adapter_forward, with h = f(z), dh = s dy W_u, dz = dh (.) f'(z) (kept in the workspace):
 *   dW_u = s dy^T h,  db_u = s sum_rows dy,  dW_d = dz^T x,  db_d = sum_rows dz,  dx = dz W_d
 *   (dx is the adapter path only: the residual's gradient is dy itself, which the caller adds)
 *   d_scale [1] = sum dy (.) (h W_u^T + b_u), for a learned scale.
 * dx [n, d], dw_down [m, d], db_down [m], dw_up [d, m], db_up [d], d_scale [1]: each may be NULL (not computed);
 * b_up may be NULL (zero). Column sums in float64 (deterministic). workspace: peft4j_adapter_backward_workspace
 * floats (with_scale = d_scale != NULL).
 */
PEFT4J_API int peft4j_adapter_backward(const float* dy, const float* x, const float* w_down, const float* w_up,
                                       const float* b_up, int activation, float s, const float* z, float* dx,
                                       float* dw_down, float* db_down, float* dw_up, float* db_up, float* d_scale,
                                       float* workspace, int64_t n, int64_t d, int64_t m, void* stream);

/* ---- Matrix products (tiled CUDA-core kernels; the Java backend uses cuBLAS instead unless told otherwise) ---- */

/*
 * C = alpha op(A) op(B) + beta C for each of batch products (op(X) = X^T when trans_x != 0), row-major:
 * op(A) [m, k] (A stored [m, k], or [k, m] when transposed), op(B) [k, n], C [m, n]; batch index p at offsets
 * p*m*k, p*k*n, p*m*n. alpha, beta finite; beta = 0 never reads C (NaN in C does not propagate).
 */
PEFT4J_API int peft4j_gemm(const float* a, int trans_a, const float* b, int trans_b, float* c, float alpha, float beta,
                           int64_t batch, int64_t m, int64_t n, int64_t k, void* stream);

/* y = x W^T + bias: x [n, in], w [out, in], bias [out] or NULL, y [n, out]. */
PEFT4J_API int peft4j_linear_forward(const float* x, const float* w, const float* bias, float* y, int64_t n, int64_t in,
                                     int64_t out, void* stream);

/* dx = dy W [n, in], dw = dy^T x [out, in], db = sum_rows dy [out] (float64 column sums); each may be NULL. */
PEFT4J_API int peft4j_linear_backward(const float* dy, const float* x, const float* w, float* dx, float* dw, float* db,
                                      int64_t n, int64_t in, int64_t out, void* stream);

/* ---- Mixed-adapter LoRA for inference (SGMV) ---- */

/*
 * Different LoRA adapters for different rows of one batch, added to the base product already in y:
 *   for each row i with a = adapter_of[i] in [0, adapters):  y[i, :] += scales[a] * (x[i, :] A_a^T) B_a^T
 * x [n, in]; a [adapters, r, in] and b [adapters, out, r] (the adapters' A and B stacked); scales [adapters];
 * adapter_of int32 [n] on the device (-1 or any id outside the stack: the row keeps its base product);
 * y [n, out], updated in place. 1 <= r <= 128 (else PEFT4J_ERROR_RANK / PEFT4J_ERROR_TOO_LARGE).
 */
PEFT4J_API int peft4j_sgmv_lora(const float* x, const float* a, const float* b, const float* scales,
                                const int32_t* adapter_of, float* y, int64_t n, int64_t in, int64_t out, int64_t r,
                                int64_t adapters, void* stream);

#ifdef __cplusplus
}
#endif

#endif /* PEFT4J_H */
