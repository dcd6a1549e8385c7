// peft4j_embedding_forward/backward on a GPU against the CPU: the gather must be exact; the scatter-add with
// repeated ids against a float64 reference summed in ascending position order (the kernel's order, so the
// result is exact too), with NaN-poisoned outputs and a row id outside the table (skipped). Exits 77 without a
// device.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <vector>

#include "gpu_harness.h"

namespace {

using namespace peft4j_test;

void run(int64_t n, int64_t vocab, int64_t dim, std::mt19937& rng) {
    std::printf("n=%lld vocab=%lld dim=%lld\n", (long long)n, (long long)vocab, (long long)dim);
    const auto table = uniform(rng, vocab * dim), d_out = uniform(rng, n * dim);
    std::vector<int32_t> ids(n);
    std::uniform_int_distribution<int32_t> pick(0, static_cast<int32_t>(vocab - 1));
    for (auto& id : ids) id = pick(rng);
    if (n > 2) ids[n - 1] = ids[0];  // a repeated id
    std::vector<float> gathered(n * dim);
    std::vector<double> d_table(vocab * dim, 0.0);
    std::map<int32_t, std::vector<int32_t>> groups;
    for (int64_t i = 0; i < n; ++i) {
        std::memcpy(&gathered[i * dim], &table[ids[i] * dim], dim * sizeof(float));
        groups[ids[i]].push_back(static_cast<int32_t>(i));
        for (int64_t e = 0; e < dim; ++e) d_table[ids[i] * dim + e] += d_out[i * dim + e];
    }
    std::vector<int32_t> rows, offsets{0}, positions;
    for (const auto& [id, at] : groups) {
        rows.push_back(id);
        positions.insert(positions.end(), at.begin(), at.end());
        offsets.push_back(static_cast<int32_t>(positions.size()));
    }
    DeviceBuffer d_tab(table), d_ids(ids), d_gathered(poisoned(n * dim));
    expect_ok(peft4j_embedding_forward(d_tab.get(), d_ids.ints(), d_gathered.get(), n, vocab, dim, nullptr),
              "embedding_forward");
    const auto got = d_gathered.to_host();
    CHECK(std::memcmp(got.data(), gathered.data(), gathered.size() * sizeof(float)) == 0, "gathered rows differ");
    DeviceBuffer d_dout(d_out), d_rows(rows), d_offsets(offsets), d_positions(positions), d_dtab(poisoned(vocab * dim));
    expect_ok(peft4j_embedding_backward(d_dout.get(), d_rows.ints(), d_offsets.ints(), d_positions.ints(), d_dtab.get(),
                                        static_cast<int64_t>(rows.size()), n, vocab, dim, nullptr),
              "embedding_backward");
    const auto scattered = d_dtab.to_host();
    size_t differ = 0;
    for (size_t i = 0; i < d_table.size(); ++i) differ += scattered[i] != static_cast<float>(d_table[i]);
    CHECK(differ == 0, "%zu of %zu table gradients differ from the float64 sums", differ, d_table.size());
    expect_close("dTable", scattered, d_table);
}

}  // namespace

int main() {
    if (!device_present()) return kSkipped;
    std::mt19937 rng(20261123);
    run(1, 1, 1, rng);
    run(37, 11, 130, rng);
    run(2048, 30522, 384, rng);  // MiniLM's vocabulary and width
    std::vector<int32_t> bad{5};  // a row id beyond the table is skipped, the rest of the table is zero
    DeviceBuffer d_dout(std::vector<float>(4, 1.0f)), d_rows(bad), d_offsets(std::vector<int32_t>{0, 1}),
        d_positions(std::vector<int32_t>{0}), d_dtab(poisoned(3 * 4));
    expect_ok(peft4j_embedding_backward(d_dout.get(), d_rows.ints(), d_offsets.ints(), d_positions.ints(), d_dtab.get(),
                                        1, 1, 3, 4, nullptr), "embedding_backward, id beyond the table");
    expect_close("zeros", d_dtab.to_host(), std::vector<double>(12, 0.0));
    return finish("embedding_gpu");
}
