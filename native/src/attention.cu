// Multi-head attention with prefix keys/values, flash-style (DESIGN.md section 2). For query t of batch b and
// head h, over the L prefix keys (always visible) and the visible sequence keys j (key_mask, causal):
//   s_j = q_t . key_j / sqrt(dh),  m = max_j s_j,  l = sum_j e^(s_j - m),  out_t = sum_j e^(s_j - m) value_j / l,
//   lse_t = m + log l   (no visible key: out_t = 0, lse_t = -inf)
// Forward: one thread per query keeps q_t, m, l and the output row in registers; the block streams tiles of
// keys/values through shared memory (prefix tiles first, then the sequence) and updates m, l and the row online
// (rescaling by e^(m_old - m_new) when the maximum grows). The scores are never stored.
// Backward, with p_j = e^(s_j - lse_t) recomputed, delta_t = d_out_t . out_t, ds_j = p_j (d_out_t . value_j -
// delta_t) / sqrt(dh):
//   dq_t = sum_j ds_j key_j                 one thread per query, keys streamed (also writes delta_t)
//   dkey_j = sum_t ds_j q_t, dvalue_j = sum_t p_j d_out_t   one thread per key, queries streamed
// Derivation: softmax backward ds = p (dp - sum_i p_i dp_i), sum_i p_i dp_i = d_out . out; s is bilinear in q
// and key. Prefix keys are shared by the batch: each batch row writes its own partial gradient to the
// workspace and a last kernel sums them in batch order (float64), so nothing uses atomics.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

#include "checks.h"
#include "cuda_status.h"
#include "elementwise_launch.cuh"
#include "peft4j.h"

namespace peft4j {
namespace {

constexpr int kRows = 64;  // queries (forward, dq) or keys (dkv) per block, one per thread
constexpr int kTile = 32;  // keys (forward, dq) or queries (dkv) per shared-memory tile

struct Shape {
    int64_t batch, seq, width, heads, dh, prefix;
    float scale;  // 1/sqrt(dh)
    bool causal;
};

struct Inputs {
    const float* q;
    const float* k;
    const float* v;
    const float* pk;
    const float* pv;
    const float* mask;
};

// Offset of head h's columns in row r of a [rows, width] matrix.
__device__ inline int64_t at(const Shape& s, int64_t row, int64_t h) { return row * s.width + h * s.dh; }

// Key j of [prefix; sequence] for batch b, head h: the offset into pk/pv (j < prefix) or k/v.
__device__ inline const float* key_row(const Shape& s, const float* prefix, const float* seq_rows, int64_t b,
                                       int64_t h, int64_t j) {
    return j < s.prefix ? prefix + at(s, j, h) : seq_rows + at(s, b * s.seq + (j - s.prefix), h);
}

// Whether key j is visible to query t (ignoring the query's own validity).
__device__ inline bool visible(const Shape& s, const Inputs& in, int64_t b, int64_t j, int64_t t) {
    if (j < s.prefix) return true;
    const int64_t tau = j - s.prefix;
    if (in.mask != nullptr && in.mask[b * s.seq + tau] == 0.0f) return false;
    return !s.causal || tau <= t;
}

// Loads keys/values [j0, j0 + kTile) of head h into shared memory (rows beyond the last key left unused).
template <int MAXD>
__device__ void load_key_tile(const Shape& s, const Inputs& in, int64_t b, int64_t h, int64_t j0,
                              float (*ks)[MAXD], float (*vs)[MAXD]) {
    const int64_t keys = s.prefix + s.seq;
    for (int64_t i = threadIdx.x; i < kTile * s.dh; i += blockDim.x) {
        const int64_t jj = i / s.dh, e = i % s.dh, j = j0 + jj;
        if (j < keys) {
            ks[jj][e] = key_row(s, in.pk, in.k, b, h, j)[e];
            vs[jj][e] = key_row(s, in.pv, in.v, b, h, j)[e];
        }
    }
}

template <int MAXD>
__global__ void attention_forward_kernel(Shape s, Inputs in, float* out, float* lse) {
    __shared__ float ks[kTile][MAXD];
    __shared__ float vs[kTile][MAXD];
    const int64_t b = blockIdx.y / s.heads, h = blockIdx.y % s.heads;
    const int64_t t = static_cast<int64_t>(blockIdx.x) * kRows + threadIdx.x;
    const bool active = t < s.seq;
    float qr[MAXD], acc[MAXD];
    for (int e = 0; e < MAXD; ++e) {
        qr[e] = active && e < s.dh ? in.q[at(s, b * s.seq + t, h) + e] : 0.0f;
        acc[e] = 0.0f;
    }
    float m = -INFINITY, l = 0.0f;
    const int64_t keys = s.prefix + s.seq;
    for (int64_t j0 = 0; j0 < keys; j0 += kTile) {
        __syncthreads();
        load_key_tile<MAXD>(s, in, b, h, j0, ks, vs);
        __syncthreads();
        if (!active) continue;
        const int64_t n = keys - j0 < kTile ? keys - j0 : kTile;
        for (int64_t jj = 0; jj < n; ++jj) {
            if (!visible(s, in, b, j0 + jj, t)) continue;
            float dot = 0.0f;
            for (int e = 0; e < MAXD; ++e) {
                if (e < s.dh) dot = fmaf(qr[e], ks[jj][e], dot);
            }
            const float score = dot * s.scale;
            if (score > m) {
                const float correction = expf(m - score);  // 0 while m = -inf
                l *= correction;
                for (int e = 0; e < MAXD; ++e) acc[e] *= correction;
                m = score;
            }
            const float p = expf(score - m);
            l += p;
            for (int e = 0; e < MAXD; ++e) {
                if (e < s.dh) acc[e] = fmaf(p, vs[jj][e], acc[e]);
            }
        }
    }
    if (!active) return;
    float* o = out + at(s, b * s.seq + t, h);
    const int64_t li = (b * s.heads + h) * s.seq + t;
    if (l == 0.0f) {
        for (int64_t e = 0; e < s.dh; ++e) o[e] = 0.0f;
        lse[li] = -INFINITY;
        return;
    }
    for (int64_t e = 0; e < s.dh; ++e) o[e] = acc[e] / l;
    lse[li] = m + logf(l);
}

// dq (when dq != NULL) and delta_t = d_out_t . out_t (0 for a query with lse = -inf) into delta [B, H, T].
template <int MAXD>
__global__ void attention_dq_kernel(Shape s, Inputs in, const float* d_out, const float* out, const float* lse,
                                    float* dq, float* delta) {
    __shared__ float ks[kTile][MAXD];
    __shared__ float vs[kTile][MAXD];
    const int64_t b = blockIdx.y / s.heads, h = blockIdx.y % s.heads;
    const int64_t t = static_cast<int64_t>(blockIdx.x) * kRows + threadIdx.x;
    const int64_t li = (b * s.heads + h) * s.seq + t;
    const float lse_t = t < s.seq ? lse[li] : -INFINITY;
    const bool active = t < s.seq && lse_t != -INFINITY;
    float qr[MAXD], dor[MAXD], acc[MAXD];
    float dlt = 0.0f;
    for (int e = 0; e < MAXD; ++e) {
        const bool in_row = active && e < s.dh;
        qr[e] = in_row ? in.q[at(s, b * s.seq + t, h) + e] : 0.0f;
        dor[e] = in_row ? d_out[at(s, b * s.seq + t, h) + e] : 0.0f;
        if (in_row) dlt = fmaf(dor[e], out[at(s, b * s.seq + t, h) + e], dlt);
        acc[e] = 0.0f;
    }
    const int64_t keys = s.prefix + s.seq;
    for (int64_t j0 = 0; j0 < keys && dq != nullptr; j0 += kTile) {
        __syncthreads();
        load_key_tile<MAXD>(s, in, b, h, j0, ks, vs);
        __syncthreads();
        if (!active) continue;
        const int64_t n = keys - j0 < kTile ? keys - j0 : kTile;
        for (int64_t jj = 0; jj < n; ++jj) {
            if (!visible(s, in, b, j0 + jj, t)) continue;
            float dot = 0.0f, dp = 0.0f;
            for (int e = 0; e < MAXD; ++e) {
                if (e < s.dh) {
                    dot = fmaf(qr[e], ks[jj][e], dot);
                    dp = fmaf(dor[e], vs[jj][e], dp);
                }
            }
            const float p = expf(dot * s.scale - lse_t);
            const float ds = p * (dp - dlt) * s.scale;
            for (int e = 0; e < MAXD; ++e) {
                if (e < s.dh) acc[e] = fmaf(ds, ks[jj][e], acc[e]);
            }
        }
    }
    if (t >= s.seq) return;
    delta[li] = active ? dlt : 0.0f;
    if (dq == nullptr) return;
    float* g = dq + at(s, b * s.seq + t, h);
    for (int64_t e = 0; e < s.dh; ++e) g[e] = acc[e];
}

// One thread per key j of [prefix; sequence]: dkey_j and dvalue_j summed over the queries of batch b. Sequence
// keys go to dk/dv (when not NULL); prefix keys to this batch row's partials [B, L, width] in the workspace.
template <int MAXD>
__global__ void attention_dkv_kernel(Shape s, Inputs in, const float* d_out, const float* lse, const float* delta,
                                     float* dk, float* dv, float* partial_k, float* partial_v) {
    __shared__ float qs[kTile][MAXD];
    __shared__ float ds_rows[kTile][MAXD];
    __shared__ float lse_s[kTile];
    __shared__ float delta_s[kTile];
    const int64_t b = blockIdx.y / s.heads, h = blockIdx.y % s.heads;
    const int64_t j = static_cast<int64_t>(blockIdx.x) * kRows + threadIdx.x;
    const int64_t keys = s.prefix + s.seq;
    const bool active = j < keys;
    float kr[MAXD], vr[MAXD], gk[MAXD], gv[MAXD];
    for (int e = 0; e < MAXD; ++e) {
        const bool in_row = active && e < s.dh;
        kr[e] = in_row ? key_row(s, in.pk, in.k, b, h, j)[e] : 0.0f;
        vr[e] = in_row ? key_row(s, in.pv, in.v, b, h, j)[e] : 0.0f;
        gk[e] = 0.0f;
        gv[e] = 0.0f;
    }
    for (int64_t t0 = 0; t0 < s.seq; t0 += kTile) {
        __syncthreads();
        for (int64_t i = threadIdx.x; i < kTile * s.dh; i += blockDim.x) {
            const int64_t tt = i / s.dh, e = i % s.dh, t = t0 + tt;
            if (t < s.seq) {
                qs[tt][e] = in.q[at(s, b * s.seq + t, h) + e];
                ds_rows[tt][e] = d_out[at(s, b * s.seq + t, h) + e];
            }
        }
        for (int64_t tt = threadIdx.x; tt < kTile; tt += blockDim.x) {
            const int64_t t = t0 + tt;
            lse_s[tt] = t < s.seq ? lse[(b * s.heads + h) * s.seq + t] : -INFINITY;
            delta_s[tt] = t < s.seq ? delta[(b * s.heads + h) * s.seq + t] : 0.0f;
        }
        __syncthreads();
        if (!active) continue;
        const int64_t n = s.seq - t0 < kTile ? s.seq - t0 : kTile;
        for (int64_t tt = 0; tt < n; ++tt) {
            if (lse_s[tt] == -INFINITY || !visible(s, in, b, j, t0 + tt)) continue;
            float dot = 0.0f, dp = 0.0f;
            for (int e = 0; e < MAXD; ++e) {
                if (e < s.dh) {
                    dot = fmaf(qs[tt][e], kr[e], dot);
                    dp = fmaf(ds_rows[tt][e], vr[e], dp);
                }
            }
            const float p = expf(dot * s.scale - lse_s[tt]);
            const float dsc = p * (dp - delta_s[tt]) * s.scale;
            for (int e = 0; e < MAXD; ++e) {
                if (e < s.dh) {
                    gv[e] = fmaf(p, ds_rows[tt][e], gv[e]);
                    gk[e] = fmaf(dsc, qs[tt][e], gk[e]);
                }
            }
        }
    }
    if (!active) return;
    float* tk;
    float* tv;
    if (j < s.prefix) {
        tk = partial_k == nullptr ? nullptr : partial_k + b * s.prefix * s.width + at(s, j, h);
        tv = partial_v == nullptr ? nullptr : partial_v + b * s.prefix * s.width + at(s, j, h);
    } else {
        tk = dk == nullptr ? nullptr : dk + at(s, b * s.seq + (j - s.prefix), h);
        tv = dv == nullptr ? nullptr : dv + at(s, b * s.seq + (j - s.prefix), h);
    }
    for (int64_t e = 0; e < s.dh; ++e) {
        if (tk != nullptr) tk[e] = gk[e];
        if (tv != nullptr) tv[e] = gv[e];
    }
}

// d_prefix[i] = sum_b partial[b, i] in batch order, float64, over i < prefix_len * width.
__global__ void prefix_sum_kernel(const float* partial, float* d_prefix, int64_t batch, int64_t count) {
    for (int64_t i = grid_stride_start(); i < count; i += grid_stride()) {
        double sum = 0;
        for (int64_t b = 0; b < batch; ++b) sum += partial[b * count + i];
        d_prefix[i] = static_cast<float>(sum);
    }
}

// The checks shared by forward and backward; fills shape.
int check_shape(int64_t batch, int64_t seq, int64_t width, int64_t heads, int64_t prefix_len, int causal,
                Shape* shape) {
    if (any_negative({batch, seq, width, prefix_len})) return PEFT4J_ERROR_NEGATIVE_SIZE;
    if (heads < 1 || width < heads || width % heads != 0) return PEFT4J_ERROR_OUT_OF_RANGE;  // dh >= 1
    if (product_overflows(batch, seq) || product_overflows(batch * seq, width) ||
        product_overflows(prefix_len, width) || product_overflows(batch, heads) ||
        product_overflows(batch * heads, seq) || product_overflows(batch * prefix_len, width)) {
        return PEFT4J_ERROR_OVERFLOW;
    }
    const int64_t dh = width / heads;
    if (dh > 128 || batch * heads > 65535 || (prefix_len + seq) / kRows >= kMaxGridX) return PEFT4J_ERROR_TOO_LARGE;
    *shape = Shape{batch, seq, width, heads, dh, prefix_len, 1.0f / sqrtf(static_cast<float>(dh)), causal != 0};
    return PEFT4J_OK;
}

dim3 grid_for(const Shape& s, int64_t rows) {
    return dim3(static_cast<unsigned>((rows + kRows - 1) / kRows), static_cast<unsigned>(s.batch * s.heads));
}

}  // namespace
}  // namespace peft4j

extern "C" int peft4j_attention_forward(const float* q, const float* k, const float* v, const float* prefix_k,
                                        const float* prefix_v, const float* key_mask, int causal, float* out,
                                        float* lse, int64_t batch, int64_t seq, int64_t width, int64_t heads,
                                        int64_t prefix_len, void* stream) {
    using namespace peft4j;
    Shape s{};
    const int checked = check_shape(batch, seq, width, heads, prefix_len, causal, &s);
    if (checked != PEFT4J_OK) return checked;
    const int64_t n = batch * seq * width;
    if (missing(q, n) || missing(k, n) || missing(v, n) || missing(out, n) || missing(lse, batch * heads * seq) ||
        missing(prefix_k, prefix_len * width) || missing(prefix_v, prefix_len * width)) {
        return PEFT4J_ERROR_NULL_POINTER;
    }
    if (batch * seq * heads == 0) return PEFT4J_OK;
    const Inputs in{q, k, v, prefix_k, prefix_v, key_mask};
    const cudaStream_t st = static_cast<cudaStream_t>(stream);
    if (s.dh <= 32) {
        attention_forward_kernel<32><<<grid_for(s, seq), kRows, 0, st>>>(s, in, out, lse);
    } else if (s.dh <= 64) {
        attention_forward_kernel<64><<<grid_for(s, seq), kRows, 0, st>>>(s, in, out, lse);
    } else {
        attention_forward_kernel<128><<<grid_for(s, seq), kRows, 0, st>>>(s, in, out, lse);
    }
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    return PEFT4J_OK;
}

extern "C" int peft4j_attention_backward_workspace(int64_t batch, int64_t seq, int64_t width, int64_t heads,
                                                   int64_t prefix_len, int64_t* floats) {
    using namespace peft4j;
    if (floats == nullptr) return PEFT4J_ERROR_NULL_POINTER;
    Shape s{};
    const int checked = check_shape(batch, seq, width, heads, prefix_len, 0, &s);
    if (checked != PEFT4J_OK) return checked;
    const int64_t deltas = batch * heads * seq, partials = batch * prefix_len * width;
    if (partials > (INT64_MAX - deltas) / 2) return PEFT4J_ERROR_OVERFLOW;
    *floats = deltas + 2 * partials;
    return PEFT4J_OK;
}

extern "C" int peft4j_attention_backward(const float* d_out, const float* q, const float* k, const float* v,
                                         const float* prefix_k, const float* prefix_v, const float* key_mask,
                                         int causal, const float* out, const float* lse, float* dq, float* dk,
                                         float* dv, float* d_prefix_k, float* d_prefix_v, float* workspace,
                                         int64_t batch, int64_t seq, int64_t width, int64_t heads,
                                         int64_t prefix_len, void* stream) {
    using namespace peft4j;
    int64_t floats = 0;
    const int sized = peft4j_attention_backward_workspace(batch, seq, width, heads, prefix_len, &floats);
    if (sized != PEFT4J_OK) return sized;
    Shape s{};
    check_shape(batch, seq, width, heads, prefix_len, causal, &s);
    const int64_t n = batch * seq * width;
    if (missing(d_out, n) || missing(q, n) || missing(k, n) || missing(v, n) || missing(out, n) ||
        missing(lse, batch * heads * seq) || missing(prefix_k, prefix_len * width) ||
        missing(prefix_v, prefix_len * width) || missing(workspace, floats)) {
        return PEFT4J_ERROR_NULL_POINTER;
    }
    const cudaStream_t st = static_cast<cudaStream_t>(stream);
    const int64_t prefix_count = prefix_len * width;
    if (batch * seq * heads == 0) {  // nothing attends: prefix gradients are zero
        if (d_prefix_k != nullptr && prefix_count > 0) {
            PEFT4J_RETURN_IF_CUDA_ERROR(cudaMemsetAsync(d_prefix_k, 0, prefix_count * sizeof(float), st));
        }
        if (d_prefix_v != nullptr && prefix_count > 0) {
            PEFT4J_RETURN_IF_CUDA_ERROR(cudaMemsetAsync(d_prefix_v, 0, prefix_count * sizeof(float), st));
        }
        return PEFT4J_OK;
    }
    const Inputs in{q, k, v, prefix_k, prefix_v, key_mask};
    float* delta = workspace;
    float* partial_k = d_prefix_k == nullptr ? nullptr : workspace + batch * heads * seq;
    float* partial_v = d_prefix_v == nullptr ? nullptr : workspace + batch * heads * seq + batch * prefix_count;
    const int64_t keys = prefix_len + seq;
    if (s.dh <= 32) {
        attention_dq_kernel<32><<<grid_for(s, seq), kRows, 0, st>>>(s, in, d_out, out, lse, dq, delta);
        attention_dkv_kernel<32><<<grid_for(s, keys), kRows, 0, st>>>(s, in, d_out, lse, delta, dk, dv, partial_k,
                                                                      partial_v);
    } else if (s.dh <= 64) {
        attention_dq_kernel<64><<<grid_for(s, seq), kRows, 0, st>>>(s, in, d_out, out, lse, dq, delta);
        attention_dkv_kernel<64><<<grid_for(s, keys), kRows, 0, st>>>(s, in, d_out, lse, delta, dk, dv, partial_k,
                                                                      partial_v);
    } else {
        attention_dq_kernel<128><<<grid_for(s, seq), kRows, 0, st>>>(s, in, d_out, out, lse, dq, delta);
        attention_dkv_kernel<128><<<grid_for(s, keys), kRows, 0, st>>>(s, in, d_out, lse, delta, dk, dv, partial_k,
                                                                       partial_v);
    }
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    if (prefix_count > 0) {
        if (d_prefix_k != nullptr) {
            prefix_sum_kernel<<<elementwise_blocks(prefix_count), kElementwiseThreads, 0, st>>>(partial_k, d_prefix_k,
                                                                                              batch, prefix_count);
        }
        if (d_prefix_v != nullptr) {
            prefix_sum_kernel<<<elementwise_blocks(prefix_count), kElementwiseThreads, 0, st>>>(partial_v, d_prefix_v,
                                                                                              batch, prefix_count);
        }
        PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    }
    return PEFT4J_OK;
}
