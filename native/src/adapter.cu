// The adapter bottleneck (DESIGN.md section 2): z = x W_d^T + b_d, y = residual + s (f(z) W_u^T + b_u).
// Forward: two tiled NT products; the second applies f to z as it loads it, and its epilogue adds the bias,
// scales and adds the residual, so y is written once and h = f(z) never exists in memory.
// Backward, with h = f(z): d y / d h = s W_u, so dh = s dy W_u and dz = dh (.) f'(z) (chain rule through f);
//   dW_u = s dy^T h, db_u = s sum_rows dy (y is linear in W_u, b_u with factor s),
//   dW_d = dz^T x, db_d = sum_rows dz, dx = dz W_d (z is linear in x, W_d, b_d),
//   d_scale = sum dy (.) (h W_u^T + b_u) (y is linear in s).
// dz goes to the workspace once (its epilogue applies f'), then feeds dW_d, db_d and dx.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

#include "activation_math.cuh"
#include "checks.h"
#include "column_reduce.cuh"
#include "cuda_status.h"
#include "gemm_epilogues.cuh"
#include "gemm_nt_tiled.cuh"
#include "gemm_operands.cuh"
#include "peft4j.h"

namespace peft4j {
namespace {

// f(z[j, k]) of a row-major [rows, cols] z, read as row j.
struct ActivatedRows {
    const float* z;
    int64_t cols;
    int f;
    __device__ float operator()(int64_t j, int64_t k) const { return activation_value(f, z[j * cols + k]); }
};

// f(z[k, j]): column j of f(z), read as a row of its transpose.
struct ActivatedColumns {
    const float* z;
    int64_t cols;
    int f;
    __device__ float operator()(int64_t j, int64_t k) const { return activation_value(f, z[k * cols + j]); }
};

struct AddScaledToResidual {  // y[i, j] = residual[i, j] + s (sum + b_up[j]); y may be residual
    float* y;
    const float* residual;
    const float* bias;
    float s;
    int64_t cols;
    __device__ void operator()(int64_t i, int64_t j, float sum) const {
        const int64_t at = i * cols + j;
        y[at] = residual[at] + s * (sum + (bias != nullptr ? bias[j] : 0.0f));
    }
};

struct ScaledByDerivative {  // dz[i, j] = s sum f'(z[i, j])
    float* dz;
    const float* z;
    int64_t cols;
    int f;
    float s;
    __device__ void operator()(int64_t i, int64_t j, float sum) const {
        const int64_t at = i * cols + j;
        dz[at] = s * sum * activation_derivative(f, z[at]);
    }
};

struct Scaled {  // out[i, j] = s sum
    float* out;
    int64_t cols;
    float s;
    __device__ void operator()(int64_t i, int64_t j, float sum) const { out[i * cols + j] = s * sum; }
};

struct Element {
    const float* data;
    int64_t cols;
    __device__ double operator()(int64_t r, int64_t c) const { return data[r * cols + c]; }
};

struct Product {  // a[r, c] b[r, c]
    const float* a;
    const float* b;
    int64_t cols;
    __device__ double operator()(int64_t r, int64_t c) const {
        return static_cast<double>(a[r * cols + c]) * b[r * cols + c];
    }
};

struct StoreScaledSum {
    float* out;
    double s;
    __device__ void operator()(int64_t c, double sum) const { out[c] = static_cast<float>(s * sum); }
};

struct StoreDoubleSum {
    double* out;
    __device__ void operator()(int64_t c, double sum) const { out[c] = sum; }
};

// d_scale[0] = sum of the d column sums, in column order.
__global__ void total_kernel(const double* columns, int64_t d, float* d_scale) {
    double sum = 0;
    for (int64_t c = 0; c < d; ++c) sum += columns[c];
    d_scale[0] = static_cast<float>(sum);
}

// Where the float64 column sums of d_scale start in the workspace: after dz and a, rounded up to 8 bytes.
int64_t column_sums_offset(int64_t n, int64_t d, int64_t m) { return (n * m + n * d + 1) / 2 * 2; }

bool known_activation(int f) { return f >= PEFT4J_ACTIVATION_IDENTITY && f <= PEFT4J_ACTIVATION_TANH; }

int check_adapter(int64_t n, int64_t d, int64_t m, int activation, float s) {
    if (any_negative({n, d, m})) return PEFT4J_ERROR_NEGATIVE_SIZE;
    if (product_overflows(n, d) || product_overflows(n, m) || product_overflows(d, m)) return PEFT4J_ERROR_OVERFLOW;
    if (!known_activation(activation)) return PEFT4J_ERROR_ACTIVATION;
    if (!std::isfinite(s)) return PEFT4J_ERROR_NOT_FINITE;
    if (n > GemmNtTile::kMaxRows || d > GemmNtTile::kMaxRows || m > GemmNtTile::kMaxRows ||
        d > GemmNtTile::kMaxCols || m > GemmNtTile::kMaxCols || d > ColumnReduce::kMaxCols) {
        return PEFT4J_ERROR_TOO_LARGE;
    }
    return PEFT4J_OK;
}

}  // namespace
}  // namespace peft4j

extern "C" int peft4j_adapter_forward(const float* x, const float* residual, const float* w_down, const float* b_down,
                                      const float* w_up, const float* b_up, int activation, float s, float* y,
                                      float* z, int64_t n, int64_t d, int64_t m, void* stream) {
    using namespace peft4j;
    const int checked = check_adapter(n, d, m, activation, s);
    if (checked != PEFT4J_OK) return checked;
    if (missing(x, n * d) || missing(residual, n * d) || missing(w_down, m * d) || missing(w_up, d * m) ||
        missing(y, n * d) || missing(z, n * m)) {
        return PEFT4J_ERROR_NULL_POINTER;
    }
    if (n * d == 0 && n * m == 0) return PEFT4J_OK;
    const cudaStream_t st = static_cast<cudaStream_t>(stream);
    if (n * m > 0) {  // z = x W_d^T + b_d
        gemm_nt_tiled_kernel<<<gemm_nt_tiled_grid(n, m), GemmNtTile::kThreads, 0, st>>>(
            n, m, d, RowMajor{x, d}, RowMajor{w_down, d}, StoreWithBias{z, b_down, m});
        PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    }
    if (n * d > 0) {  // y = residual + s (f(z) W_u^T + b_u)
        gemm_nt_tiled_kernel<<<gemm_nt_tiled_grid(n, d), GemmNtTile::kThreads, 0, st>>>(
            n, d, m, ActivatedRows{z, m, activation}, RowMajor{w_up, m}, AddScaledToResidual{y, residual, b_up, s, d});
        PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    }
    return PEFT4J_OK;
}

extern "C" int peft4j_adapter_backward_workspace(int64_t n, int64_t d, int64_t m, int with_scale, int64_t* floats) {
    using namespace peft4j;
    if (floats == nullptr) return PEFT4J_ERROR_NULL_POINTER;
    const int checked = check_adapter(n, d, m, PEFT4J_ACTIVATION_IDENTITY, 1.0f);
    if (checked != PEFT4J_OK) return checked;
    // dz [n, m]; with the scale also a = h W_u^T + b_u [n, d] and, 8-byte aligned, d column sums in float64
    if (n * m > INT64_MAX / 2 - n * d - 2 * d - 1) return PEFT4J_ERROR_OVERFLOW;
    *floats = with_scale ? column_sums_offset(n, d, m) + 2 * d : n * m;
    return PEFT4J_OK;
}

extern "C" int peft4j_adapter_backward(const float* dy, const float* x, const float* w_down, const float* w_up,
                                       const float* b_up, int activation, float s, const float* z, float* dx,
                                       float* dw_down, float* db_down, float* dw_up, float* db_up, float* d_scale,
                                       float* workspace, int64_t n, int64_t d, int64_t m, void* stream) {
    using namespace peft4j;
    const int checked = check_adapter(n, d, m, activation, s);
    if (checked != PEFT4J_OK) return checked;
    int64_t floats = 0;
    peft4j_adapter_backward_workspace(n, d, m, d_scale != nullptr, &floats);
    if (missing(dy, n * d) || missing(x, n * d) || missing(w_down, m * d) || missing(w_up, d * m) ||
        missing(z, n * m) || missing(workspace, floats)) {
        return PEFT4J_ERROR_NULL_POINTER;
    }
    const cudaStream_t st = static_cast<cudaStream_t>(stream);
    float* dz = workspace;
    const bool need_dz = dx != nullptr || dw_down != nullptr || db_down != nullptr;
    if (need_dz && n * m > 0) {  // dz = (s dy W_u) (.) f'(z): dy [n, d] times W_u [d, m]
        gemm_nt_tiled_kernel<<<gemm_nt_tiled_grid(n, m), GemmNtTile::kThreads, 0, st>>>(
            n, m, d, RowMajor{dy, d}, Transposed{w_up, m}, ScaledByDerivative{dz, z, m, activation, s});
        PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    }
    if (dw_up != nullptr && d * m > 0) {  // dW_u = s dy^T h: [d, m], summed over the n rows
        gemm_nt_tiled_kernel<<<gemm_nt_tiled_grid(d, m), GemmNtTile::kThreads, 0, st>>>(
            d, m, n, Transposed{dy, d}, ActivatedColumns{z, m, activation}, Scaled{dw_up, m, s});
        PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    }
    if (db_up != nullptr && d > 0) {
        column_reduce_kernel<<<column_reduce_grid(d), column_reduce_block(), 0, st>>>(n, d, Element{dy, d},
                                                                                    StoreScaledSum{db_up, s});
        PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    }
    if (dw_down != nullptr && m * d > 0) {  // dW_d = dz^T x: [m, d]
        gemm_nt_tiled_kernel<<<gemm_nt_tiled_grid(m, d), GemmNtTile::kThreads, 0, st>>>(
            m, d, n, Transposed{dz, m}, Transposed{x, d}, Scaled{dw_down, d, 1.0f});
        PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    }
    if (db_down != nullptr && m > 0) {
        column_reduce_kernel<<<column_reduce_grid(m), column_reduce_block(), 0, st>>>(n, m, Element{dz, m},
                                                                                    StoreScaledSum{db_down, 1.0});
        PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    }
    if (dx != nullptr && n * d > 0) {  // dx = dz W_d: dz [n, m] times W_d [m, d]
        gemm_nt_tiled_kernel<<<gemm_nt_tiled_grid(n, d), GemmNtTile::kThreads, 0, st>>>(
            n, d, m, RowMajor{dz, m}, Transposed{w_down, d}, Scaled{dx, d, 1.0f});
        PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    }
    if (d_scale != nullptr) {  // a = h W_u^T + b_u, then sum dy (.) a: per column in float64, then the columns
        float* a = workspace + n * m;
        double* columns = reinterpret_cast<double*>(workspace + column_sums_offset(n, d, m));
        if (n * d > 0) {
            gemm_nt_tiled_kernel<<<gemm_nt_tiled_grid(n, d), GemmNtTile::kThreads, 0, st>>>(
                n, d, m, ActivatedRows{z, m, activation}, RowMajor{w_up, m}, StoreWithBias{a, b_up, d});
            column_reduce_kernel<<<column_reduce_grid(d), column_reduce_block(), 0, st>>>(n, d, Product{dy, a, d},
                                                                                        StoreDoubleSum{columns});
        }
        total_kernel<<<1, 1, 0, st>>>(columns, n * d > 0 ? d : 0, d_scale);
        PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    }
    return PEFT4J_OK;
}
