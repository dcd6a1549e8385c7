// Internal: epilogues of gemm_nt_tiled_kernel shared by several kernel families (each stores one finished element).
#ifndef PEFT4J_GEMM_EPILOGUES_CUH
#define PEFT4J_GEMM_EPILOGUES_CUH

#include <cstdint>

namespace peft4j {

// out[i, j] = sum + bias[j] (bias NULL: 0), row-major with cols columns.
struct StoreWithBias {
    float* out;
    const float* bias;
    int64_t cols;
    __device__ void operator()(int64_t i, int64_t j, float sum) const {
        out[i * cols + j] = sum + (bias != nullptr ? bias[j] : 0.0f);
    }
};

}  // namespace peft4j

#endif
