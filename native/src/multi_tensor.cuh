// Internal: the launch shape of kernels over a list of tensors given as device arrays of pointers and int64
// sizes: grid y walks the tensors (strided past 65535), grid x strides over each tensor's elements. The host
// passes max_size, the largest size, only to size grid x; an entry with size <= 0 or a NULL pointer is
// skipped on the device (the arrays' contents cannot be checked on the host without a copy).
#ifndef PEFT4J_MULTI_TENSOR_CUH
#define PEFT4J_MULTI_TENSOR_CUH

#include <cstdint>

#include "elementwise_launch.cuh"

namespace peft4j {

constexpr int64_t kMaxGridY = 65535;

inline dim3 multi_tensor_grid(int64_t max_size, int64_t tensors) {
    return dim3(elementwise_blocks(max_size),
                static_cast<unsigned>(tensors < kMaxGridY ? tensors : kMaxGridY));
}

}  // namespace peft4j

#endif
