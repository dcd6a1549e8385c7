// peft4j_bias_gradient and peft4j_masked_bias_update on a GPU against a float64 CPU reference, at odd widths
// (column tails of the reduction), many rows, rows = 0, a mask with zeros and ones; db poisoned with NaN.
// Masked-out entries of bias, m, v must come back bit-identical; the trained ones within the tolerance.
// Exits 77 without a device.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "gpu_harness.h"

namespace {

using namespace peft4j_test;

constexpr float kLr = 0.05f, kBeta1 = 0.9f, kBeta2 = 0.999f, kEps = 1e-8f, kDecay = 0.01f;

std::vector<double> column_sums(const std::vector<float>& dy, int64_t rows, int64_t dim) {
    std::vector<double> sums(dim);
    for (int64_t r = 0; r < rows; ++r) {
        for (int64_t c = 0; c < dim; ++c) sums[c] += dy[r * dim + c];
    }
    return sums;
}

void run(int64_t rows, int64_t dim, int64_t step, std::mt19937& rng) {
    std::printf("rows=%lld dim=%lld step=%lld\n", (long long)rows, (long long)dim, (long long)step);
    const auto dy = uniform(rng, rows * dim), bias = uniform(rng, dim), m = uniform(rng, dim, -0.1f, 0.1f),
               v = uniform(rng, dim, 0.0f, 0.01f);
    std::vector<float> mask(dim);
    std::bernoulli_distribution train(0.6);
    for (float& e : mask) e = train(rng) ? 1.0f : 0.0f;
    const auto sums = column_sums(dy, rows, dim);

    DeviceBuffer d_dy(dy), d_db(poisoned(dim));
    expect_ok(peft4j_bias_gradient(d_dy.get(), d_db.get(), rows, dim, nullptr), "bias_gradient");
    expect_close("db", d_db.to_host(), sums);

    // The reference: g rounded to float, AdamW in double where the mask is set.
    std::vector<double> want_bias = widen(bias), want_m = widen(m), want_v = widen(v);
    for (int64_t c = 0; c < dim; ++c) {
        if (mask[c] == 0.0f) continue;
        const double g = static_cast<float>(sums[c]);
        const double m_new = kBeta1 * want_m[c] + (1.0 - kBeta1) * g;
        const double v_new = kBeta2 * want_v[c] + (1.0 - kBeta2) * g * g;
        const double m_hat = m_new / (1.0 - std::pow(double(kBeta1), double(step)));
        const double v_hat = v_new / (1.0 - std::pow(double(kBeta2), double(step)));
        want_bias[c] = want_bias[c] - kLr * (m_hat / (std::sqrt(v_hat) + kEps) + kDecay * want_bias[c]);
        want_m[c] = m_new;
        want_v[c] = v_new;
    }
    DeviceBuffer d_bias(bias), d_mask(mask), d_m(m), d_v(v), d_db2(poisoned(dim));
    expect_ok(peft4j_masked_bias_update(d_dy.get(), d_bias.get(), d_mask.get(), d_m.get(), d_v.get(), d_db2.get(), rows,
                                        dim, kLr, kBeta1, kBeta2, kEps, kDecay, step, nullptr),
              "masked_bias_update");
    const auto got_bias = d_bias.to_host(), got_m = d_m.to_host(), got_v = d_v.to_host();
    expect_close("db", d_db2.to_host(), sums);
    expect_close("bias", got_bias, want_bias);
    expect_close("m", got_m, want_m);
    expect_close("v", got_v, want_v);
    for (int64_t c = 0; c < dim; ++c) {
        if (mask[c] != 0.0f) continue;
        CHECK(got_bias[c] == bias[c] && got_m[c] == m[c] && got_v[c] == v[c],
              "masked-out entry %lld changed", (long long)c);
    }
    // Without db, the update alone.
    DeviceBuffer d_bias3(bias), d_m3(m), d_v3(v);
    expect_ok(peft4j_masked_bias_update(d_dy.get(), d_bias3.get(), d_mask.get(), d_m3.get(), d_v3.get(), nullptr, rows,
                                        dim, kLr, kBeta1, kBeta2, kEps, kDecay, step, nullptr),
              "masked_bias_update without db");
    expect_close("bias", d_bias3.to_host(), want_bias);
}

}  // namespace

int main() {
    if (!device_present()) return kSkipped;
    std::mt19937 rng(20240617);
    run(1, 1, 1, rng);
    run(37, 129, 1, rng);    // column tail
    run(1001, 33, 5, rng);   // many rows per lane, a later step
    run(0, 45, 2, rng);      // no rows: g = 0, the step still applies (weight decay, momentum)
    return finish("bitfit_gpu");
}
