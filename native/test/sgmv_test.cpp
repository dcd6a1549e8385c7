// peft4j_sgmv_lora on a GPU: a batch whose rows use different adapters (and some none) against a float64 CPU
// reference, y starting from a base product (so the update must add, not overwrite); rows with id -1 or an id past
// the stack must keep their base product bit for bit. Relative L2 error <= 1e-5. Exits 77 without a device.
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "gpu_harness.h"

namespace {

using namespace peft4j_test;

void run(int64_t n, int64_t in, int64_t out, int64_t r, int64_t adapters, std::mt19937& rng) {
    std::printf("n=%lld in=%lld out=%lld r=%lld adapters=%lld\n", (long long)n, (long long)in, (long long)out,
                (long long)r, (long long)adapters);
    const auto x = uniform(rng, n * in), a = uniform(rng, adapters * r * in), b = uniform(rng, adapters * out * r),
               scales = uniform(rng, adapters, 0.5f, 2.0f), y0 = uniform(rng, n * out);
    std::vector<int32_t> adapter_of(n);
    std::uniform_int_distribution<int32_t> pick(-1, static_cast<int32_t>(adapters));  // adapters: past the stack
    for (auto& id : adapter_of) id = pick(rng);
    std::vector<double> want(y0.begin(), y0.end());
    for (int64_t i = 0; i < n; ++i) {
        const int32_t ad = adapter_of[i];
        if (ad < 0 || ad >= adapters) continue;
        std::vector<double> u(r, 0.0);
        for (int64_t q = 0; q < r; ++q)
            for (int64_t k = 0; k < in; ++k) u[q] += double(x[i * in + k]) * a[(ad * r + q) * in + k];
        for (int64_t o = 0; o < out; ++o) {
            double acc = 0;
            for (int64_t q = 0; q < r; ++q) acc += u[q] * b[(ad * out + o) * r + q];
            want[i * out + o] += scales[ad] * acc;
        }
    }
    DeviceBuffer d_x(x), d_a(a), d_b(b), d_s(scales), d_ids(adapter_of), d_y(y0);
    expect_ok(peft4j_sgmv_lora(d_x.get(), d_a.get(), d_b.get(), d_s.get(), d_ids.ints(), d_y.get(), n, in, out, r,
                               adapters, nullptr), "sgmv_lora");
    const std::vector<float> got = d_y.to_host();
    expect_close("y", got, want);
    for (int64_t i = 0; i < n; ++i) {
        if (adapter_of[i] >= 0 && adapter_of[i] < adapters) continue;
        for (int64_t o = 0; o < out; ++o) {
            CHECK(got[i * out + o] == y0[i * out + o], "row %lld (id %d) changed at column %lld", (long long)i,
                  adapter_of[i], (long long)o);
        }
    }
}

}  // namespace

int main() {
    if (!device_present()) return kSkipped;
    std::mt19937 rng(20261129);
    run(1, 1, 1, 1, 1, rng);
    run(37, 129, 65, 8, 3, rng);
    run(256, 384, 384, 16, 7, rng);  // MiniLM width, seven adapters in one batch
    run(5, 4096, 4096, 128, 2, rng);
    return finish("sgmv_gpu");
}
