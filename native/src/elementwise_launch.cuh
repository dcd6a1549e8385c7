// Internal: the launch shape of the grid-stride elementwise kernels.
#ifndef PEFT4J_ELEMENTWISE_LAUNCH_CUH
#define PEFT4J_ELEMENTWISE_LAUNCH_CUH

#include <cstdint>

namespace peft4j {

constexpr int kElementwiseThreads = 256;
constexpr int64_t kElementwiseMaxBlocks = 4096;  // beyond this, each thread loops (grid-stride)

// Blocks for count > 0 elements: enough for one element per thread, at most kElementwiseMaxBlocks.
inline unsigned elementwise_blocks(int64_t count) {
    const int64_t blocks = (count + kElementwiseThreads - 1) / kElementwiseThreads;
    return static_cast<unsigned>(blocks < kElementwiseMaxBlocks ? blocks : kElementwiseMaxBlocks);
}

__device__ inline int64_t grid_stride_start() {
    return static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}

__device__ inline int64_t grid_stride() { return static_cast<int64_t>(gridDim.x) * blockDim.x; }

}  // namespace peft4j

#endif
