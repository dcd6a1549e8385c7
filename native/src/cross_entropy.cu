// Softmax cross-entropy over rows of logits [n, c] with int32 targets [n] on the device; rows whose target
// is PEFT4J_IGNORE_INDEX (-100) are ignored; count = the rows not ignored.
//   forward:  probs = softmax(logits) per row (every row);  lse_i = log sum_c e^(logits[i, c])
//             row_loss[i] = lse_i - logits[i, t_i]  (= -log probs[i, t_i]; 0 for an ignored row)
//             loss[0] = sum_i row_loss[i] / count    (0 when count = 0)
//   backward: dlogits = scale * (probs - onehot(targets)) / count; ignored rows get 0.
// Derivation: d(lse - z_t)/d z_c = p_c - [c = t]; the loss is the mean of those terms times scale.
// A target outside [0, c) that is not the ignore index is never used as an index: its row_loss, the loss
// and its row of dlogits become NaN (the Java side rejects such targets before calling).
// The loss is reduced on the device in a fixed order (one block, float64), so there is no host round trip
// and the result is deterministic; the backward's blocks each count the targets themselves (O(n) int reads
// per row, against O(c) floats of the row itself), so it needs no workspace.
#include <cuda_runtime.h>

#include <cstdint>

#include "block_reduce.cuh"
#include "checks.h"
#include "cuda_status.h"
#include "peft4j.h"

namespace peft4j {
namespace {

__device__ bool counted(int32_t target) { return target != PEFT4J_IGNORE_INDEX; }

__global__ void __launch_bounds__(kRowThreads)
cross_entropy_rows_kernel(const float* logits, const int32_t* targets, float* probs, float* row_loss, int64_t c) {
    const int64_t row = blockIdx.x;
    const float* z = logits + row * c;
    float m = -INFINITY;
    for (int64_t i = threadIdx.x; i < c; i += blockDim.x) m = fmaxf(m, z[i]);
    const float max = block_max(m);
    float sum = 0;
    for (int64_t i = threadIdx.x; i < c; i += blockDim.x) sum += expf(z[i] - max);
    const float total = block_sum(sum);
    const float inv_total = 1.0f / total;
    float* p = probs + row * c;
    for (int64_t i = threadIdx.x; i < c; i += blockDim.x) p[i] = expf(z[i] - max) * inv_total;
    if (threadIdx.x == 0) {
        const int32_t t = targets[row];
        float loss = 0.0f;
        if (counted(t)) loss = (t >= 0 && t < c) ? max + logf(total) - z[t] : NAN;
        row_loss[row] = loss;
    }
}

__global__ void __launch_bounds__(kRowThreads)
cross_entropy_mean_kernel(const float* row_loss, const int32_t* targets, float* loss, int64_t n) {
    double sum = 0;
    long long count = 0;
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
        if (counted(targets[i])) {
            sum += row_loss[i];
            ++count;
        }
    }
    const double total = block_sum(sum);
    const long long rows = block_sum(count);
    if (threadIdx.x == 0) loss[0] = rows == 0 ? 0.0f : static_cast<float>(total / static_cast<double>(rows));
}

__global__ void __launch_bounds__(kRowThreads)
cross_entropy_backward_kernel(const float* probs, const int32_t* targets, float scale, float* dlogits, int64_t n,
                              int64_t c) {
    long long count = 0;
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) count += counted(targets[i]) ? 1 : 0;
    const long long rows = block_sum(count);
    const int64_t row = blockIdx.x;
    const int32_t t = targets[row];
    const float* p = probs + row * c;
    float* d = dlogits + row * c;
    if (!counted(t)) {
        for (int64_t i = threadIdx.x; i < c; i += blockDim.x) d[i] = 0.0f;
        return;
    }
    const bool valid = t >= 0 && t < c;
    const float factor = scale / static_cast<float>(rows);
    for (int64_t i = threadIdx.x; i < c; i += blockDim.x) {
        d[i] = valid ? factor * (p[i] - (i == t ? 1.0f : 0.0f)) : NAN;
    }
}

int check_sizes(int64_t n, int64_t c) {
    const int matrix = check_matrix(n, c);
    if (matrix != PEFT4J_OK) return matrix;
    if (n > 0 && c == 0) return PEFT4J_ERROR_ZERO_WIDTH;
    if (n > kMaxGridX) return PEFT4J_ERROR_TOO_LARGE;
    return PEFT4J_OK;
}

}  // namespace
}  // namespace peft4j

extern "C" int peft4j_cross_entropy_forward(const float* logits, const int32_t* targets, float* probs,
                                            float* row_loss, float* loss, int64_t n, int64_t c, void* stream) {
    using namespace peft4j;
    const int sizes = check_sizes(n, c);
    if (sizes != PEFT4J_OK) return sizes;
    if (missing(logits, n * c) || missing(targets, n) || missing(probs, n * c) || missing(row_loss, n) ||
        loss == nullptr) {
        return PEFT4J_ERROR_NULL_POINTER;
    }
    const cudaStream_t cuda_stream = static_cast<cudaStream_t>(stream);
    if (n > 0) {
        cross_entropy_rows_kernel<<<static_cast<unsigned>(n), kRowThreads, 0, cuda_stream>>>(logits, targets, probs,
                                                                                            row_loss, c);
        PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    }
    cross_entropy_mean_kernel<<<1, kRowThreads, 0, cuda_stream>>>(row_loss, targets, loss, n);
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    return PEFT4J_OK;
}

extern "C" int peft4j_cross_entropy_backward(const float* probs, const int32_t* targets, float scale,
                                             float* dlogits, int64_t n, int64_t c, void* stream) {
    using namespace peft4j;
    const int sizes = check_sizes(n, c);
    if (sizes != PEFT4J_OK) return sizes;
    if (missing(probs, n * c) || missing(targets, n) || missing(dlogits, n * c)) return PEFT4J_ERROR_NULL_POINTER;
    if (!std::isfinite(scale)) return PEFT4J_ERROR_NOT_FINITE;
    if (n == 0) return PEFT4J_OK;
    cross_entropy_backward_kernel<<<static_cast<unsigned>(n), kRowThreads, 0, static_cast<cudaStream_t>(stream)>>>(
        probs, targets, scale, dlogits, n, c);
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    return PEFT4J_OK;
}
