// (IA)^3 scaling (DESIGN.md section 2), l [dim] broadcast over the rows of x [rows, dim]:
//   forward:  y = l (.) x                          (y may alias x)
//   backward: dx = l (.) dy,  dl = sum_rows dy (.) x   (dx, dl may be NULL)
// Derivation: d y[r, i] / d x[r, i] = l[i], d y[r, i] / d l[i] = x[r, i].
// dx is elementwise (grid-stride); dl is the deterministic column reduction.
#include <cuda_runtime.h>

#include <cstdint>

#include "checks.h"
#include "column_reduce.cuh"
#include "cuda_status.h"
#include "elementwise_launch.cuh"
#include "peft4j.h"

namespace peft4j {
namespace {

// out[r, i] = l[i] * in[r, i]; out may alias in.
__global__ void broadcast_scale_kernel(const float* in, const float* l, float* out, int64_t count, int64_t dim) {
    for (int64_t i = grid_stride_start(); i < count; i += grid_stride()) out[i] = l[i % dim] * in[i];
}

struct GradTimesInput {
    const float* dy;
    const float* x;
    int64_t dim;
    __device__ double operator()(int64_t r, int64_t c) const {
        const int64_t at = r * dim + c;
        return static_cast<double>(dy[at]) * x[at];
    }
};

struct Store {
    float* out;
    __device__ void operator()(int64_t c, double sum) const { out[c] = static_cast<float>(sum); }
};

int check_sizes(int64_t rows, int64_t dim) {
    const int matrix = check_matrix(rows, dim);
    if (matrix != PEFT4J_OK) return matrix;
    if (dim > ColumnReduce::kMaxCols) return PEFT4J_ERROR_TOO_LARGE;
    return PEFT4J_OK;
}

}  // namespace
}  // namespace peft4j

extern "C" int peft4j_scale_forward(const float* x, const float* l, float* y, int64_t rows, int64_t dim,
                                    void* stream) {
    using namespace peft4j;
    const int sizes = check_sizes(rows, dim);
    if (sizes != PEFT4J_OK) return sizes;
    if (missing(x, rows * dim) || missing(l, dim) || missing(y, rows * dim)) return PEFT4J_ERROR_NULL_POINTER;
    const int64_t count = rows * dim;
    if (count == 0) return PEFT4J_OK;
    broadcast_scale_kernel<<<elementwise_blocks(count), kElementwiseThreads, 0, static_cast<cudaStream_t>(stream)>>>(
        x, l, y, count, dim);
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    return PEFT4J_OK;
}

extern "C" int peft4j_scale_backward(const float* dy, const float* x, const float* l, float* dx, float* dl,
                                     int64_t rows, int64_t dim, void* stream) {
    using namespace peft4j;
    const int sizes = check_sizes(rows, dim);
    if (sizes != PEFT4J_OK) return sizes;
    if (missing(dy, rows * dim) || missing(x, rows * dim) || missing(l, dim)) return PEFT4J_ERROR_NULL_POINTER;
    const cudaStream_t cuda_stream = static_cast<cudaStream_t>(stream);
    const int64_t count = rows * dim;
    if (dx != nullptr && count > 0) {
        broadcast_scale_kernel<<<elementwise_blocks(count), kElementwiseThreads, 0, cuda_stream>>>(dy, l, dx, count,
                                                                                                   dim);
        PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    }
    if (dl != nullptr && dim > 0) {
        column_reduce_kernel<<<column_reduce_grid(dim), column_reduce_block(), 0, cuda_stream>>>(
            rows, dim, GradTimesInput{dy, x, dim}, Store{dl});
        PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    }
    return PEFT4J_OK;
}
