// Layer norm over the last dimension (DESIGN.md section 2), rows of x [rows, dim]:
//   forward:  mean = sum(x)/dim, var = sum((x - mean)^2)/dim (biased, two passes), rstd = 1/sqrt(var + eps),
//             x^ = (x - mean) * rstd, y = x^ (.) gamma + beta;  mean, rstd [rows] saved.
//   backward: with g^ = dy (.) gamma:  dx = rstd * (g^ - mean(g^) - x^ * mean(g^ (.) x^)),
//             dgamma = sum_rows dy (.) x^,  dbeta = sum_rows dy.
// Derivation of dx: d x^_i / d x_k = rstd * (delta_ik - 1/dim - x^_i x^_k / dim), so
//   dx_k = sum_i g^_i d x^_i/d x_k = rstd * (g^_k - mean(g^) - x^_k mean(g^ (.) x^)).
// One block per row for the row-wise parts (x^ is recomputed from the saved mean and rstd, never stored);
// dgamma and dbeta are deterministic column reductions.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

#include "block_reduce.cuh"
#include "checks.h"
#include "column_reduce.cuh"
#include "cuda_status.h"
#include "peft4j.h"

namespace peft4j {
namespace {

__global__ void __launch_bounds__(kRowThreads)
layer_norm_forward_kernel(const float* x, const float* gamma, const float* beta, float eps, float* y,
                          float* mean, float* rstd, int64_t dim) {
    const int64_t row = blockIdx.x;
    const float* xr = x + row * dim;
    float sum = 0;
    for (int64_t i = threadIdx.x; i < dim; i += blockDim.x) sum += xr[i];
    const float mu = block_sum(sum) / static_cast<float>(dim);
    float squares = 0;
    for (int64_t i = threadIdx.x; i < dim; i += blockDim.x) {
        const float c = xr[i] - mu;
        squares = fmaf(c, c, squares);
    }
    const float var = block_sum(squares) / static_cast<float>(dim);
    const float rs = 1.0f / sqrtf(var + eps);
    float* yr = y + row * dim;
    for (int64_t i = threadIdx.x; i < dim; i += blockDim.x) {
        const float normalised = (xr[i] - mu) * rs;
        yr[i] = beta == nullptr ? normalised * gamma[i] : fmaf(normalised, gamma[i], beta[i]);
    }
    if (threadIdx.x == 0) {
        mean[row] = mu;
        rstd[row] = rs;
    }
}

__global__ void __launch_bounds__(kRowThreads)
layer_norm_backward_dx_kernel(const float* dy, const float* x, const float* gamma, const float* mean,
                              const float* rstd, float* dx, int64_t dim) {
    const int64_t row = blockIdx.x;
    const float* dyr = dy + row * dim;
    const float* xr = x + row * dim;
    const float mu = mean[row];
    const float rs = rstd[row];
    float sum_g = 0, sum_gx = 0;
    for (int64_t i = threadIdx.x; i < dim; i += blockDim.x) {
        const float g = dyr[i] * gamma[i];
        sum_g += g;
        sum_gx = fmaf(g, (xr[i] - mu) * rs, sum_gx);
    }
    const float mean_g = block_sum(sum_g) / static_cast<float>(dim);
    const float mean_gx = block_sum(sum_gx) / static_cast<float>(dim);
    float* dxr = dx + row * dim;
    for (int64_t i = threadIdx.x; i < dim; i += blockDim.x) {
        const float xhat = (xr[i] - mu) * rs;
        dxr[i] = rs * (dyr[i] * gamma[i] - mean_g - xhat * mean_gx);
    }
}

// dy[r, c] * x^[r, c]
struct GradTimesNormalised {
    const float* dy;
    const float* x;
    const float* mean;
    const float* rstd;
    int64_t dim;
    __device__ double operator()(int64_t r, int64_t c) const {
        const int64_t at = r * dim + c;
        return static_cast<double>(dy[at]) * ((x[at] - mean[r]) * rstd[r]);
    }
};

struct Element {
    const float* data;
    int64_t dim;
    __device__ double operator()(int64_t r, int64_t c) const { return data[r * dim + c]; }
};

struct Store {
    float* out;
    __device__ void operator()(int64_t c, double sum) const { out[c] = static_cast<float>(sum); }
};

int check_sizes(int64_t rows, int64_t dim) {
    const int matrix = check_matrix(rows, dim);
    if (matrix != PEFT4J_OK) return matrix;
    if (rows > 0 && dim == 0) return PEFT4J_ERROR_ZERO_WIDTH;
    if (rows > kMaxGridX || dim > ColumnReduce::kMaxCols) return PEFT4J_ERROR_TOO_LARGE;
    return PEFT4J_OK;
}

}  // namespace
}  // namespace peft4j

extern "C" int peft4j_layer_norm_forward(const float* x, const float* gamma, const float* beta, float eps,
                                         float* y, float* mean, float* rstd, int64_t rows, int64_t dim,
                                         void* stream) {
    using namespace peft4j;
    const int sizes = check_sizes(rows, dim);
    if (sizes != PEFT4J_OK) return sizes;
    if (missing(x, rows * dim) || missing(gamma, dim) || missing(y, rows * dim) || missing(mean, rows) ||
        missing(rstd, rows)) {
        return PEFT4J_ERROR_NULL_POINTER;
    }
    if (!std::isfinite(eps)) return PEFT4J_ERROR_NOT_FINITE;
    if (eps <= 0) return PEFT4J_ERROR_OUT_OF_RANGE;
    if (rows == 0) return PEFT4J_OK;

    layer_norm_forward_kernel<<<static_cast<unsigned>(rows), kRowThreads, 0, static_cast<cudaStream_t>(stream)>>>(
        x, gamma, beta, eps, y, mean, rstd, dim);
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    return PEFT4J_OK;
}

extern "C" int peft4j_layer_norm_backward(const float* dy, const float* x, const float* gamma, const float* mean,
                                          const float* rstd, float* dx, float* dgamma, float* dbeta,
                                          int64_t rows, int64_t dim, void* stream) {
    using namespace peft4j;
    const int sizes = check_sizes(rows, dim);
    if (sizes != PEFT4J_OK) return sizes;
    if (missing(dy, rows * dim) || missing(x, rows * dim) || missing(gamma, dim) || missing(mean, rows) ||
        missing(rstd, rows)) {
        return PEFT4J_ERROR_NULL_POINTER;
    }
    const cudaStream_t cuda_stream = static_cast<cudaStream_t>(stream);
    if (dx != nullptr && rows > 0) {
        layer_norm_backward_dx_kernel<<<static_cast<unsigned>(rows), kRowThreads, 0, cuda_stream>>>(
            dy, x, gamma, mean, rstd, dx, dim);
        PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    }
    if (dim == 0) return PEFT4J_OK;
    if (dgamma != nullptr) {
        column_reduce_kernel<<<column_reduce_grid(dim), column_reduce_block(), 0, cuda_stream>>>(
            rows, dim, GradTimesNormalised{dy, x, mean, rstd, dim}, Store{dgamma});
        PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    }
    if (dbeta != nullptr) {
        column_reduce_kernel<<<column_reduce_grid(dim), column_reduce_block(), 0, cuda_stream>>>(
            rows, dim, Element{dy, dim}, Store{dbeta});
        PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    }
    return PEFT4J_OK;
}
