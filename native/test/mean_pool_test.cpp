// peft4j_mean_pool_forward/backward on a GPU against a float64 CPU reference, with a padding mask (including a
// fully masked row: denominator max(1, 0) = 1), without a mask, and NaN-poisoned outputs; the backward is
// also checked by finite differences of the reference. Exits 77 without a device.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "gpu_harness.h"

namespace {

using namespace peft4j_test;

std::vector<double> pool(const std::vector<double>& x, const std::vector<float>* mask, int64_t batch, int64_t seq,
                         int64_t dim) {
    std::vector<double> out(batch * dim);
    for (int64_t b = 0; b < batch; ++b) {
        double denom = 0;
        for (int64_t t = 0; t < seq; ++t) denom += mask ? (*mask)[b * seq + t] : 1.0;
        denom = denom > 1 ? denom : 1;
        for (int64_t e = 0; e < dim; ++e) {
            double sum = 0;
            for (int64_t t = 0; t < seq; ++t) sum += (mask ? (*mask)[b * seq + t] : 1.0) * x[(b * seq + t) * dim + e];
            out[b * dim + e] = sum / denom;
        }
    }
    return out;
}

void run(int64_t batch, int64_t seq, int64_t dim, bool masked, std::mt19937& rng) {
    std::printf("batch=%lld seq=%lld dim=%lld mask=%d\n", (long long)batch, (long long)seq, (long long)dim, masked);
    const auto x = uniform(rng, batch * seq * dim), d_out = uniform(rng, batch * dim);
    std::vector<float> mask(batch * seq, 1.0f);
    for (int64_t b = 0; b < batch; ++b) {
        for (int64_t t = seq - b % 3; t < seq; ++t) mask[b * seq + t] = 0.0f;  // 0..2 padded positions
    }
    if (batch > 1) std::fill(mask.begin() + seq, mask.begin() + 2 * seq, 0.0f);  // row 1 fully masked
    const std::vector<float>* m = masked ? &mask : nullptr;
    const auto out = pool(widen(x), m, batch, seq, dim);
    // The backward of a linear map: dx = J^T d_out, checked against finite differences of <pool(x), d_out>.
    const auto loss = [&](const std::vector<double>& xx) {
        const auto o = pool(xx, m, batch, seq, dim);
        double s = 0;
        for (size_t i = 0; i < o.size(); ++i) s += o[i] * d_out[i];
        return s;
    };
    const auto dx = finite_differences(loss, widen(x), 1e-3);
    DeviceBuffer d_x(x), d_mask(mask), d_o(poisoned(batch * dim)), d_do(d_out), d_dx(poisoned(batch * seq * dim));
    const float* mp = masked ? d_mask.get() : nullptr;
    expect_ok(peft4j_mean_pool_forward(d_x.get(), mp, d_o.get(), batch, seq, dim, nullptr), "mean_pool_forward");
    expect_close("out", d_o.to_host(), out);
    expect_ok(peft4j_mean_pool_backward(d_do.get(), mp, d_dx.get(), batch, seq, dim, nullptr), "mean_pool_backward");
    const auto got = d_dx.to_host();
    CHECK(max_relative_difference(widen(got), dx) < 1e-6, "dx differs from finite differences by %g",
          max_relative_difference(widen(got), dx));
}

}  // namespace

int main() {
    if (!device_present()) return kSkipped;
    std::mt19937 rng(20261124);
    run(1, 1, 1, true, rng);
    run(5, 13, 37, true, rng);
    run(5, 13, 37, false, rng);
    run(16, 128, 19, true, rng);
    return finish("mean_pool_gpu");
}
