// The low-rank half of the LoRA linear forward, added to a base product y = x W^T + bias computed elsewhere
// (cuBLAS on the Java side, or peft4j_linear_forward):
//   x~ = x (.) mask              x, mask [n, in]   (mask NULL: x~ = x)
//   u  = x~ A^T                  A [r, in],  u [n, r]      the shrink
//   y += s * u B^T               B [out, r], y [n, out]    the expand
// Two launches on one stream. With r much smaller than in and out both are memory-bound: the shrink reads x
// once (A's tiles stay in shared memory), the expand reads and writes y once, so the low-rank term costs about
// one extra pass over x and two over y next to the base GEMM. No atomics: every output element is one
// thread's sum in a fixed order (deterministic).
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

#include "checks.h"
#include "cuda_status.h"
#include "peft4j.h"

namespace peft4j {
namespace {

// Shrink tiling: a block owns kShrinkRows rows of u and a chunk of up to kShrinkRanks ranks (grid y walks
// the rank chunks when r > kShrinkRanks), and streams x~ and A through shared memory kShrinkDepth columns
// at a time.
constexpr int kShrinkThreads = 256;
constexpr int kShrinkRows = 16;
constexpr int kShrinkRanks = 64;
constexpr int kShrinkDepth = 64;
constexpr int kShrinkOutputsPerThread = kShrinkRows * kShrinkRanks / kShrinkThreads;  // 4

// u[i, q] = sum_k x~[i, k] A[q, k] for the block's rows i and ranks q. Thread t owns the outputs
// e = t + 256 * j (j < 4) of the block's kShrinkRows x ranks tile, ranks fastest: a warp reads A's tile at
// consecutive rows (padded stride: no bank conflicts) and x~'s tile as a broadcast.
__global__ void __launch_bounds__(kShrinkThreads)
lora_shrink_kernel(const float* x, const float* mask, const float* a, float* u, int64_t n, int64_t in, int64_t r) {
    __shared__ float x_tile[kShrinkRows][kShrinkDepth + 1];
    __shared__ float a_tile[kShrinkRanks][kShrinkDepth + 1];
    const int64_t row0 = static_cast<int64_t>(blockIdx.x) * kShrinkRows;
    const int64_t rank0 = static_cast<int64_t>(blockIdx.y) * kShrinkRanks;
    const int ranks = static_cast<int>(r - rank0 < kShrinkRanks ? r - rank0 : kShrinkRanks);
    const int outputs = kShrinkRows * ranks;
    float acc[kShrinkOutputsPerThread] = {};

    for (int64_t k0 = 0; k0 < in; k0 += kShrinkDepth) {
        // Consecutive threads load consecutive columns of a row: coalesced.
        for (int e = threadIdx.x; e < kShrinkRows * kShrinkDepth; e += kShrinkThreads) {
            const int rr = e / kShrinkDepth, kk = e % kShrinkDepth;
            const int64_t gi = row0 + rr, gk = k0 + kk;
            float v = 0.0f;
            if (gi < n && gk < in) {
                const int64_t at = gi * in + gk;
                v = mask == nullptr ? x[at] : x[at] * mask[at];
            }
            x_tile[rr][kk] = v;
        }
        for (int e = threadIdx.x; e < ranks * kShrinkDepth; e += kShrinkThreads) {
            const int qq = e / kShrinkDepth, kk = e % kShrinkDepth;
            const int64_t gk = k0 + kk;
            a_tile[qq][kk] = gk < in ? a[(rank0 + qq) * in + gk] : 0.0f;
        }
        __syncthreads();
#pragma unroll
        for (int j = 0; j < kShrinkOutputsPerThread; ++j) {
            const int e = threadIdx.x + kShrinkThreads * j;
            if (e < outputs) {
                const int rr = e / ranks, qq = e % ranks;
                float sum = acc[j];
#pragma unroll 16
                for (int kk = 0; kk < kShrinkDepth; ++kk) sum = fmaf(x_tile[rr][kk], a_tile[qq][kk], sum);
                acc[j] = sum;
            }
        }
        __syncthreads();
    }
#pragma unroll
    for (int j = 0; j < kShrinkOutputsPerThread; ++j) {
        const int e = threadIdx.x + kShrinkThreads * j;
        if (e < outputs) {
            const int64_t gi = row0 + e / ranks;
            if (gi < n) u[gi * r + rank0 + e % ranks] = acc[j];
        }
    }
}

// Expand tiling: a block owns kExpandRows rows x kExpandCols columns of y, one column per thread, and walks
// the rank in chunks of kExpandRanks (B's chunk stored rank-major so a warp reads consecutive words; loaded
// rank-fastest so the global reads of B's rows are coalesced).
constexpr int kExpandCols = 256;  // = threads per block
constexpr int kExpandRows = 16;
constexpr int kExpandRanks = 32;

// y[i, o] += s * sum_q u[i, q] B[o, q]: thread t owns column o = col0 + t for the block's rows, so y is read
// and written once, coalesced.
__global__ void __launch_bounds__(kExpandCols)
lora_expand_kernel(const float* u, const float* b, float s, float* y, int64_t n, int64_t out, int64_t r) {
    __shared__ float b_tile[kExpandRanks][kExpandCols + 1];  // padded: the rank-fastest stores below spread banks
    __shared__ float u_tile[kExpandRows][kExpandRanks];
    const int64_t row0 = static_cast<int64_t>(blockIdx.x) * kExpandRows;
    const int64_t col0 = static_cast<int64_t>(blockIdx.y) * kExpandCols;
    const int64_t o = col0 + threadIdx.x;
    float acc[kExpandRows] = {};

    for (int64_t q0 = 0; q0 < r; q0 += kExpandRanks) {
        const int ranks = static_cast<int>(r - q0 < kExpandRanks ? r - q0 : kExpandRanks);
        // B rows are r long: consecutive threads take consecutive ranks of a row, then the next row.
        for (int e = threadIdx.x; e < kExpandCols * ranks; e += kExpandCols) {
            const int cc = e / ranks, qq = e % ranks;
            const int64_t go = col0 + cc;
            b_tile[qq][cc] = go < out ? b[go * r + q0 + qq] : 0.0f;
        }
        for (int e = threadIdx.x; e < kExpandRows * ranks; e += kExpandCols) {
            const int rr = e / ranks, qq = e % ranks;
            const int64_t gi = row0 + rr;
            u_tile[rr][qq] = gi < n ? u[gi * r + q0 + qq] : 0.0f;
        }
        __syncthreads();
        for (int qq = 0; qq < ranks; ++qq) {
            const float bv = b_tile[qq][threadIdx.x];
#pragma unroll
            for (int rr = 0; rr < kExpandRows; ++rr) acc[rr] = fmaf(u_tile[rr][qq], bv, acc[rr]);
        }
        __syncthreads();
    }
    if (o >= out) return;
#pragma unroll
    for (int rr = 0; rr < kExpandRows; ++rr) {
        const int64_t gi = row0 + rr;
        if (gi < n) y[gi * out + o] = fmaf(s, acc[rr], y[gi * out + o]);
    }
}

int validate(const float* x, const float* a, const float* b, float s, float* y, float* u, int64_t n, int64_t in,
             int64_t out, int64_t r) {
    if (any_negative({n, in, out, r})) return PEFT4J_ERROR_NEGATIVE_SIZE;
    if (r < 1) return PEFT4J_ERROR_RANK;
    if (!std::isfinite(s)) return PEFT4J_ERROR_NOT_FINITE;
    if (product_overflows(n, in) || product_overflows(n, out) || product_overflows(n, r) ||
        product_overflows(r, in) || product_overflows(out, r)) {
        return PEFT4J_ERROR_OVERFLOW;
    }
    if (missing(x, n * in) || missing(a, r * in) || missing(b, out * r) || missing(y, n * out) ||
        missing(u, n * r)) {
        return PEFT4J_ERROR_NULL_POINTER;
    }
    // Both kernels put row tiles on grid x (2^31 - 1 blocks), rank or column tiles on grid y (65535 blocks).
    static_assert(kShrinkRows == kExpandRows, "one row-tile limit for both kernels");
    if ((n + kShrinkRows - 1) / kShrinkRows > kMaxGridX || (r + kShrinkRanks - 1) / kShrinkRanks > 65535 ||
        (out + kExpandCols - 1) / kExpandCols > 65535) {
        return PEFT4J_ERROR_TOO_LARGE;
    }
    return PEFT4J_OK;
}

}  // namespace
}  // namespace peft4j

extern "C" int peft4j_lora_low_rank_forward(const float* x, const float* a, const float* b, float s,
                                            const float* drop_mask, float* y, float* u, int64_t n, int64_t in,
                                            int64_t out, int64_t r, void* stream) {
    using namespace peft4j;
    const int invalid = validate(x, a, b, s, y, u, n, in, out, r);
    if (invalid != PEFT4J_OK) return invalid;
    if (n == 0) return PEFT4J_OK;  // nothing to write; an empty grid is not a valid launch
    const cudaStream_t cuda_stream = static_cast<cudaStream_t>(stream);

    const dim3 shrink_grid(static_cast<unsigned>((n + kShrinkRows - 1) / kShrinkRows),
                           static_cast<unsigned>((r + kShrinkRanks - 1) / kShrinkRanks));
    lora_shrink_kernel<<<shrink_grid, kShrinkThreads, 0, cuda_stream>>>(x, drop_mask, a, u, n, in, r);
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());

    if (out == 0) return PEFT4J_OK;
    const dim3 expand_grid(static_cast<unsigned>((n + kExpandRows - 1) / kExpandRows),
                           static_cast<unsigned>((out + kExpandCols - 1) / kExpandCols));
    lora_expand_kernel<<<expand_grid, kExpandCols, 0, cuda_stream>>>(u, b, s, y, n, out, r);
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    return PEFT4J_OK;
}
