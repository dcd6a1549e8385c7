// peft4j_activation_forward/backward on a GPU for every activation against float64 CPU formulas (the same
// as ReferenceActivations), on an odd count spanning [-6, 6] plus exact 0, outputs poisoned with NaN; the
// reference derivatives are checked by finite differences; the in-place forms (y = x, dx = dy) too.
// Exits 77 without a device.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "gpu_harness.h"

namespace {

using namespace peft4j_test;

const double kTanhC = std::sqrt(2.0 / M_PI);
constexpr double kTanhK = 0.044715;

double sigmoid(double z) { return z >= 0 ? 1.0 / (1.0 + std::exp(-z)) : std::exp(z) / (1.0 + std::exp(z)); }
double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

double value(int f, double z) {
    switch (f) {
        case PEFT4J_ACTIVATION_RELU: return z > 0 ? z : 0.0;
        case PEFT4J_ACTIVATION_GELU: return z * normal_cdf(z);
        case PEFT4J_ACTIVATION_GELU_TANH: return 0.5 * z * (1.0 + std::tanh(kTanhC * (z + kTanhK * z * z * z)));
        case PEFT4J_ACTIVATION_SWISH: return z * sigmoid(z);
        case PEFT4J_ACTIVATION_TANH: return std::tanh(z);
        default: return z;
    }
}

double derivative(int f, double z) {
    switch (f) {
        case PEFT4J_ACTIVATION_RELU: return z > 0 ? 1.0 : 0.0;
        case PEFT4J_ACTIVATION_GELU: return normal_cdf(z) + z * std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI);
        case PEFT4J_ACTIVATION_GELU_TANH: {
            const double t = std::tanh(kTanhC * (z + kTanhK * z * z * z));
            return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * kTanhC * (1 + 3 * kTanhK * z * z);
        }
        case PEFT4J_ACTIVATION_SWISH: {
            const double s = sigmoid(z);
            return s * (1 + z * (1 - s));
        }
        case PEFT4J_ACTIVATION_TANH: return 1 - std::tanh(z) * std::tanh(z);
        default: return 1.0;
    }
}

const char* kNames[] = {"identity", "relu", "gelu", "gelu_tanh", "swish", "tanh"};

// f' against central differences at points away from relu's kink.
void check_derivatives_by_finite_differences(int f) {
    double worst = 0;
    for (double z = -5.95; z < 6; z += 0.1) {
        const double h = 1e-6;
        const double numeric = (value(f, z + h) - value(f, z - h)) / (2 * h);
        worst = std::fmax(worst, std::fabs(numeric - derivative(f, z)));
    }
    CHECK(worst <= 1e-7, "%s: reference derivative differs from finite differences by %g", kNames[f], worst);
}

void run(int f, std::mt19937& rng) {
    std::printf("%s\n", kNames[f]);
    check_derivatives_by_finite_differences(f);
    const int64_t count = 4099;  // no multiple of the block: a tail in the last block
    auto x = uniform(rng, count, -6.0f, 6.0f);
    x[0] = 0.0f;
    const auto dy = uniform(rng, count);
    std::vector<double> want_y(count), want_dx(count);
    for (int64_t i = 0; i < count; ++i) {
        want_y[i] = value(f, x[i]);
        want_dx[i] = dy[i] * derivative(f, x[i]);
    }
    DeviceBuffer d_x(x), d_dy(dy), d_y(poisoned(count)), d_dx(poisoned(count));
    expect_ok(peft4j_activation_forward(f, d_x.get(), d_y.get(), count, nullptr), "activation_forward");
    expect_close("y", d_y.to_host(), want_y);
    expect_ok(peft4j_activation_backward(f, d_dy.get(), d_x.get(), d_dx.get(), count, nullptr), "activation_backward");
    expect_close("dx", d_dx.to_host(), want_dx);
    // In place: dx = dy (overwrites dy), then y = x (overwrites x).
    expect_ok(peft4j_activation_backward(f, d_dy.get(), d_x.get(), d_dy.get(), count, nullptr), "backward in place");
    expect_close("dx=dy", d_dy.to_host(), want_dx);
    expect_ok(peft4j_activation_forward(f, d_x.get(), d_x.get(), count, nullptr), "forward in place");
    expect_close("y=x", d_x.to_host(), want_y);
}

}  // namespace

int main() {
    if (!device_present()) return kSkipped;
    std::mt19937 rng(20240613);
    for (int f = PEFT4J_ACTIVATION_IDENTITY; f <= PEFT4J_ACTIVATION_TANH; ++f) run(f, rng);
    return finish("activations_gpu");
}
