// The LoRA linear backward (DESIGN.md section 2; dev.peft4j.backend.Backend.loraBackward). Forward:
//   x~ = x (.) mask,  u = x~ A^T,  y = x W^T + bias + s u B^T.
// Derivation: y[n,o] = sum_i x[n,i] W[o,i] + s sum_j u[n,j] B[o,j], u[n,j] = sum_i x~[n,i] A[j,i]. So
//   dB[o,j] = s sum_n dy[n,o] u[n,j]                     dB = s dy^T u        [out, r]
//   g = dy B                                               g [n, r] (the rank-r intermediate; du = s g)
//   dA[j,i] = s sum_n g[n,j] x~[n,i]                       dA = s g^T x~        [r, in]
//   dx = dy W + mask (.) (s g A)                                                 [n, in]
// Launches of the tiled NT product (gemm_nt_tiled.cuh) on one stream, in this order:
//   1. g  = dy B                 (k = out)             when dx or dA is wanted
//   2. dB = s dy^T u             (k = n)
//   3. dA = s g^T x~             (k = n)
//   4. no mask: dx = [dy, s g] [W; A]  (k = out + r: the low-rank term rides in the base product's accumulators)
//      mask:    dx = dy W (k = out), then dx += mask (.) (s g A) (k = r) in a second launch's epilogue.
// dB and dA have k = n, so n = 0 still writes them (as zeros).
#include <cuda_runtime.h>

#include <cstdint>

#include "checks.h"
#include "cuda_status.h"
#include "gemm_nt_tiled.cuh"
#include "gemm_operands.cuh"
#include "peft4j.h"

namespace peft4j {
namespace {

// Column i of x~ = x (.) mask ([n, in]) as row i of its transpose.
struct MaskedColumns {
    const float* x;
    const float* mask;
    int64_t in;
    __device__ float operator()(int64_t i, int64_t k) const {
        const int64_t at = k * in + i;
        return mask == nullptr ? x[at] : x[at] * mask[at];
    }
};

// Row i of [dy, s g], width out + r.
struct GradWithLowRank {
    const float* dy;
    const float* g;
    float s;
    int64_t out;
    int64_t r;
    __device__ float operator()(int64_t i, int64_t k) const {
        return k < out ? dy[i * out + k] : s * g[i * r + (k - out)];
    }
};

// Column c of [W; A] ([out + r, in]) as row c of its transpose.
struct WeightAndDownColumns {
    const float* w;
    const float* a;
    int64_t in;
    int64_t out;
    __device__ float operator()(int64_t c, int64_t k) const {
        return k < out ? w[k * in + c] : a[(k - out) * in + c];
    }
};

struct Store {
    float* dst;
    int64_t cols;
    float scale;
    __device__ void operator()(int64_t i, int64_t j, float sum) const { dst[i * cols + j] = scale * sum; }
};

// dx[i, c] += mask[i, c] * s * sum
struct AddMaskedLowRank {
    float* dx;
    const float* mask;
    float s;
    int64_t in;
    __device__ void operator()(int64_t i, int64_t c, float sum) const {
        const int64_t at = i * in + c;
        dx[at] += mask[at] * (s * sum);
    }
};

int validate(const float* dy, const float* x, const float* w, const float* a, const float* b, const float* u, float s,
             float* dx, float* da, float* db, float* g, int64_t n, int64_t in, int64_t out, int64_t r) {
    if (any_negative({n, in, out, r})) return PEFT4J_ERROR_NEGATIVE_SIZE;
    if (r < 1) return PEFT4J_ERROR_RANK;
    if (product_overflows(n, in) || product_overflows(n, out) || product_overflows(out, in) ||
        product_overflows(n, r) || product_overflows(out, r) || product_overflows(r, in) || out > INT64_MAX - r) {
        return PEFT4J_ERROR_OVERFLOW;
    }
    const bool wants_g = dx != nullptr || da != nullptr;
    if (missing(dy, n * out) || missing(b, out * r) || (wants_g && missing(g, n * r)) ||
        (dx != nullptr && (missing(w, out * in) || missing(a, r * in))) ||
        (da != nullptr && missing(x, n * in)) || (db != nullptr && missing(u, n * r))) {
        return PEFT4J_ERROR_NULL_POINTER;
    }
    if (!std::isfinite(s)) return PEFT4J_ERROR_NOT_FINITE;
    if (n > GemmNtTile::kMaxRows || out > GemmNtTile::kMaxRows || r > GemmNtTile::kMaxCols ||
        in > GemmNtTile::kMaxCols) {
        return PEFT4J_ERROR_TOO_LARGE;
    }
    return PEFT4J_OK;
}

}  // namespace
}  // namespace peft4j

extern "C" int peft4j_lora_backward(const float* dy, const float* x, const float* w, const float* a, const float* b,
                                    const float* u, float s, const float* drop_mask, float* dx, float* da, float* db,
                                    float* g, int64_t n, int64_t in, int64_t out, int64_t r, void* stream) {
    using namespace peft4j;
    const int invalid = validate(dy, x, w, a, b, u, s, dx, da, db, g, n, in, out, r);
    if (invalid != PEFT4J_OK) return invalid;

    const cudaStream_t cuda_stream = static_cast<cudaStream_t>(stream);
    const dim3 block(GemmNtTile::kThreads);
    if ((dx != nullptr || da != nullptr) && n > 0) {
        gemm_nt_tiled_kernel<<<gemm_nt_tiled_grid(n, r), block, 0, cuda_stream>>>(
            n, r, out, RowMajor{dy, out}, Transposed{b, r}, Store{g, r, 1.0f});
        PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    }
    if (db != nullptr && out > 0) {
        gemm_nt_tiled_kernel<<<gemm_nt_tiled_grid(out, r), block, 0, cuda_stream>>>(
            out, r, n, Transposed{dy, out}, Transposed{u, r}, Store{db, r, s});
        PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    }
    if (da != nullptr && in > 0) {
        gemm_nt_tiled_kernel<<<gemm_nt_tiled_grid(r, in), block, 0, cuda_stream>>>(
            r, in, n, Transposed{g, r}, MaskedColumns{x, drop_mask, in}, Store{da, in, s});
        PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    }
    if (dx == nullptr || n == 0 || in == 0) return PEFT4J_OK;
    if (drop_mask == nullptr) {
        gemm_nt_tiled_kernel<<<gemm_nt_tiled_grid(n, in), block, 0, cuda_stream>>>(
            n, in, out + r, GradWithLowRank{dy, g, s, out, r}, WeightAndDownColumns{w, a, in, out},
            Store{dx, in, 1.0f});
        PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
        return PEFT4J_OK;
    }
    gemm_nt_tiled_kernel<<<gemm_nt_tiled_grid(n, in), block, 0, cuda_stream>>>(
        n, in, out, RowMajor{dy, out}, Transposed{w, in}, Store{dx, in, 1.0f});
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    gemm_nt_tiled_kernel<<<gemm_nt_tiled_grid(n, in), block, 0, cuda_stream>>>(
        n, in, r, RowMajor{g, r}, Transposed{a, in}, AddMaskedLowRank{dx, drop_mask, s, in});
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    return PEFT4J_OK;
}
