// Internal: the activations of dev.peft4j.backend.Activation as device functions (codes PEFT4J_ACTIVATION_*),
// shared by the pointwise kernels (activations.cu) and the adapter bottleneck (adapter.cu), which applies f to
// its down projection as the up projection loads it. Equations in activations.cu.
#ifndef PEFT4J_ACTIVATION_MATH_CUH
#define PEFT4J_ACTIVATION_MATH_CUH

#include "peft4j.h"

namespace peft4j {

constexpr float kInvSqrt2Pi = 0.3989422804014327f;
constexpr float kTanhC = 0.7978845608028654f;
constexpr float kTanhK = 0.044715f;

__device__ inline float sigmoid(float z) {
    if (z >= 0) return 1.0f / (1.0f + expf(-z));
    const float e = expf(z);
    return e / (1.0f + e);
}

__device__ inline float activation_value(int f, float z) {
    switch (f) {
        case PEFT4J_ACTIVATION_RELU:
            return z > 0 ? z : 0.0f;
        case PEFT4J_ACTIVATION_GELU:
            return z * normcdff(z);
        case PEFT4J_ACTIVATION_GELU_TANH:  // z·(1 + tanh u)/2 = z·σ(2u): no cancellation in the left tail
            return z * sigmoid(2.0f * kTanhC * (z + kTanhK * z * z * z));
        case PEFT4J_ACTIVATION_SWISH:
            return z * sigmoid(z);
        case PEFT4J_ACTIVATION_TANH:
            return tanhf(z);
        default:  // PEFT4J_ACTIVATION_IDENTITY
            return z;
    }
}

__device__ inline float activation_derivative(int f, float z) {
    switch (f) {
        case PEFT4J_ACTIVATION_RELU:
            return z > 0 ? 1.0f : 0.0f;
        case PEFT4J_ACTIVATION_GELU:
            return normcdff(z) + z * kInvSqrt2Pi * expf(-0.5f * z * z);
        case PEFT4J_ACTIVATION_GELU_TANH: {
            // s = σ(2u): f' = s + 2z·s(1 − s)·u'; a finite z clamped to ±10 (f' is 1 or 0 there; no ∞·0)
            const float zc = isinf(z) ? z : fminf(fmaxf(z, -10.0f), 10.0f);
            const float u2 = 2.0f * kTanhC * (zc + kTanhK * zc * zc * zc);
            const float s = sigmoid(u2);
            return s + 2.0f * zc * s * sigmoid(-u2) * kTanhC * (1.0f + 3.0f * kTanhK * zc * zc);
        }
        case PEFT4J_ACTIVATION_SWISH: {
            const float s = sigmoid(z);
            return s * (1.0f + z * (1.0f - s));
        }
        case PEFT4J_ACTIVATION_TANH: {
            const float t = tanhf(z);
            return 1.0f - t * t;
        }
        default:  // PEFT4J_ACTIVATION_IDENTITY
            return 1.0f;
    }
}

}  // namespace peft4j

#endif
