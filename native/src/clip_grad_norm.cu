// Global gradient-norm clipping without a host round trip (dev.peft4j.backend.Backend.clipGradNorm):
//   n = sqrt(sum_i ||grads[i]||^2);  if n > max_norm: grads[i] *= max_norm / (n + 1e-6) for every i
// and n is written to norm[0], a device float. Three launches on one stream:
//   1. partials[i * P + b] = sum of g^2 over block b's share of tensor i (P = PEFT4J_GRAD_NORM_PARTIALS_PER_TENSOR
//      blocks per tensor, float64 within a block);
//   2. one block sums the partials in a fixed order (float64) and writes norm[0] = sqrt(sum);
//   3. every block reads norm[0] and scales its share only when norm[0] > max_norm.
// Deterministic: no atomics. grads and sizes are device arrays as in multi_tensor.cuh.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

#include "block_reduce.cuh"
#include "checks.h"
#include "cuda_status.h"
#include "multi_tensor.cuh"
#include "peft4j.h"

namespace peft4j {
namespace {

constexpr int kPartials = PEFT4J_GRAD_NORM_PARTIALS_PER_TENSOR;

__global__ void __launch_bounds__(kRowThreads)
sum_of_squares_kernel(const float* const* grads, const int64_t* sizes, int64_t tensors, float* partials) {
    for (int64_t t = blockIdx.y; t < tensors; t += gridDim.y) {
        const int64_t size = sizes[t];
        const float* g = grads[t];
        double sum = 0;
        if (g != nullptr) {
            const int64_t stride = static_cast<int64_t>(kPartials) * blockDim.x;
            for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < size; i += stride) {
                sum += static_cast<double>(g[i]) * g[i];
            }
        }
        const double total = block_sum(sum);
        if (threadIdx.x == 0) partials[t * kPartials + blockIdx.x] = static_cast<float>(total);
    }
}

__global__ void __launch_bounds__(kRowThreads) norm_kernel(const float* partials, int64_t count, float* norm) {
    double sum = 0;
    for (int64_t i = threadIdx.x; i < count; i += blockDim.x) sum += partials[i];
    const double total = block_sum(sum);
    if (threadIdx.x == 0) norm[0] = static_cast<float>(sqrt(total));
}

__global__ void scale_kernel(float* const* grads, const int64_t* sizes, int64_t tensors, const float* norm,
                             float max_norm) {
    const float n = norm[0];
    if (!(n > max_norm)) return;  // also leaves the gradients alone when the norm is NaN
    const float factor = max_norm / (n + 1e-6f);
    for (int64_t t = blockIdx.y; t < tensors; t += gridDim.y) {
        const int64_t size = sizes[t];
        float* g = grads[t];
        if (g == nullptr) continue;
        for (int64_t i = grid_stride_start(); i < size; i += grid_stride()) g[i] *= factor;
    }
}

}  // namespace
}  // namespace peft4j

extern "C" int peft4j_clip_grad_norm(float* const* grads, const int64_t* sizes, int64_t tensors, int64_t max_size,
                                     float max_norm, float* partials, float* norm, void* stream) {
    using namespace peft4j;
    if (tensors < 0 || max_size < 0) return PEFT4J_ERROR_NEGATIVE_SIZE;
    if (product_overflows(tensors, kPartials)) return PEFT4J_ERROR_OVERFLOW;
    if (missing(grads, tensors) || missing(sizes, tensors) || missing(partials, tensors) || norm == nullptr) {
        return PEFT4J_ERROR_NULL_POINTER;
    }
    if (!std::isfinite(max_norm)) return PEFT4J_ERROR_NOT_FINITE;
    if (max_norm <= 0) return PEFT4J_ERROR_OUT_OF_RANGE;

    const cudaStream_t cuda_stream = static_cast<cudaStream_t>(stream);
    if (tensors > 0) {
        const dim3 grid(kPartials, static_cast<unsigned>(tensors < kMaxGridY ? tensors : kMaxGridY));
        sum_of_squares_kernel<<<grid, kRowThreads, 0, cuda_stream>>>(grads, sizes, tensors, partials);
        PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    }
    norm_kernel<<<1, kRowThreads, 0, cuda_stream>>>(partials, tensors * kPartials, norm);
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    if (tensors > 0 && max_size > 0) {
        scale_kernel<<<multi_tensor_grid(max_size, tensors), kElementwiseThreads, 0, cuda_stream>>>(
            grads, sizes, tensors, norm, max_norm);
        PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    }
    return PEFT4J_OK;
}
