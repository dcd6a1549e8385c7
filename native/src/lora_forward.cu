// The fused LoRA linear forward (DESIGN.md section 2):
//   x~ = x (.) dropMask,  u = x~ A^T [n, r],  y = x W^T + bias + s * u B^T [n, out].
// Two launches of the tiled NT product on one stream:
//   1. u = x~ A^T                       (k = in)
//   2. y = [x, s*u] [W, B]^T + bias     (k = in + r: the low-rank term rides in the base product's
//                                        accumulators, so y is written once, never read back)
#include <cuda_runtime.h>

#include <cstdint>

#include "checks.h"
#include "cuda_status.h"
#include "gemm_nt_tiled.cuh"
#include "gemm_operands.cuh"
#include "peft4j.h"

namespace peft4j {
namespace {

// Row i of x~ = x (.) mask (mask NULL: x).
struct MaskedRows {
    const float* x;
    const float* mask;
    int64_t in;
    __device__ float operator()(int64_t i, int64_t k) const {
        const int64_t at = i * in + k;
        return mask == nullptr ? x[at] : x[at] * mask[at];
    }
};

// Row i of the augmented input [x, s*u], width in + r.
struct InputWithLowRank {
    const float* x;
    const float* u;
    float s;
    int64_t in;
    int64_t r;
    __device__ float operator()(int64_t i, int64_t k) const {
        return k < in ? x[i * in + k] : s * u[i * r + (k - in)];
    }
};

// Row o of the augmented weight [W, B], width in + r.
struct WeightWithLowRank {
    const float* w;
    const float* b;
    int64_t in;
    int64_t r;
    __device__ float operator()(int64_t o, int64_t k) const {
        return k < in ? w[o * in + k] : b[o * r + (k - in)];
    }
};

struct StoreU {
    float* u;
    int64_t r;
    __device__ void operator()(int64_t i, int64_t j, float sum) const { u[i * r + j] = sum; }
};

struct StoreYWithBias {
    float* y;
    const float* bias;
    int64_t out;
    __device__ void operator()(int64_t i, int64_t o, float sum) const {
        y[i * out + o] = bias == nullptr ? sum : sum + bias[o];
    }
};

int validate(const float* x, const float* w, const float* a, const float* b, float* y, float* u, int64_t n,
             int64_t in, int64_t out, int64_t r) {
    if (n < 0 || in < 0 || out < 0 || r < 0) return PEFT4J_ERROR_NEGATIVE_SIZE;
    if (r < 1) return PEFT4J_ERROR_RANK;
    if (product_overflows(n, in) || product_overflows(out, in) || product_overflows(n, out) ||
        product_overflows(n, r) || product_overflows(out, r) || product_overflows(r, in)) {
        return PEFT4J_ERROR_OVERFLOW;
    }
    // An array with no elements may be NULL (peft4j_device_alloc gives NULL for 0 floats).
    const auto missing = [](const float* p, int64_t rows, int64_t cols) { return p == nullptr && rows > 0 && cols > 0; };
    if (missing(x, n, in) || missing(w, out, in) || missing(a, r, in) || missing(b, out, r) || missing(y, n, out) ||
        missing(u, n, r)) {
        return PEFT4J_ERROR_NULL_POINTER;
    }
    if (n > GemmNtTile::kMaxRows || out > GemmNtTile::kMaxCols || r > GemmNtTile::kMaxCols ||
        in > INT64_MAX - r) {
        return PEFT4J_ERROR_TOO_LARGE;
    }
    return PEFT4J_OK;
}

}  // namespace
}  // namespace peft4j

extern "C" int peft4j_lora_forward(const float* x, const float* w, const float* bias, const float* a,
                                   const float* b, float s, const float* drop_mask, float* y, float* u,
                                   int64_t n, int64_t in, int64_t out, int64_t r, void* stream) {
    using namespace peft4j;
    const int invalid = validate(x, w, a, b, y, u, n, in, out, r);
    if (invalid != PEFT4J_OK) return invalid;
    if (n == 0) return PEFT4J_OK;  // nothing to write; an empty grid is not a valid launch

    const cudaStream_t cuda_stream = static_cast<cudaStream_t>(stream);
    const dim3 block(GemmNtTile::kThreads);

    gemm_nt_tiled_kernel<<<gemm_nt_tiled_grid(n, r), block, 0, cuda_stream>>>(
        n, r, in, MaskedRows{x, drop_mask, in}, RowMajor{a, in}, StoreU{u, r});
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());

    if (out == 0) return PEFT4J_OK;
    gemm_nt_tiled_kernel<<<gemm_nt_tiled_grid(n, out), block, 0, cuda_stream>>>(
        n, out, in + r, InputWithLowRank{x, u, s, in, r}, WeightWithLowRank{w, b, in, r},
        StoreYWithBias{y, bias, out});
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    return PEFT4J_OK;
}
