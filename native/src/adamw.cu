// AdamW over many tensors in one launch (dev.peft4j.backend.Backend.adamW): for every tensor i and element j,
//   m <- b1 m + (1 - b1) g,  v <- b2 v + (1 - b2) g^2,
//   theta <- theta - lr (m / (1 - b1^t) / (sqrt(v / (1 - b2^t)) + eps) + wd theta)
// with theta = params[i][j], g = grads[i][j], m = m[i][j], v = v[i][j]. params, grads, m, v are device arrays
// of `tensors` device pointers, sizes a device array of int64 element counts (see multi_tensor.cuh).
#include <cuda_runtime.h>

#include <cstdint>

#include "adamw_step.cuh"
#include "checks.h"
#include "cuda_status.h"
#include "multi_tensor.cuh"
#include "peft4j.h"

namespace peft4j {
namespace {

__global__ void adamw_kernel(float* const* params, const float* const* grads, float* const* m, float* const* v,
                             const int64_t* sizes, int64_t tensors, AdamWStep step) {
    for (int64_t t = blockIdx.y; t < tensors; t += gridDim.y) {
        const int64_t size = sizes[t];
        float* theta = params[t];
        const float* g = grads[t];
        float* mt = m[t];
        float* vt = v[t];
        if (size <= 0 || theta == nullptr || g == nullptr || mt == nullptr || vt == nullptr) continue;
        for (int64_t i = grid_stride_start(); i < size; i += grid_stride()) step.apply(theta[i], mt[i], vt[i], g[i]);
    }
}

}  // namespace
}  // namespace peft4j

extern "C" int peft4j_adamw(float* const* params, const float* const* grads, float* const* m, float* const* v,
                            const int64_t* sizes, int64_t tensors, int64_t max_size, float lr, float beta1,
                            float beta2, float eps, float weight_decay, int64_t step, void* stream) {
    using namespace peft4j;
    if (tensors < 0 || max_size < 0) return PEFT4J_ERROR_NEGATIVE_SIZE;
    if (missing(params, tensors) || missing(grads, tensors) || missing(m, tensors) || missing(v, tensors) ||
        missing(sizes, tensors)) {
        return PEFT4J_ERROR_NULL_POINTER;
    }
    const int hp = check_adamw(lr, beta1, beta2, eps, weight_decay, step);
    if (hp != PEFT4J_OK) return hp;
    if (tensors == 0 || max_size == 0) return PEFT4J_OK;
    adamw_kernel<<<multi_tensor_grid(max_size, tensors), kElementwiseThreads, 0, static_cast<cudaStream_t>(stream)>>>(
        params, grads, m, v, sizes, tensors, AdamWStep::make(lr, beta1, beta2, eps, weight_decay, step));
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    return PEFT4J_OK;
}
