// peft4j_adamw (many tensors, one launch) and peft4j_clip_grad_norm on a GPU against float64 CPU references
// (the equations of dev.peft4j.backend.AdamW and ReferenceOptim), on tensors of odd sizes including an empty
// one, over three steps; the norm and the clipping workspace are poisoned with NaN first. AdamW updates in
// place, so "unwritten" shows as a difference from the reference: m starts random and lr is large enough
// that an element left alone is off by far more than the tolerance. Exits 77 without a device.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <vector>

#include "gpu_harness.h"

namespace {

using namespace peft4j_test;

struct Hyper {
    float lr, beta1, beta2, eps, weight_decay;
};

// One AdamW element in float64 (m, v stored rounded to float, theta from the unrounded values).
void adamw_reference(double& theta, double& m, double& v, double g, const Hyper& h, int64_t step) {
    const double m_new = h.beta1 * m + (1.0 - h.beta1) * g;
    const double v_new = h.beta2 * v + (1.0 - h.beta2) * g * g;
    const double m_hat = m_new / (1.0 - std::pow(double(h.beta1), double(step)));
    const double v_hat = v_new / (1.0 - std::pow(double(h.beta2), double(step)));
    theta = static_cast<float>(theta - h.lr * (m_hat / (std::sqrt(v_hat) + h.eps) + h.weight_decay * theta));
    m = static_cast<float>(m_new);
    v = static_cast<float>(v_new);
}

// A set of tensors on the device and the device arrays of their addresses and sizes.
struct TensorList {
    std::vector<std::unique_ptr<DeviceBuffer>> buffers;
    std::vector<float*> pointers;
    std::vector<int64_t> sizes;

    void add(const std::vector<float>& host) {
        buffers.push_back(std::make_unique<DeviceBuffer>(host));
        pointers.push_back(buffers.back()->get());
        sizes.push_back(static_cast<int64_t>(host.size()));
    }
    std::unique_ptr<DeviceBuffer> device_pointers() const {
        return std::make_unique<DeviceBuffer>(pointers.data(), static_cast<int64_t>(pointers.size() * sizeof(float*)));
    }
    std::unique_ptr<DeviceBuffer> device_sizes() const {
        return std::make_unique<DeviceBuffer>(sizes.data(), static_cast<int64_t>(sizes.size() * sizeof(int64_t)));
    }
};

const int64_t kSizes[] = {1, 37, 0, 1000, 4099, 65};

void adamw(std::mt19937& rng) {
    const Hyper h{0.05f, 0.9f, 0.999f, 1e-8f, 0.01f};
    TensorList params, grads, ms, vs;
    std::vector<std::vector<double>> theta, g, m, v;
    int64_t max_size = 0;
    for (int64_t size : kSizes) {
        const auto p0 = uniform(rng, size), g0 = uniform(rng, size), m0 = uniform(rng, size, -0.1f, 0.1f),
                   v0 = uniform(rng, size, 0.0f, 0.01f);
        params.add(p0);
        grads.add(g0);
        ms.add(m0);
        vs.add(v0);
        theta.push_back(widen(p0));
        g.push_back(widen(g0));
        m.push_back(widen(m0));
        v.push_back(widen(v0));
        max_size = std::max(max_size, size);
    }
    const auto d_params = params.device_pointers(), d_grads = grads.device_pointers(), d_m = ms.device_pointers(),
               d_v = vs.device_pointers(), d_sizes = params.device_sizes();
    const int64_t tensors = static_cast<int64_t>(params.sizes.size());
    for (int64_t step = 1; step <= 3; ++step) {
        std::printf("adamw step %lld over %lld tensors\n", (long long)step, (long long)tensors);
        expect_ok(peft4j_adamw(d_params->as<float* const*>(), d_grads->as<const float* const*>(),
                               d_m->as<float* const*>(), d_v->as<float* const*>(), d_sizes->as<const int64_t*>(),
                               tensors, max_size, h.lr, h.beta1, h.beta2, h.eps, h.weight_decay, step, nullptr),
                  "adamw");
        for (size_t t = 0; t < theta.size(); ++t) {
            for (size_t i = 0; i < theta[t].size(); ++i) adamw_reference(theta[t][i], m[t][i], v[t][i], g[t][i], h, step);
            expect_close("theta", params.buffers[t]->to_host(), theta[t]);
            expect_close("m", ms.buffers[t]->to_host(), m[t]);
            expect_close("v", vs.buffers[t]->to_host(), v[t]);
        }
    }
}

void clip(double scale, float max_norm, std::mt19937& rng) {
    std::printf("clip_grad_norm: gradients scaled by %g, max_norm %g\n", scale, max_norm);
    TensorList grads;
    std::vector<std::vector<double>> want;
    double sum = 0;
    int64_t max_size = 0;
    for (int64_t size : kSizes) {
        const auto g0 = uniform(rng, size, -float(scale), float(scale));
        grads.add(g0);
        want.push_back(widen(g0));
        for (float e : g0) sum += double(e) * e;
        max_size = std::max(max_size, size);
    }
    const double norm = std::sqrt(sum);
    if (norm > max_norm) {
        for (auto& t : want) {
            for (double& e : t) e = static_cast<float>(e * (max_norm / (norm + 1e-6)));
        }
    }
    const int64_t tensors = static_cast<int64_t>(grads.sizes.size());
    const auto d_grads = grads.device_pointers(), d_sizes = grads.device_sizes();
    DeviceBuffer d_partials(poisoned(tensors * PEFT4J_GRAD_NORM_PARTIALS_PER_TENSOR)), d_norm(poisoned(1));
    expect_ok(peft4j_clip_grad_norm(d_grads->as<float* const*>(), d_sizes->as<const int64_t*>(), tensors, max_size,
                                    max_norm, d_partials.get(), d_norm.get(), nullptr),
              "clip_grad_norm");
    expect_close("norm", d_norm.to_host(), {norm});
    for (size_t t = 0; t < want.size(); ++t) expect_close("grad", grads.buffers[t]->to_host(), want[t]);
}

void clip_nothing() {
    DeviceBuffer d_norm(poisoned(1));
    expect_ok(peft4j_clip_grad_norm(nullptr, nullptr, 0, 0, 1.0f, nullptr, d_norm.get(), nullptr), "clip of no tensors");
    expect_close("norm", d_norm.to_host(), {0.0});
}

}  // namespace

int main() {
    if (!device_present()) return kSkipped;
    std::mt19937 rng(20240616);
    adamw(rng);
    clip(1.0, 1.0f, rng);      // norm ~ 40 > 1: every gradient scaled
    clip(1.0, 1000.0f, rng);   // norm < max_norm: unchanged
    clip_nothing();
    return finish("optimizer_gpu");
}
