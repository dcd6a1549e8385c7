// Pointwise activations (dev.peft4j.backend.Activation; codes PEFT4J_ACTIVATION_* in its ordinal order):
//   forward  y = f(x),  backward dx = dy (.) f'(x); x, y, dy, dx [count]; y may alias x, dx may alias dy.
//   IDENTITY   f = z                                  f' = 1
//   RELU       f = max(z, 0)                          f' = [z > 0]
//   GELU       f = z Phi(z) (erf form)                f' = Phi(z) + z phi(z), phi(z) = e^(-z^2/2)/sqrt(2 pi)
//   GELU_TANH  f = z/2 (1 + t), t = tanh(c (z + 0.044715 z^3)), c = sqrt(2/pi)
//              f' = (1 + t)/2 + z/2 (1 - t^2) c (1 + 3 * 0.044715 z^2)
//              computed as z s(2u) and s + 2z s (1 - s) u' with s = s(2u) = (1 + t)/2 (no cancellation of 1 + t)
//   SWISH      f = z s(z), s = sigmoid                f' = s(z) (1 + z (1 - s(z)))
//   TANH       f = tanh(z)                            f' = 1 - tanh^2(z)
// Phi(z) = normcdff(z) = erfc(-z/sqrt 2)/2, accurate for large negative z too.
#include <cuda_runtime.h>

#include <cstdint>

#include "checks.h"
#include "activation_math.cuh"
#include "cuda_status.h"
#include "elementwise_launch.cuh"
#include "peft4j.h"

namespace peft4j {
namespace {

__global__ void activation_forward_kernel(int f, const float* x, float* y, int64_t count) {
    for (int64_t i = grid_stride_start(); i < count; i += grid_stride()) y[i] = activation_value(f, x[i]);
}

__global__ void activation_backward_kernel(int f, const float* dy, const float* x, float* dx, int64_t count) {
    for (int64_t i = grid_stride_start(); i < count; i += grid_stride()) {
        dx[i] = dy[i] * activation_derivative(f, x[i]);
    }
}

bool known_activation(int f) { return f >= PEFT4J_ACTIVATION_IDENTITY && f <= PEFT4J_ACTIVATION_TANH; }

}  // namespace
}  // namespace peft4j

extern "C" int peft4j_activation_forward(int activation, const float* x, float* y, int64_t count, void* stream) {
    using namespace peft4j;
    if (count < 0) return PEFT4J_ERROR_NEGATIVE_SIZE;
    if (missing(x, count) || missing(y, count)) return PEFT4J_ERROR_NULL_POINTER;
    if (!known_activation(activation)) return PEFT4J_ERROR_ACTIVATION;
    if (count == 0) return PEFT4J_OK;
    activation_forward_kernel<<<elementwise_blocks(count), kElementwiseThreads, 0,
                                static_cast<cudaStream_t>(stream)>>>(activation, x, y, count);
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    return PEFT4J_OK;
}

extern "C" int peft4j_activation_backward(int activation, const float* dy, const float* x, float* dx,
                                          int64_t count, void* stream) {
    using namespace peft4j;
    if (count < 0) return PEFT4J_ERROR_NEGATIVE_SIZE;
    if (missing(dy, count) || missing(x, count) || missing(dx, count)) return PEFT4J_ERROR_NULL_POINTER;
    if (!known_activation(activation)) return PEFT4J_ERROR_ACTIVATION;
    if (count == 0) return PEFT4J_OK;
    activation_backward_kernel<<<elementwise_blocks(count), kElementwiseThreads, 0,
                                 static_cast<cudaStream_t>(stream)>>>(activation, dy, x, dx, count);
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetLastError());
    return PEFT4J_OK;
}
