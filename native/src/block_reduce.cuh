// Internal: block-wide reductions for the row-wise kernels (one block of kRowThreads threads per row).
// Every thread gets the result; the order of additions is fixed, so results are deterministic.
#ifndef PEFT4J_BLOCK_REDUCE_CUH
#define PEFT4J_BLOCK_REDUCE_CUH

#include <cstdint>

namespace peft4j {

constexpr int kRowThreads = 256;  // threads per block of a row-wise kernel (a multiple of 32)

template <typename T, typename Op>
__device__ T warp_reduce(T v, Op op) {
#pragma unroll
    for (int offset = 16; offset > 0; offset /= 2) v = op(v, __shfl_xor_sync(0xffffffffu, v, offset));
    return v;
}

// Reduces v over the block with op; every thread returns the result. Contains __syncthreads, so every
// thread of the block must call it.
template <typename T, typename Op>
__device__ T block_reduce(T v, Op op) {
    __shared__ T partial[32];
    const int lane = threadIdx.x % 32;
    const int warp = threadIdx.x / 32;
    const int warps = (blockDim.x + 31) / 32;
    v = warp_reduce(v, op);
    __syncthreads();  // partial may still be read by a previous call
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    T r = partial[0];
    for (int w = 1; w < warps; ++w) r = op(r, partial[w]);
    return r;
}

struct Plus {
    template <typename T>
    __device__ T operator()(T a, T b) const { return a + b; }
};

struct Max {
    __device__ float operator()(float a, float b) const { return fmaxf(a, b); }
};

template <typename T>
__device__ T block_sum(T v) { return block_reduce(v, Plus{}); }

__device__ inline float block_max(float v) { return block_reduce(v, Max{}); }

}  // namespace peft4j

#endif
