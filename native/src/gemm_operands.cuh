// Internal: operand functors for gemm_nt_tiled_kernel, which reads P(i, k) and Q(j, k).
#ifndef PEFT4J_GEMM_OPERANDS_CUH
#define PEFT4J_GEMM_OPERANDS_CUH

#include <cstdint>

namespace peft4j {

// Row j of a row-major [rows, cols] matrix: (j, k) -> data[j * cols + k].
struct RowMajor {
    const float* data;
    int64_t cols;
    __device__ float operator()(int64_t j, int64_t k) const { return data[j * cols + k]; }
};

// Column j of a row-major [k_rows, cols] matrix, i.e. row j of its transpose: (j, k) -> data[k * cols + j].
// (The tile loader walks k fastest, so these reads are strided: correct, not yet coalesced.)
struct Transposed {
    const float* data;
    int64_t cols;
    __device__ float operator()(int64_t j, int64_t k) const { return data[k * cols + j]; }
};

}  // namespace peft4j

#endif
