// peft4j_softmax_forward/backward on a GPU against a float64 CPU reference at odd widths (one column, widths
// past the block, a vocabulary-sized row), with large logits (the max shift matters), outputs poisoned with
// NaN; the in-place forms too; the reference backward is checked by finite differences. Exits 77 without a
// device.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "gpu_harness.h"

namespace {

using namespace peft4j_test;

std::vector<double> softmax(const std::vector<double>& x, int64_t rows, int64_t cols) {
    std::vector<double> y(x.size());
    for (int64_t r = 0; r < rows; ++r) {
        double max = -INFINITY, sum = 0;
        for (int64_t i = 0; i < cols; ++i) max = std::fmax(max, x[r * cols + i]);
        for (int64_t i = 0; i < cols; ++i) sum += std::exp(x[r * cols + i] - max);
        for (int64_t i = 0; i < cols; ++i) y[r * cols + i] = std::exp(x[r * cols + i] - max) / sum;
    }
    return y;
}

// dx = y (dy - rowsum(dy y))
std::vector<double> softmax_backward(const std::vector<double>& dy, const std::vector<double>& y, int64_t rows,
                                     int64_t cols) {
    std::vector<double> dx(y.size());
    for (int64_t r = 0; r < rows; ++r) {
        double dot = 0;
        for (int64_t i = 0; i < cols; ++i) dot += dy[r * cols + i] * y[r * cols + i];
        for (int64_t i = 0; i < cols; ++i) dx[r * cols + i] = y[r * cols + i] * (dy[r * cols + i] - dot);
    }
    return dx;
}

void check_reference_by_finite_differences(std::mt19937& rng) {
    const int64_t rows = 2, cols = 6;
    const auto x = widen(uniform(rng, rows * cols, -3, 3)), dy = widen(uniform(rng, rows * cols));
    const auto loss = [&](const std::vector<double>& at) {
        const auto y = softmax(at, rows, cols);
        double sum = 0;
        for (size_t i = 0; i < y.size(); ++i) sum += dy[i] * y[i];
        return sum;
    };
    const double diff = max_relative_difference(softmax_backward(dy, softmax(x, rows, cols), rows, cols),
                                                finite_differences(loss, x));
    std::printf("reference dx vs finite differences: %.3g\n", diff);
    CHECK(diff <= 1e-6, "reference softmax dx differs from finite differences by %g", diff);
}

void run(int64_t rows, int64_t cols, std::mt19937& rng) {
    std::printf("rows=%lld cols=%lld\n", (long long)rows, (long long)cols);
    const auto x = uniform(rng, rows * cols, 40.0f, 60.0f);  // e^x overflows float without the max shift
    const auto dy = uniform(rng, rows * cols);
    const auto want_y = softmax(widen(x), rows, cols);
    DeviceBuffer d_x(x), d_y(poisoned(rows * cols)), d_dy(dy), d_dx(poisoned(rows * cols));
    expect_ok(peft4j_softmax_forward(d_x.get(), d_y.get(), rows, cols, nullptr), "softmax_forward");
    const auto y = d_y.to_host();
    expect_close("y", y, want_y);
    // The backward from the kernel's own y, as in training.
    const auto want_dx = softmax_backward(widen(dy), widen(y), rows, cols);
    expect_ok(peft4j_softmax_backward(d_dy.get(), d_y.get(), d_dx.get(), rows, cols, nullptr), "softmax_backward");
    expect_close("dx", d_dx.to_host(), want_dx);
    expect_ok(peft4j_softmax_backward(d_dy.get(), d_y.get(), d_dy.get(), rows, cols, nullptr), "backward dx = dy");
    expect_close("dx=dy", d_dy.to_host(), want_dx);
    expect_ok(peft4j_softmax_forward(d_x.get(), d_x.get(), rows, cols, nullptr), "forward y = x");
    expect_close("y=x", d_x.to_host(), want_y);
}

}  // namespace

int main() {
    if (!device_present()) return kSkipped;
    std::mt19937 rng(20240614);
    check_reference_by_finite_differences(rng);
    run(3, 1, rng);       // one column: y = 1, dx = 0
    run(17, 129, rng);    // past one warp, no multiple of 32
    run(5, 1000, rng);    // several elements per thread
    run(2, 30522, rng);   // a vocabulary-sized row
    return finish("softmax_gpu");
}
