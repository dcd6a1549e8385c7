// General and linear-layer matrix products on the tiled NT kernel (gemm_nt_tiled.cuh), for the contract's gemm,
// linearForward and linearBackward (a first, correctness-first version; cuBLAS is the faster path to add):
//   gemm:    C = alpha op(A) op(B) + beta C, op(X) = X or X^T, per batch index; beta = 0 never reads C
//   linear:  y = x W^T + b;  dx = dy W,  dW = dy^T x,  db = sum_rows dy
// In NT form C[i, j] = sum_l P(i, l) Q(j, l): P(i, l) = op(A)[i, l] and Q(j, l) = op(B)[l, j], read through
// RowMajor or Transposed functors, so no transpose is ever materialised.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

#include "checks.h"
#include "column_reduce.cuh"
#include "cuda_status.h"
#include "gemm_epilogues.cuh"
#include "gemm_nt_tiled.cuh"
#include "gemm_operands.cuh"
#include "peft4j.h"

namespace peft4j {
namespace {

struct AlphaBeta {  // c[i, j] = alpha sum + beta c[i, j] (c unread when beta = 0)
    float* c;
    int64_t cols;
    float alpha, beta;
    __device__ void operator()(int64_t i, int64_t j, float sum) const {
        const int64_t at = i * cols + j;
        c[at] = beta == 0.0f ? alpha * sum : fmaf(beta, c[at], alpha * sum);
    }
};

struct Column {
    const float* data;
    int64_t cols;
    __device__ double operator()(int64_t r, int64_t c) const { return data[r * cols + c]; }
};

struct Store {
    float* out;
    __device__ void operator()(int64_t c, double sum) const { out[c] = static_cast<float>(sum); }
};

template <typename P, typename Q, typename E>
int launch(int64_t m, int64_t n, int64_t k, P p, Q q, E e, cudaStream_t st) {
    if (m == 0 || n == 0) return PEFT4J_OK;
    gemm_nt_tiled_kernel<<<gemm_nt_tiled_grid(m, n), GemmNtTile::kThreads, 0, st>>>(m, n, k, p, q, e);
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    return PEFT4J_OK;
}

int check_product(int64_t m, int64_t n, int64_t k) {
    if (any_negative({m, n, k})) return PEFT4J_ERROR_NEGATIVE_SIZE;
    if (product_overflows(m, k) || product_overflows(k, n) || product_overflows(m, n)) return PEFT4J_ERROR_OVERFLOW;
    if (m > GemmNtTile::kMaxRows || n > GemmNtTile::kMaxCols || n > ColumnReduce::kMaxCols) {
        return PEFT4J_ERROR_TOO_LARGE;
    }
    return PEFT4J_OK;
}

}  // namespace
}  // namespace peft4j

extern "C" int peft4j_gemm(const float* a, int trans_a, const float* b, int trans_b, float* c, float alpha, float beta,
                           int64_t batch, int64_t m, int64_t n, int64_t k, void* stream) {
    using namespace peft4j;
    if (batch < 0) return PEFT4J_ERROR_NEGATIVE_SIZE;
    const int checked = check_product(m, n, k);
    if (checked != PEFT4J_OK) return checked;
    if (product_overflows(batch, m * k) || product_overflows(batch, k * n) || product_overflows(batch, m * n)) {
        return PEFT4J_ERROR_OVERFLOW;
    }
    if (!std::isfinite(alpha) || !std::isfinite(beta)) return PEFT4J_ERROR_NOT_FINITE;
    if (missing(a, batch * m * k) || missing(b, batch * k * n) || missing(c, batch * m * n)) {
        return PEFT4J_ERROR_NULL_POINTER;
    }
    const cudaStream_t st = static_cast<cudaStream_t>(stream);
    for (int64_t p = 0; p < batch; ++p) {
        const float* ap = a + p * m * k;
        const float* bp = b + p * k * n;
        const AlphaBeta e{c + p * m * n, n, alpha, beta};
        int s;
        if (!trans_a && !trans_b) {
            s = launch(m, n, k, RowMajor{ap, k}, Transposed{bp, n}, e, st);
        } else if (!trans_a) {
            s = launch(m, n, k, RowMajor{ap, k}, RowMajor{bp, k}, e, st);
        } else if (!trans_b) {
            s = launch(m, n, k, Transposed{ap, m}, Transposed{bp, n}, e, st);
        } else {
            s = launch(m, n, k, Transposed{ap, m}, RowMajor{bp, k}, e, st);
        }
        if (s != PEFT4J_OK) return s;
    }
    return PEFT4J_OK;
}

extern "C" int peft4j_linear_forward(const float* x, const float* w, const float* bias, float* y, int64_t n, int64_t in,
                                     int64_t out, void* stream) {
    using namespace peft4j;
    const int checked = check_product(n, out, in);
    if (checked != PEFT4J_OK) return checked;
    if (missing(x, n * in) || missing(w, out * in) || missing(y, n * out)) return PEFT4J_ERROR_NULL_POINTER;
    return launch(n, out, in, RowMajor{x, in}, RowMajor{w, in}, StoreWithBias{y, bias, out}, static_cast<cudaStream_t>(stream));
}

extern "C" int peft4j_linear_backward(const float* dy, const float* x, const float* w, float* dx, float* dw, float* db,
                                      int64_t n, int64_t in, int64_t out, void* stream) {
    using namespace peft4j;
    const int checked = check_product(n, in, out);
    if (checked != PEFT4J_OK) return checked;
    if (check_product(out, in, n) != PEFT4J_OK) return check_product(out, in, n);
    if (missing(dy, n * out) || (dx != nullptr && missing(w, out * in)) || (dw != nullptr && missing(x, n * in))) {
        return PEFT4J_ERROR_NULL_POINTER;
    }
    const cudaStream_t st = static_cast<cudaStream_t>(stream);
    if (dx != nullptr) {  // dx = dy W: [n, in], Q(j, l) = W[l, j]
        const int s = launch(n, in, out, RowMajor{dy, out}, Transposed{w, in}, AlphaBeta{dx, in, 1.0f, 0.0f}, st);
        if (s != PEFT4J_OK) return s;
    }
    if (dw != nullptr) {  // dW = dy^T x: [out, in], P(i, l) = dy[l, i], Q(j, l) = x[l, j]
        const int s = launch(out, in, n, Transposed{dy, out}, Transposed{x, in}, AlphaBeta{dw, in, 1.0f, 0.0f}, st);
        if (s != PEFT4J_OK) return s;
    }
    if (db != nullptr && out > 0) {
        column_reduce_kernel<<<column_reduce_grid(out), column_reduce_block(), 0, st>>>(n, out, Column{dy, out},
                                                                                      Store{db});
        PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    }
    return PEFT4J_OK;
}
