// Mean pooling over the sequence, x [batch, seq, dim], mask [batch, seq] or NULL (all ones), out [batch, dim]:
//   forward:  out[b, e] = sum_t mask[b, t] x[b, t, e] / max(1, sum_t mask[b, t])
//   backward: dx[b, t, e] = mask[b, t] d_out[b, e] / max(1, sum_t mask[b, t])
// Derivation: out is linear in x with d out[b, e] / d x[b, t, e] = mask[b, t] / max(1, sum_t mask[b, t]).
// One block per batch row; the mask sum and the weighted sums in float64, in ascending t.
#include <cuda_runtime.h>

#include <cstdint>

#include "checks.h"
#include "cuda_status.h"
#include "peft4j.h"

namespace peft4j {
namespace {

constexpr int kPoolThreads = 128;

__device__ double mask_weight(const float* mask, int64_t b, int64_t seq, int64_t t) {
    return mask == nullptr ? 1.0 : static_cast<double>(mask[b * seq + t]);
}

__device__ double pool_denominator(const float* mask, int64_t b, int64_t seq) {
    double sum = 0;
    for (int64_t t = 0; t < seq; ++t) sum += mask_weight(mask, b, seq, t);
    return sum > 1.0 ? sum : 1.0;
}

__global__ void mean_pool_forward_kernel(const float* x, const float* mask, float* out, int64_t seq, int64_t dim) {
    const int64_t b = blockIdx.x;
    const double denom = pool_denominator(mask, b, seq);
    for (int64_t e = threadIdx.x; e < dim; e += blockDim.x) {
        double sum = 0;
        for (int64_t t = 0; t < seq; ++t) sum += mask_weight(mask, b, seq, t) * x[(b * seq + t) * dim + e];
        out[b * dim + e] = static_cast<float>(sum / denom);
    }
}

__global__ void mean_pool_backward_kernel(const float* d_out, const float* mask, float* dx, int64_t seq, int64_t dim) {
    const int64_t b = blockIdx.x;
    const double denom = pool_denominator(mask, b, seq);
    for (int64_t t = 0; t < seq; ++t) {
        const double w = mask_weight(mask, b, seq, t) / denom;
        for (int64_t e = threadIdx.x; e < dim; e += blockDim.x) {
            dx[(b * seq + t) * dim + e] = static_cast<float>(w * d_out[b * dim + e]);
        }
    }
}

int check_pool(int64_t batch, int64_t seq, int64_t dim) {
    if (any_negative({batch, seq, dim})) return PEFT4J_ERROR_NEGATIVE_SIZE;
    if (product_overflows(batch, seq) || product_overflows(batch * seq, dim)) return PEFT4J_ERROR_OVERFLOW;
    if (batch > kMaxGridX) return PEFT4J_ERROR_TOO_LARGE;
    return PEFT4J_OK;
}

}  // namespace
}  // namespace peft4j

extern "C" int peft4j_mean_pool_forward(const float* x, const float* mask, float* out, int64_t batch, int64_t seq,
                                        int64_t dim, void* stream) {
    using namespace peft4j;
    const int sizes = check_pool(batch, seq, dim);
    if (sizes != PEFT4J_OK) return sizes;
    if (missing(x, batch * seq * dim) || missing(out, batch * dim)) return PEFT4J_ERROR_NULL_POINTER;
    if (batch * dim == 0) return PEFT4J_OK;
    mean_pool_forward_kernel<<<static_cast<unsigned>(batch), kPoolThreads, 0, static_cast<cudaStream_t>(stream)>>>(
        x, mask, out, seq, dim);
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    return PEFT4J_OK;
}

extern "C" int peft4j_mean_pool_backward(const float* d_out, const float* mask, float* dx, int64_t batch, int64_t seq,
                                         int64_t dim, void* stream) {
    using namespace peft4j;
    const int sizes = check_pool(batch, seq, dim);
    if (sizes != PEFT4J_OK) return sizes;
    if (missing(d_out, batch * dim) || missing(dx, batch * seq * dim)) return PEFT4J_ERROR_NULL_POINTER;
    if (batch * seq * dim == 0) return PEFT4J_OK;
    mean_pool_backward_kernel<<<static_cast<unsigned>(batch), kPoolThreads, 0, static_cast<cudaStream_t>(stream)>>>(
        d_out, mask, dx, seq, dim);
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    return PEFT4J_OK;
}
