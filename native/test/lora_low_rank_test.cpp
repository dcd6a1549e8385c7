// peft4j_lora_low_rank_forward on a GPU against a float64 CPU reference: y starts as a random "base product",
// u is poisoned with NaN (an unwritten element fails), sizes leave tails in every tile of the shrink (16 rows,
// 64 ranks, 64 columns of in) and the expand (16 rows, 256 columns, 32 ranks). Also checks that
// peft4j_linear_forward followed by it agrees with the reference of peft4j_lora_forward (the cuBLAS-base path
// of the Java backend has this shape). Tolerance: relative L2 error <= 1e-5 (fp32 sums over in and r).
// Without a CUDA device it prints SKIPPED and exits 77.
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "gpu_harness.h"

namespace {

using namespace peft4j_test;

struct Case {
    int64_t n, in, out, r;
    float s;
    bool mask;
};

// u = (x . mask) A^T, y = y0 + s u B^T in float64.
void reference(const Case& c, const std::vector<float>& x, const std::vector<float>& a, const std::vector<float>& b,
               const std::vector<float>& mask, const std::vector<double>& y0, std::vector<double>& y,
               std::vector<double>& u) {
    y = y0;
    u.assign(static_cast<size_t>(c.n * c.r), 0.0);
    for (int64_t i = 0; i < c.n; ++i) {
        for (int64_t q = 0; q < c.r; ++q) {
            double sum = 0;
            for (int64_t k = 0; k < c.in; ++k) {
                const double xm = c.mask ? double(x[i * c.in + k]) * mask[i * c.in + k] : x[i * c.in + k];
                sum += xm * a[q * c.in + k];
            }
            u[i * c.r + q] = sum;
        }
        for (int64_t o = 0; o < c.out; ++o) {
            double low = 0;
            for (int64_t q = 0; q < c.r; ++q) low += u[i * c.r + q] * b[o * c.r + q];
            y[i * c.out + o] += double(c.s) * low;
        }
    }
}

void run(const Case& c, std::mt19937& rng) {
    const auto x = uniform(rng, c.n * c.in), a = uniform(rng, c.r * c.in), b = uniform(rng, c.out * c.r),
               y0 = uniform(rng, c.n * c.out), mask = drop_mask(rng, c.n * c.in);
    DeviceBuffer dx(x), da(a), db(b), dmask(mask), dy(y0), du(poisoned(c.n * c.r));
    expect_ok(peft4j_lora_low_rank_forward(dx.get(), da.get(), db.get(), c.s, c.mask ? dmask.get() : nullptr,
                                           dy.get(), du.get(), c.n, c.in, c.out, c.r, nullptr),
              "lora_low_rank_forward");
    std::vector<double> y, u;
    reference(c, x, a, b, mask, widen(y0), y, u);
    std::printf("n=%lld in=%lld out=%lld r=%lld s=%g mask=%d\n", (long long)c.n, (long long)c.in, (long long)c.out,
                (long long)c.r, c.s, c.mask);
    expect_close("y", dy.to_host(), y);
    expect_close("u", du.to_host(), u);
}

// y = x W^T + bias by peft4j_linear_forward, then the low-rank half: the whole LoRA forward.
void base_then_low_rank(std::mt19937& rng) {
    const Case c{45, 131, 77, 9, 0.75f, true};
    const auto x = uniform(rng, c.n * c.in), w = uniform(rng, c.out * c.in), bias = uniform(rng, c.out),
               a = uniform(rng, c.r * c.in), b = uniform(rng, c.out * c.r), mask = drop_mask(rng, c.n * c.in);
    DeviceBuffer dx(x), dw(w), dbias(bias), da(a), db(b), dmask(mask), dy(poisoned(c.n * c.out)),
        du(poisoned(c.n * c.r));
    expect_ok(peft4j_linear_forward(dx.get(), dw.get(), dbias.get(), dy.get(), c.n, c.in, c.out, nullptr),
              "linear_forward");
    expect_ok(peft4j_lora_low_rank_forward(dx.get(), da.get(), db.get(), c.s, dmask.get(), dy.get(), du.get(), c.n,
                                           c.in, c.out, c.r, nullptr),
              "lora_low_rank_forward after linear_forward");
    std::vector<double> base(static_cast<size_t>(c.n * c.out));
    for (int64_t i = 0; i < c.n; ++i)
        for (int64_t o = 0; o < c.out; ++o) {
            double sum = bias[o];
            for (int64_t k = 0; k < c.in; ++k) sum += double(x[i * c.in + k]) * w[o * c.in + k];
            base[i * c.out + o] = sum;
        }
    std::vector<double> y, u;
    reference(c, x, a, b, mask, base, y, u);
    std::printf("linear_forward + low rank = lora_forward (n=%lld in=%lld out=%lld r=%lld)\n", (long long)c.n,
                (long long)c.in, (long long)c.out, (long long)c.r);
    expect_close("y", dy.to_host(), y);
    expect_close("u", du.to_host(), u);
}

}  // namespace

int main() {
    if (!device_present()) return kSkipped;
    std::mt19937 rng(20240612);
    const Case cases[] = {
        {1, 1, 1, 1, 1.0f, false},          // smallest problem
        {37, 129, 267, 7, 0.5f, false},     // tails: rows (16), columns of in (64), output columns (256)
        {50, 70, 300, 16, -2.0f, true},     // dropout mask on x
        {19, 200, 45, 33, 1.5f, false},     // two expand rank chunks (32)
        {33, 65, 513, 130, 0.25f, true},    // three shrink rank chunks (64), five expand rank chunks
        {17, 0, 9, 3, 1.0f, false},         // in = 0: u = 0, y unchanged
        {21, 40, 0, 5, 1.0f, true},         // out = 0: u only
    };
    for (const Case& c : cases) run(c, rng);
    base_then_low_rank(rng);
    return finish("lora_low_rank_gpu");
}
