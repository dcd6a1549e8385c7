// BitFit: bias gradients and the fused masked update (dev.peft4j.backend.Backend.biasGradient,
// maskedBiasUpdate). dy [rows, dim] (every leading dimension flattened into rows), bias, mask, m, v, db [dim]:
//   bias gradient:  db = sum_rows dy
//   masked update:  g = sum_rows dy (rounded to float, as the reference stores it; written to db when db is
//                   not NULL), then where mask[c] != 0 one AdamW step (adamw_step.cuh) on bias[c], m[c], v[c];
//                   elsewhere all three stay as they are.
// Both are one launch of the column reduction; the update runs in its epilogue, so g never round-trips
// through memory.
#include <cuda_runtime.h>

#include <cstdint>

#include "adamw_step.cuh"
#include "checks.h"
#include "column_reduce.cuh"
#include "cuda_status.h"
#include "peft4j.h"

namespace peft4j {
namespace {

struct Element {
    const float* dy;
    int64_t dim;
    __device__ double operator()(int64_t r, int64_t c) const { return dy[r * dim + c]; }
};

struct StoreGradient {
    float* db;
    __device__ void operator()(int64_t c, double sum) const { db[c] = static_cast<float>(sum); }
};

struct MaskedAdamW {
    float* bias;
    const float* mask;
    float* m;
    float* v;
    float* db;
    AdamWStep step;
    __device__ void operator()(int64_t c, double sum) const {
        const float g = static_cast<float>(sum);
        if (db != nullptr) db[c] = g;
        if (mask[c] != 0.0f) step.apply(bias[c], m[c], v[c], g);
    }
};

int check_sizes(int64_t rows, int64_t dim) {
    const int matrix = check_matrix(rows, dim);
    if (matrix != PEFT4J_OK) return matrix;
    if (dim > ColumnReduce::kMaxCols) return PEFT4J_ERROR_TOO_LARGE;
    return PEFT4J_OK;
}

}  // namespace
}  // namespace peft4j

extern "C" int peft4j_bias_gradient(const float* dy, float* db, int64_t rows, int64_t dim, void* stream) {
    using namespace peft4j;
    const int sizes = check_sizes(rows, dim);
    if (sizes != PEFT4J_OK) return sizes;
    if (missing(dy, rows * dim) || missing(db, dim)) return PEFT4J_ERROR_NULL_POINTER;
    if (dim == 0) return PEFT4J_OK;
    column_reduce_kernel<<<column_reduce_grid(dim), column_reduce_block(), 0, static_cast<cudaStream_t>(stream)>>>(
        rows, dim, Element{dy, dim}, StoreGradient{db});
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    return PEFT4J_OK;
}

extern "C" int peft4j_masked_bias_update(const float* dy, float* bias, const float* mask, float* m, float* v,
                                         float* db, int64_t rows, int64_t dim, float lr, float beta1, float beta2,
                                         float eps, float weight_decay, int64_t step, void* stream) {
    using namespace peft4j;
    const int sizes = check_sizes(rows, dim);
    if (sizes != PEFT4J_OK) return sizes;
    if (missing(dy, rows * dim) || missing(bias, dim) || missing(mask, dim) || missing(m, dim) || missing(v, dim)) {
        return PEFT4J_ERROR_NULL_POINTER;
    }
    const int hp = check_adamw(lr, beta1, beta2, eps, weight_decay, step);
    if (hp != PEFT4J_OK) return hp;
    if (dim == 0) return PEFT4J_OK;
    column_reduce_kernel<<<column_reduce_grid(dim), column_reduce_block(), 0, static_cast<cudaStream_t>(stream)>>>(
        rows, dim, Element{dy, dim},
        MaskedAdamW{bias, mask, m, v, db, AdamWStep::make(lr, beta1, beta2, eps, weight_decay, step)});
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    return PEFT4J_OK;
}
