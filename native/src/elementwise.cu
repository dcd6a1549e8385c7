// Elementwise kernels over count elements (grid-stride), the contract's fill, copy, add, mul and axpy:
//   fill: x[i] = value   add: out[i] = a[i] + b[i]   mul: out[i] = a[i] * b[i]   axpy: y[i] = fma(alpha, x[i], y[i])
// copy is a device-to-device cudaMemcpyAsync. Each output element depends on the same index of the inputs only,
// so out may alias an input.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

#include "checks.h"
#include "cuda_status.h"
#include "elementwise_launch.cuh"
#include "peft4j.h"

namespace peft4j {
namespace {

__global__ void fill_kernel(float* x, float value, int64_t count) {
    for (int64_t i = grid_stride_start(); i < count; i += grid_stride()) x[i] = value;
}

__global__ void add_kernel(const float* a, const float* b, float* out, int64_t count) {
    for (int64_t i = grid_stride_start(); i < count; i += grid_stride()) out[i] = a[i] + b[i];
}

__global__ void mul_kernel(const float* a, const float* b, float* out, int64_t count) {
    for (int64_t i = grid_stride_start(); i < count; i += grid_stride()) out[i] = a[i] * b[i];
}

__global__ void axpy_kernel(float alpha, const float* x, float* y, int64_t count) {
    for (int64_t i = grid_stride_start(); i < count; i += grid_stride()) y[i] = fmaf(alpha, x[i], y[i]);
}

int check_count(int64_t count) { return count < 0 ? PEFT4J_ERROR_NEGATIVE_SIZE : PEFT4J_OK; }

}  // namespace
}  // namespace peft4j

extern "C" int peft4j_fill(float* x, float value, int64_t count, void* stream) {
    using namespace peft4j;
    if (check_count(count) != PEFT4J_OK) return PEFT4J_ERROR_NEGATIVE_SIZE;
    if (missing(x, count)) return PEFT4J_ERROR_NULL_POINTER;
    if (count == 0) return PEFT4J_OK;
    fill_kernel<<<elementwise_blocks(count), kElementwiseThreads, 0, static_cast<cudaStream_t>(stream)>>>(x, value, count);
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    return PEFT4J_OK;
}

extern "C" int peft4j_copy(const float* src, float* dst, int64_t count, void* stream) {
    using namespace peft4j;
    if (check_count(count) != PEFT4J_OK) return PEFT4J_ERROR_NEGATIVE_SIZE;
    if (product_overflows(count, static_cast<int64_t>(sizeof(float)))) return PEFT4J_ERROR_OVERFLOW;
    if (missing(src, count) || missing(dst, count)) return PEFT4J_ERROR_NULL_POINTER;
    if (count == 0 || src == dst) return PEFT4J_OK;
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaMemcpyAsync(dst, src, static_cast<size_t>(count) * sizeof(float),
                                                cudaMemcpyDeviceToDevice, static_cast<cudaStream_t>(stream)));
    return PEFT4J_OK;
}

extern "C" int peft4j_add(const float* a, const float* b, float* out, int64_t count, void* stream) {
    using namespace peft4j;
    if (check_count(count) != PEFT4J_OK) return PEFT4J_ERROR_NEGATIVE_SIZE;
    if (missing(a, count) || missing(b, count) || missing(out, count)) return PEFT4J_ERROR_NULL_POINTER;
    if (count == 0) return PEFT4J_OK;
    add_kernel<<<elementwise_blocks(count), kElementwiseThreads, 0, static_cast<cudaStream_t>(stream)>>>(a, b, out,
                                                                                                       count);
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    return PEFT4J_OK;
}

extern "C" int peft4j_mul(const float* a, const float* b, float* out, int64_t count, void* stream) {
    using namespace peft4j;
    if (check_count(count) != PEFT4J_OK) return PEFT4J_ERROR_NEGATIVE_SIZE;
    if (missing(a, count) || missing(b, count) || missing(out, count)) return PEFT4J_ERROR_NULL_POINTER;
    if (count == 0) return PEFT4J_OK;
    mul_kernel<<<elementwise_blocks(count), kElementwiseThreads, 0, static_cast<cudaStream_t>(stream)>>>(a, b, out,
                                                                                                       count);
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    return PEFT4J_OK;
}

extern "C" int peft4j_axpy(float alpha, const float* x, float* y, int64_t count, void* stream) {
    using namespace peft4j;
    if (check_count(count) != PEFT4J_OK) return PEFT4J_ERROR_NEGATIVE_SIZE;
    if (!std::isfinite(alpha)) return PEFT4J_ERROR_NOT_FINITE;
    if (missing(x, count) || missing(y, count)) return PEFT4J_ERROR_NULL_POINTER;
    if (count == 0) return PEFT4J_OK;
    axpy_kernel<<<elementwise_blocks(count), kElementwiseThreads, 0, static_cast<cudaStream_t>(stream)>>>(alpha, x, y,
                                                                                                        count);
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    return PEFT4J_OK;
}
