// Embedding rows (also the CLS-pooling gather), table [vocab, dim], ids int32 [n]:
//   forward:  out[i, :] = table[ids[i], :]                        (an id outside [0, vocab): a row of NaN)
//   backward: d_table = 0, then d_table[ids[i], :] += d_out[i, :]
// Derivation: out is a row selection, so d_table[v, :] = sum of d_out[i, :] over the i with ids[i] = v.
// The backward is deterministic without atomics: the caller groups the positions by id (CSR: rows, offsets,
// positions) and one block sums one touched row over its positions in ascending order, in float64.
#include <cuda_runtime.h>

#include <cstdint>

#include "checks.h"
#include "cuda_status.h"
#include "elementwise_launch.cuh"
#include "peft4j.h"

namespace peft4j {
namespace {

__global__ void gather_rows_kernel(const float* table, const int32_t* ids, float* out, int64_t n, int64_t vocab,
                                   int64_t dim) {
    const int64_t count = n * dim;
    for (int64_t i = grid_stride_start(); i < count; i += grid_stride()) {
        const int64_t row = i / dim;
        const int64_t id = ids[row];
        out[i] = id >= 0 && id < vocab ? table[id * dim + (i - row * dim)] : __int_as_float(0x7fc00000);
    }
}

// Block k: d_table[rows[k], :] = sum over positions[offsets[k] .. offsets[k+1]) of d_out[position, :].
__global__ void scatter_rows_kernel(const float* d_out, const int32_t* rows, const int32_t* offsets,
                                    const int32_t* positions, float* d_table, int64_t vocab, int64_t dim) {
    const int64_t row = rows[blockIdx.x];
    if (row < 0 || row >= vocab) return;
    const int32_t begin = offsets[blockIdx.x];
    const int32_t end = offsets[blockIdx.x + 1];
    for (int64_t e = threadIdx.x; e < dim; e += blockDim.x) {
        double sum = 0;
        for (int32_t p = begin; p < end; ++p) sum += d_out[static_cast<int64_t>(positions[p]) * dim + e];
        d_table[row * dim + e] = static_cast<float>(sum);
    }
}

constexpr int kScatterThreads = 128;

}  // namespace
}  // namespace peft4j

extern "C" int peft4j_embedding_forward(const float* table, const int32_t* ids, float* out, int64_t n, int64_t vocab,
                                        int64_t dim, void* stream) {
    using namespace peft4j;
    if (any_negative({n, vocab, dim})) return PEFT4J_ERROR_NEGATIVE_SIZE;
    if (product_overflows(n, dim) || product_overflows(vocab, dim)) return PEFT4J_ERROR_OVERFLOW;
    if (missing(table, vocab * dim) || missing(ids, n) || missing(out, n * dim)) return PEFT4J_ERROR_NULL_POINTER;
    if (n * dim == 0) return PEFT4J_OK;
    gather_rows_kernel<<<elementwise_blocks(n * dim), kElementwiseThreads, 0, static_cast<cudaStream_t>(stream)>>>(
        table, ids, out, n, vocab, dim);
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    return PEFT4J_OK;
}

extern "C" int peft4j_embedding_backward(const float* d_out, const int32_t* rows, const int32_t* offsets,
                                         const int32_t* positions, float* d_table, int64_t groups, int64_t n,
                                         int64_t vocab, int64_t dim, void* stream) {
    using namespace peft4j;
    if (any_negative({groups, n, vocab, dim})) return PEFT4J_ERROR_NEGATIVE_SIZE;
    if (product_overflows(n, dim) || product_overflows(vocab, dim)) return PEFT4J_ERROR_OVERFLOW;
    if (groups > n || n > INT32_MAX) return PEFT4J_ERROR_TOO_LARGE;  // int32 positions; at most one group per position
    if (missing(d_out, n * dim) || missing(rows, groups) || missing(offsets, groups == 0 ? 0 : groups + 1) || missing(positions, n) ||
        missing(d_table, vocab * dim)) {
        return PEFT4J_ERROR_NULL_POINTER;
    }
    const cudaStream_t cuda_stream = static_cast<cudaStream_t>(stream);
    if (vocab * dim > 0) {
        PEFT4J_RETURN_IF_CUDA_ERROR(
            cudaMemsetAsync(d_table, 0, static_cast<size_t>(vocab * dim) * sizeof(float), cuda_stream));
    }
    if (groups == 0 || dim == 0) return PEFT4J_OK;
    scatter_rows_kernel<<<static_cast<unsigned>(groups), kScatterThreads, 0, cuda_stream>>>(
        d_out, rows, offsets, positions, d_table, vocab, dim);
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    return PEFT4J_OK;
}
