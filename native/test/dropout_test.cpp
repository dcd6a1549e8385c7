// peft4j_dropout_forward on a GPU: the mask must equal dev.peft4j.backend.DropoutHash bit for bit. The CPU copy
// of the hash below is first checked against values printed by the Java implementation (DropoutHash.uniform
// and keepScale), then the kernel against it at odd sizes, in place (y = x) and without a mask output.
// Exits 77 without a device.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "gpu_harness.h"

namespace {

using namespace peft4j_test;

float uniform_hash(int64_t seed, int64_t index) {
    uint64_t z = static_cast<uint64_t>(seed) + (static_cast<uint64_t>(index) + 1) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z = z ^ (z >> 31);
    return static_cast<float>(z >> 40) * 0x1.0p-24f;
}

uint32_t bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}

// Values of DropoutHash.uniform(seed, index) and keepScale(0.1f) printed by the Java implementation.
void matches_java() {
    struct Known { int64_t seed, index; uint32_t bits; };
    const Known known[] = {{42, 0, 0x3f3dd732}, {42, 1, 0x3e23bf8c}, {42, 2, 0x3e8ea4ce},
                           {-7, 1000000000LL, 0x3f47b583}, {INT64_MAX, 12345, 0x3eb12872}};
    for (const Known& k : known) {
        CHECK(bits(uniform_hash(k.seed, k.index)) == k.bits, "uniform(%lld, %lld) = %08x, Java gives %08x",
              (long long)k.seed, (long long)k.index, bits(uniform_hash(k.seed, k.index)), k.bits);
    }
    CHECK(bits(static_cast<float>(1.0 / (1.0 - 0.1f))) == 0x3f8e38e4, "keepScale(0.1)");
}

void run(int64_t count, float p, int64_t seed, std::mt19937& rng) {
    std::printf("count=%lld p=%g seed=%lld\n", (long long)count, p, (long long)seed);
    const auto x = uniform(rng, count);
    const float keep = static_cast<float>(1.0 / (1.0 - static_cast<double>(p)));
    std::vector<float> mask(count), y(count);
    for (int64_t i = 0; i < count; ++i) {
        mask[i] = uniform_hash(seed, i) >= p ? keep : 0.0f;
        y[i] = static_cast<float>(static_cast<double>(x[i]) * mask[i]);
    }
    DeviceBuffer d_x(x), d_y(poisoned(count)), d_mask(poisoned(count));
    expect_ok(peft4j_dropout_forward(d_x.get(), p, seed, d_y.get(), d_mask.get(), count, nullptr), "dropout_forward");
    const auto got_mask = d_mask.to_host(), got_y = d_y.to_host();
    CHECK(std::memcmp(got_mask.data(), mask.data(), count * sizeof(float)) == 0, "mask differs from DropoutHash");
    CHECK(std::memcmp(got_y.data(), y.data(), count * sizeof(float)) == 0, "y differs");
    expect_ok(peft4j_dropout_forward(d_x.get(), p, seed, d_x.get(), nullptr, count, nullptr), "dropout in place");
    const auto in_place = d_x.to_host();
    CHECK(std::memcmp(in_place.data(), y.data(), count * sizeof(float)) == 0, "in-place y differs");
}

}  // namespace

int main() {
    matches_java();  // runs without a GPU too
    if (!device_present()) return peft4j_test::failures == 0 ? kSkipped : 1;
    std::mt19937 rng(20261125);
    run(1, 0.1f, 42, rng);
    run(1000003, 0.1f, -7, rng);
    run(4097, 0.0f, 3, rng);   // p = 0 keeps everything, scale 1
    run(4097, 0.9f, INT64_MAX, rng);
    return finish("dropout_gpu");
}
