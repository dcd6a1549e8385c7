// Inverted dropout with the counter-based hash of dev.peft4j.backend.DropoutHash, so a seed gives the same mask
// bit for bit on every backend. For the flat index i:
//   z = seed + (i + 1) * 0x9E3779B97F4A7C15 (mod 2^64), SplitMix64 finaliser, uniform = (z >> 40) * 2^-24
//   mask[i] = uniform >= p ? keep_scale : 0,  keep_scale = (float)(1 / (1 - p)) computed in double
//   y[i] = x[i] * mask[i]
// Elementwise (grid-stride); y may alias x.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

#include "checks.h"
#include "cuda_status.h"
#include "elementwise_launch.cuh"
#include "peft4j.h"

namespace peft4j {
namespace {

__device__ inline float dropout_uniform(uint64_t seed, uint64_t index) {
    uint64_t z = seed + (index + 1) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z = z ^ (z >> 31);
    return static_cast<float>(z >> 40) * 0x1.0p-24f;
}

__global__ void dropout_kernel(const float* x, float p, uint64_t seed, float keep_scale, float* y, float* mask,
                               int64_t count) {
    for (int64_t i = grid_stride_start(); i < count; i += grid_stride()) {
        const float m = dropout_uniform(seed, static_cast<uint64_t>(i)) >= p ? keep_scale : 0.0f;
        if (mask != nullptr) mask[i] = m;
        y[i] = static_cast<float>(static_cast<double>(x[i]) * m);
    }
}

}  // namespace
}  // namespace peft4j

extern "C" int peft4j_dropout_forward(const float* x, float p, int64_t seed, float* y, float* mask, int64_t count,
                                      void* stream) {
    using namespace peft4j;
    if (count < 0) return PEFT4J_ERROR_NEGATIVE_SIZE;
    if (std::isnan(p)) return PEFT4J_ERROR_NOT_FINITE;
    if (!(p >= 0.0f && p < 1.0f)) return PEFT4J_ERROR_OUT_OF_RANGE;
    if (missing(x, count) || missing(y, count)) return PEFT4J_ERROR_NULL_POINTER;
    if (count == 0) return PEFT4J_OK;
    const float keep_scale = static_cast<float>(1.0 / (1.0 - static_cast<double>(p)));
    dropout_kernel<<<elementwise_blocks(count), kElementwiseThreads, 0, static_cast<cudaStream_t>(stream)>>>(
        x, p, static_cast<uint64_t>(seed), keep_scale, y, mask, count);
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    return PEFT4J_OK;
}
