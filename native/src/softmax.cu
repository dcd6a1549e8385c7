// Row softmax over the last dimension, rows of x [rows, cols]:
//   forward:  y = e^(x - max) / sum e^(x - max)      (y may alias x)
//   backward: dx = y (.) (dy - sum_k dy_k y_k)         (dx may alias dy or y)
// Derivation: y_i = e^(x_i) / sum e, d y_i / d x_k = y_i (delta_ik - y_k), so
//   dx_k = sum_i dy_i y_i (delta_ik - y_k) = y_k (dy_k - sum_i dy_i y_i).
// One block per row; each element is read and written by the same thread after the row's reductions, which
// is what makes the in-place forms safe.
#include <cuda_runtime.h>

#include <cstdint>

#include "block_reduce.cuh"
#include "checks.h"
#include "cuda_status.h"
#include "peft4j.h"

namespace peft4j {
namespace {

__global__ void __launch_bounds__(kRowThreads) softmax_forward_kernel(const float* x, float* y, int64_t cols) {
    const int64_t row = blockIdx.x;
    const float* xr = x + row * cols;
    float m = -INFINITY;
    for (int64_t i = threadIdx.x; i < cols; i += blockDim.x) m = fmaxf(m, xr[i]);
    const float max = block_max(m);
    float sum = 0;
    for (int64_t i = threadIdx.x; i < cols; i += blockDim.x) sum += expf(xr[i] - max);
    const float inv_total = 1.0f / block_sum(sum);
    float* yr = y + row * cols;
    for (int64_t i = threadIdx.x; i < cols; i += blockDim.x) yr[i] = expf(xr[i] - max) * inv_total;
}

__global__ void __launch_bounds__(kRowThreads)
softmax_backward_kernel(const float* dy, const float* y, float* dx, int64_t cols) {
    const int64_t row = blockIdx.x;
    const float* dyr = dy + row * cols;
    const float* yr = y + row * cols;
    float dot = 0;
    for (int64_t i = threadIdx.x; i < cols; i += blockDim.x) dot = fmaf(dyr[i], yr[i], dot);
    const float total = block_sum(dot);
    float* dxr = dx + row * cols;
    for (int64_t i = threadIdx.x; i < cols; i += blockDim.x) dxr[i] = yr[i] * (dyr[i] - total);
}

int check_rows(int64_t rows, int64_t cols) {
    const int matrix = check_matrix(rows, cols);
    if (matrix != PEFT4J_OK) return matrix;
    if (rows > kMaxGridX) return PEFT4J_ERROR_TOO_LARGE;
    return PEFT4J_OK;
}

}  // namespace
}  // namespace peft4j

extern "C" int peft4j_softmax_forward(const float* x, float* y, int64_t rows, int64_t cols, void* stream) {
    using namespace peft4j;
    const int sizes = check_rows(rows, cols);
    if (sizes != PEFT4J_OK) return sizes;
    if (missing(x, rows * cols) || missing(y, rows * cols)) return PEFT4J_ERROR_NULL_POINTER;
    if (rows * cols == 0) return PEFT4J_OK;
    softmax_forward_kernel<<<static_cast<unsigned>(rows), kRowThreads, 0, static_cast<cudaStream_t>(stream)>>>(
        x, y, cols);
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    return PEFT4J_OK;
}

extern "C" int peft4j_softmax_backward(const float* dy, const float* y, float* dx, int64_t rows, int64_t cols,
                                       void* stream) {
    using namespace peft4j;
    const int sizes = check_rows(rows, cols);
    if (sizes != PEFT4J_OK) return sizes;
    if (missing(dy, rows * cols) || missing(y, rows * cols) || missing(dx, rows * cols)) {
        return PEFT4J_ERROR_NULL_POINTER;
    }
    if (rows * cols == 0) return PEFT4J_OK;
    softmax_backward_kernel<<<static_cast<unsigned>(rows), kRowThreads, 0, static_cast<cudaStream_t>(stream)>>>(
        dy, y, dx, cols);
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    return PEFT4J_OK;
}
