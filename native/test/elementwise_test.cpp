// peft4j_fill/copy/add/mul/axpy on a GPU against the CPU at odd sizes, outputs poisoned with NaN, the aliased
// forms (out = a, out = b) and empty calls. The results must be bit-identical to the CPU's float arithmetic
// (one rounding each; axpy is one fused multiply-add). Exits 77 without a device.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "gpu_harness.h"

namespace {

using namespace peft4j_test;

void expect_bits(const char* name, const std::vector<float>& got, const std::vector<float>& want) {
    CHECK(got.size() == want.size(), "%s: %zu values, want %zu", name, got.size(), want.size());
    size_t differ = 0;
    for (size_t i = 0; i < want.size() && i < got.size(); ++i) {
        if (std::memcmp(&got[i], &want[i], sizeof(float)) != 0) ++differ;
    }
    std::printf("  %-10s %zu of %zu values differ\n", name, differ, want.size());
    CHECK(differ == 0, "%s: %zu values differ from the CPU's", name, differ);
}

void run(int64_t count, std::mt19937& rng) {
    std::printf("count=%lld\n", (long long)count);
    const auto a = uniform(rng, count), b = uniform(rng, count);
    std::vector<float> sum(count), product(count), axpy(count);
    const float alpha = -0.37f;
    for (int64_t i = 0; i < count; ++i) {
        sum[i] = a[i] + b[i];
        product[i] = a[i] * b[i];
        axpy[i] = std::fmaf(alpha, a[i], b[i]);
    }
    DeviceBuffer d_a(a), d_b(b), d_out(poisoned(count));
    expect_ok(peft4j_fill(d_out.get(), 2.5f, count, nullptr), "fill");
    expect_bits("fill", d_out.to_host(), std::vector<float>(count, 2.5f));
    expect_ok(peft4j_copy(d_a.get(), d_out.get(), count, nullptr), "copy");
    expect_bits("copy", d_out.to_host(), a);
    expect_ok(peft4j_add(d_a.get(), d_b.get(), d_out.get(), count, nullptr), "add");
    expect_bits("add", d_out.to_host(), sum);
    expect_ok(peft4j_mul(d_a.get(), d_b.get(), d_out.get(), count, nullptr), "mul");
    expect_bits("mul", d_out.to_host(), product);
    DeviceBuffer d_y(b);
    expect_ok(peft4j_axpy(alpha, d_a.get(), d_y.get(), count, nullptr), "axpy");
    expect_bits("axpy", d_y.to_host(), axpy);
    DeviceBuffer d_a2(a), d_b2(b);
    expect_ok(peft4j_add(d_a2.get(), d_b2.get(), d_a2.get(), count, nullptr), "add into a");
    expect_bits("add, out=a", d_a2.to_host(), sum);
    expect_ok(peft4j_mul(d_a.get(), d_b2.get(), d_b2.get(), count, nullptr), "mul into b");
    expect_bits("mul, out=b", d_b2.to_host(), product);
}

}  // namespace

int main() {
    if (!device_present()) return kSkipped;
    std::mt19937 rng(20261122);
    run(1, rng);
    run(1023, rng);
    run(1 << 20 | 5, rng);  // more elements than threads in the grid: the grid-stride loop
    expect_ok(peft4j_add(nullptr, nullptr, nullptr, 0, nullptr), "empty add");
    return finish("elementwise_gpu");
}
