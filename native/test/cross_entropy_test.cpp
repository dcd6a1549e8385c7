// peft4j_cross_entropy_forward/backward on a GPU against a float64 CPU reference, with ignored rows
// (PEFT4J_IGNORE_INDEX), all rows ignored, odd class counts, outputs poisoned with NaN (probs, row_loss, the
// loss itself, dlogits); the reference gradient is checked by finite differences of the mean loss; an
// out-of-range target gives NaN rather than a wild read. Exits 77 without a device.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "gpu_harness.h"

namespace {

using namespace peft4j_test;

struct Forward {
    std::vector<double> probs, row_loss;
    double loss;
};

Forward forward(const std::vector<double>& z, const std::vector<int32_t>& t, int64_t n, int64_t c) {
    Forward f{std::vector<double>(z.size()), std::vector<double>(n), 0.0};
    int64_t count = 0;
    for (int64_t i = 0; i < n; ++i) {
        double max = -INFINITY, sum = 0;
        for (int64_t k = 0; k < c; ++k) max = std::fmax(max, z[i * c + k]);
        for (int64_t k = 0; k < c; ++k) sum += std::exp(z[i * c + k] - max);
        for (int64_t k = 0; k < c; ++k) f.probs[i * c + k] = std::exp(z[i * c + k] - max) / sum;
        if (t[i] != PEFT4J_IGNORE_INDEX) {
            f.row_loss[i] = max + std::log(sum) - z[i * c + t[i]];
            f.loss += f.row_loss[i];
            ++count;
        }
    }
    f.loss = count == 0 ? 0.0 : f.loss / count;
    return f;
}

// dlogits = scale (probs - onehot) / count; ignored rows 0.
std::vector<double> backward(const std::vector<double>& probs, const std::vector<int32_t>& t, double scale,
                             int64_t n, int64_t c) {
    int64_t count = 0;
    for (int32_t target : t) count += target != PEFT4J_IGNORE_INDEX;
    std::vector<double> d(probs.size());
    for (int64_t i = 0; i < n; ++i) {
        if (t[i] == PEFT4J_IGNORE_INDEX) continue;
        for (int64_t k = 0; k < c; ++k) d[i * c + k] = scale * (probs[i * c + k] - (k == t[i] ? 1.0 : 0.0)) / count;
    }
    return d;
}

std::vector<int32_t> targets(std::mt19937& rng, int64_t n, int64_t c, double ignored) {
    std::uniform_int_distribution<int32_t> cls(0, static_cast<int32_t>(c - 1));
    std::bernoulli_distribution ignore(ignored);
    std::vector<int32_t> t(static_cast<size_t>(n));
    for (int32_t& e : t) e = ignore(rng) ? PEFT4J_IGNORE_INDEX : cls(rng);
    return t;
}

void check_reference_by_finite_differences(std::mt19937& rng) {
    const int64_t n = 4, c = 5;
    const auto z = widen(uniform(rng, n * c, -2, 2));
    std::vector<int32_t> t = targets(rng, n, c, 0.0);
    t[1] = PEFT4J_IGNORE_INDEX;
    const auto loss = [&](const std::vector<double>& at) { return 0.5 * forward(at, t, n, c).loss; };
    const double diff = max_relative_difference(backward(forward(z, t, n, c).probs, t, 0.5, n, c),
                                                finite_differences(loss, z));
    std::printf("reference dlogits vs finite differences: %.3g\n", diff);
    CHECK(diff <= 1e-6, "reference cross-entropy gradient differs from finite differences by %g", diff);
}

void run(int64_t n, int64_t c, double ignored, float scale, std::mt19937& rng) {
    std::printf("n=%lld c=%lld ignored=%.2f scale=%g\n", (long long)n, (long long)c, ignored, scale);
    const auto z = uniform(rng, n * c, -8.0f, 8.0f);
    const auto t = targets(rng, n, c, ignored);
    DeviceBuffer d_z(z), d_t(t), d_probs(poisoned(n * c)), d_row_loss(poisoned(n)), d_loss(poisoned(1)),
        d_dz(poisoned(n * c));
    expect_ok(peft4j_cross_entropy_forward(d_z.get(), d_t.ints(), d_probs.get(), d_row_loss.get(), d_loss.get(), n, c,
                                           nullptr),
              "cross_entropy_forward");
    const Forward f = forward(widen(z), t, n, c);
    expect_close("probs", d_probs.to_host(), f.probs);
    expect_close("row_loss", d_row_loss.to_host(), f.row_loss);
    expect_close("loss", d_loss.to_host(), {f.loss});
    const auto probs = d_probs.to_host();
    expect_ok(peft4j_cross_entropy_backward(d_probs.get(), d_t.ints(), scale, d_dz.get(), n, c, nullptr),
              "cross_entropy_backward");
    expect_close("dlogits", d_dz.to_host(), backward(widen(probs), t, scale, n, c));
}

// A target outside [0, c) must not be read as an index: its row and the loss become NaN.
void out_of_range_target() {
    const int64_t n = 2, c = 3;
    DeviceBuffer d_z(std::vector<float>(n * c, 0.5f)), d_t(std::vector<int32_t>{1, 7}), d_probs(poisoned(n * c)),
        d_row_loss(poisoned(n)), d_loss(std::vector<float>{0.0f}), d_dz(poisoned(n * c));
    expect_ok(peft4j_cross_entropy_forward(d_z.get(), d_t.ints(), d_probs.get(), d_row_loss.get(), d_loss.get(), n, c,
                                           nullptr),
              "cross_entropy_forward, target 7 of 3 classes");
    CHECK(std::isnan(d_loss.to_host()[0]), "an out-of-range target must make the loss NaN");
    expect_ok(peft4j_cross_entropy_backward(d_probs.get(), d_t.ints(), 1.0f, d_dz.get(), n, c, nullptr),
              "cross_entropy_backward, target 7 of 3 classes");
    const auto dz = d_dz.to_host();
    CHECK(std::isfinite(dz[0]) && std::isnan(dz[3]), "only the bad row's gradient is NaN");
}

}  // namespace

int main() {
    if (!device_present()) return kSkipped;
    std::mt19937 rng(20240615);
    check_reference_by_finite_differences(rng);
    run(1, 1, 0.0, 1.0f, rng);          // one class: probs = 1, loss = 0, dlogits = 0
    run(37, 129, 0.3, 1.0f, rng);       // ignored rows among counted ones
    run(300, 7, 0.1, 0.25f, rng);       // many rows: the backward's per-block count loops
    run(9, 3, 1.0, 1.0f, rng);          // every row ignored: loss 0, dlogits 0
    run(3, 30522, 0.0, 0.5f, rng);      // a vocabulary-sized row
    run(0, 5, 0.0, 1.0f, rng);          // no rows: loss 0 must still be written
    out_of_range_target();
    return finish("cross_entropy_gpu");
}
