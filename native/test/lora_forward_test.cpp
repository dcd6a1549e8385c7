// peft4j_lora_forward on a GPU against a float64 CPU reference, on odd sizes (tails in every tile
// dimension), with and without bias and dropout mask, outputs poisoned with NaN so an unwritten element
// fails. Without a CUDA device it prints SKIPPED and exits 77 (ctest's SKIP_RETURN_CODE).
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
    bool bias, mask;
};

struct Reference {
    std::vector<double> y, u;
};

// u = (x . mask) A^T; y = x W^T + bias + s u B^T, in float64.
Reference reference(const Case& c, const std::vector<float>& x, const std::vector<float>& w,
                    const std::vector<float>& bias, const std::vector<float>& a, const std::vector<float>& b,
                    const std::vector<float>& mask) {
    Reference ref{std::vector<double>(c.n * c.out), std::vector<double>(c.n * c.r)};
    for (int64_t i = 0; i < c.n; ++i) {
        for (int64_t j = 0; j < c.r; ++j) {
            double sum = 0;
            for (int64_t k = 0; k < c.in; ++k) {
                const double xm = c.mask ? double(x[i * c.in + k]) * mask[i * c.in + k] : x[i * c.in + k];
                sum += xm * a[j * c.in + k];
            }
            ref.u[i * c.r + j] = sum;
        }
        for (int64_t o = 0; o < c.out; ++o) {
            double base = c.bias ? bias[o] : 0.0;
            for (int64_t k = 0; k < c.in; ++k) base += double(x[i * c.in + k]) * w[o * c.in + k];
            double low = 0;
            for (int64_t j = 0; j < c.r; ++j) low += ref.u[i * c.r + j] * b[o * c.r + j];
            ref.y[i * c.out + o] = base + double(c.s) * low;
        }
    }
    return ref;
}

void run(const Case& c, std::mt19937& rng) {
    const auto x = uniform(rng, c.n * c.in), w = uniform(rng, c.out * c.in), bias = uniform(rng, c.out),
               a = uniform(rng, c.r * c.in), b = uniform(rng, c.out * c.r), mask = drop_mask(rng, c.n * c.in);
    DeviceBuffer dx(x), dw(w), dbias(bias), da(a), db(b), dmask(mask),
        dy(poisoned(c.n * c.out)), du(poisoned(c.n * c.r));
    int status = peft4j_lora_forward(dx.get(), dw.get(), c.bias ? dbias.get() : nullptr, da.get(), db.get(), c.s,
                                     c.mask ? dmask.get() : nullptr, dy.get(), du.get(), c.n, c.in, c.out, c.r,
                                     nullptr);
    if (status == PEFT4J_OK) status = peft4j_synchronize(nullptr);
    CHECK(status == PEFT4J_OK, "lora_forward: %s", peft4j_status_string(status));

    const Reference ref = reference(c, x, w, bias, a, b, mask);
    const double ey = relative_error(dy.to_host(), ref.y), eu = relative_error(du.to_host(), ref.u);
    std::printf("n=%lld in=%lld out=%lld r=%lld s=%g bias=%d mask=%d: rel. error y %.3g, u %.3g\n",
                (long long)c.n, (long long)c.in, (long long)c.out, (long long)c.r, c.s, c.bias, c.mask, ey, eu);
    CHECK(ey <= kTolerance, "y relative error %g > %g", ey, kTolerance);
    CHECK(eu <= kTolerance, "u relative error %g > %g", eu, kTolerance);
}

}  // namespace

int main() {
    if (!device_present()) return kSkipped;
    std::mt19937 rng(20240611);
    const Case cases[] = {
        {1, 1, 1, 1, 1.0f, false, false},       // smallest problem
        {37, 129, 67, 7, 0.5f, true, false},     // tails in every dimension
        {130, 61, 203, 16, 2.0f, true, true},    // dropout on the LoRA path, K tail across x and u
        {65, 300, 3, 8, -1.25f, false, true},    // narrow output, deep k
        {5, 0, 9, 3, 1.0f, true, false},         // in = 0: y = bias, u = 0
    };
    for (const Case& c : cases) run(c, rng);
    return finish("lora_forward_gpu");
}
