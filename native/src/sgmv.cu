// Mixed-adapter LoRA for inference (what punica's SGMV serves): the rows of one batch use different LoRA
// adapters. After the shared base product y = x W^T (+ b), for each row i with adapter a = adapter_of[i] >= 0:
//   u = x[i] A_a^T            (shrink: r dot products of length in)
//   y[i] += s_a * u B_a^T     (expand: out dot products of length r)
// A stacked [adapters, r, in], B stacked [adapters, out, r], scales [adapters], adapter_of int32 [n] (-1: none).
// One block per row: the r shrink sums are block reductions in a fixed order (deterministic), u stays in shared
// memory, and each thread then expands a strided set of output columns. Rows of different adapters never
// interact, so a batch mixes any number of adapters in one launch.
#include <cuda_runtime.h>

#include <cstdint>

#include "block_reduce.cuh"
#include "checks.h"
#include "cuda_status.h"
#include "peft4j.h"

namespace peft4j {
namespace {

constexpr int kMaxRank = 128;

__global__ void sgmv_lora_kernel(const float* x, const float* a, const float* b, const float* scales,
                                 const int32_t* adapter_of, float* y, int64_t in, int64_t out, int64_t r,
                                 int64_t adapters) {
    __shared__ float u[kMaxRank];
    const int64_t i = blockIdx.x;
    const int64_t ad = adapter_of[i];
    if (ad < 0 || ad >= adapters) return;  // no adapter (or an id outside the stack): y keeps the base product
    const float* xi = x + i * in;
    const float* aa = a + ad * r * in;
    for (int64_t q = 0; q < r; ++q) {
        float partial = 0.0f;
        for (int64_t k = threadIdx.x; k < in; k += blockDim.x) partial = fmaf(xi[k], aa[q * in + k], partial);
        const float sum = block_sum(partial);
        if (threadIdx.x == 0) u[q] = sum;
    }
    __syncthreads();
    const float s = scales[ad];
    const float* bb = b + ad * out * r;
    for (int64_t o = threadIdx.x; o < out; o += blockDim.x) {
        float acc = 0.0f;
        for (int64_t q = 0; q < r; ++q) acc = fmaf(u[q], bb[o * r + q], acc);
        y[i * out + o] += s * acc;
    }
}

}  // namespace
}  // namespace peft4j

extern "C" int peft4j_sgmv_lora(const float* x, const float* a, const float* b, const float* scales,
                                const int32_t* adapter_of, float* y, int64_t n, int64_t in, int64_t out, int64_t r,
                                int64_t adapters, void* stream) {
    using namespace peft4j;
    if (any_negative({n, in, out, adapters})) return PEFT4J_ERROR_NEGATIVE_SIZE;
    if (r < 1) return PEFT4J_ERROR_RANK;
    if (r > kMaxRank || n > kMaxGridX) return PEFT4J_ERROR_TOO_LARGE;
    if (product_overflows(n, in) || product_overflows(n, out) || product_overflows(adapters, r) ||
        product_overflows(adapters * r, in) || product_overflows(adapters * r, out)) {
        return PEFT4J_ERROR_OVERFLOW;
    }
    if (missing(x, n * in) || missing(a, adapters * r * in) || missing(b, adapters * out * r) ||
        missing(scales, adapters) || missing(adapter_of, n) || missing(y, n * out)) {
        return PEFT4J_ERROR_NULL_POINTER;
    }
    if (n == 0 || adapters == 0) return PEFT4J_OK;
    sgmv_lora_kernel<<<static_cast<unsigned>(n), kRowThreads, 0, static_cast<cudaStream_t>(stream)>>>(
        x, a, b, scales, adapter_of, y, in, out, r, adapters);
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    return PEFT4J_OK;
}
