// peft4j_scale_forward/backward ((IA)^3) on a GPU against a float64 CPU reference at odd sizes, outputs
// poisoned with NaN, the in-place forward (y = x) and NULL outputs. Exits 77 without a device.
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "gpu_harness.h"

namespace {

using namespace peft4j_test;

void run(int64_t rows, int64_t dim, std::mt19937& rng) {
    std::printf("rows=%lld dim=%lld\n", (long long)rows, (long long)dim);
    const auto x = uniform(rng, rows * dim), l = uniform(rng, dim, 0.5f, 1.5f), dy = uniform(rng, rows * dim);
    std::vector<double> y(rows * dim), dx(rows * dim), dl(dim);
    for (int64_t r = 0; r < rows; ++r) {
        for (int64_t i = 0; i < dim; ++i) {
            const int64_t at = r * dim + i;
            y[at] = double(l[i]) * x[at];
            dx[at] = double(l[i]) * dy[at];
            dl[i] += double(dy[at]) * x[at];
        }
    }
    DeviceBuffer d_x(x), d_l(l), d_dy(dy), d_y(poisoned(rows * dim)), d_dx(poisoned(rows * dim)), d_dl(poisoned(dim));
    expect_ok(peft4j_scale_forward(d_x.get(), d_l.get(), d_y.get(), rows, dim, nullptr), "scale_forward");
    expect_close("y", d_y.to_host(), y);
    expect_ok(peft4j_scale_backward(d_dy.get(), d_x.get(), d_l.get(), d_dx.get(), d_dl.get(), rows, dim, nullptr),
              "scale_backward");
    expect_close("dx", d_dx.to_host(), dx);
    expect_close("dl", d_dl.to_host(), dl);
    DeviceBuffer d_dl_only(poisoned(dim));
    expect_ok(peft4j_scale_backward(d_dy.get(), d_x.get(), d_l.get(), nullptr, d_dl_only.get(), rows, dim, nullptr),
              "scale_backward, dl only");
    expect_close("dl", d_dl_only.to_host(), dl);
    expect_ok(peft4j_scale_forward(d_x.get(), d_l.get(), d_x.get(), rows, dim, nullptr), "scale_forward in place");
    expect_close("y=x", d_x.to_host(), y);
}

}  // namespace

int main() {
    if (!device_present()) return kSkipped;
    std::mt19937 rng(20240618);
    run(1, 1, rng);
    run(37, 129, rng);
    run(513, 7, rng);
    run(0, 9, rng);  // no rows: dl = 0
    return finish("ia3_scale_gpu");
}
