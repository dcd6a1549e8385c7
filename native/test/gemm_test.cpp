// peft4j_gemm (every transpose combination, batched, alpha/beta, beta = 0 with NaN in C) and
// peft4j_linear_forward/backward on a GPU against a float64 CPU reference at odd sizes, outputs poisoned with
// NaN. Exits 77 without a device.
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "gpu_harness.h"

namespace {

using namespace peft4j_test;

void gemm_case(int64_t batch, int64_t m, int64_t n, int64_t k, bool ta, bool tb, float alpha, float beta,
               std::mt19937& rng) {
    std::printf("gemm batch=%lld m=%lld n=%lld k=%lld transA=%d transB=%d alpha=%g beta=%g\n", (long long)batch,
                (long long)m, (long long)n, (long long)k, ta, tb, alpha, beta);
    const auto a = uniform(rng, batch * m * k), b = uniform(rng, batch * k * n);
    const auto c0 = beta == 0.0f ? poisoned(batch * m * n) : uniform(rng, batch * m * n);
    std::vector<double> want(batch * m * n);
    for (int64_t p = 0; p < batch; ++p)
        for (int64_t i = 0; i < m; ++i)
            for (int64_t j = 0; j < n; ++j) {
                double sum = 0;
                for (int64_t l = 0; l < k; ++l) {
                    const double av = ta ? a[p * m * k + l * m + i] : a[p * m * k + i * k + l];
                    const double bv = tb ? b[p * k * n + j * k + l] : b[p * k * n + l * n + j];
                    sum += av * bv;
                }
                const int64_t at = p * m * n + i * n + j;
                want[at] = alpha * sum + (beta == 0.0f ? 0.0 : double(beta) * c0[at]);
            }
    DeviceBuffer d_a(a), d_b(b), d_c(c0);
    expect_ok(peft4j_gemm(d_a.get(), ta, d_b.get(), tb, d_c.get(), alpha, beta, batch, m, n, k, nullptr), "gemm");
    expect_close("C", d_c.to_host(), want);
}

void linear_case(int64_t n, int64_t in, int64_t out, bool bias, std::mt19937& rng) {
    std::printf("linear n=%lld in=%lld out=%lld bias=%d\n", (long long)n, (long long)in, (long long)out, bias);
    const auto x = uniform(rng, n * in), w = uniform(rng, out * in), b = uniform(rng, out), dy = uniform(rng, n * out);
    std::vector<double> y(n * out), dx(n * in, 0), dw(out * in, 0), db(out, 0);
    for (int64_t i = 0; i < n; ++i)
        for (int64_t o = 0; o < out; ++o) {
            double sum = bias ? b[o] : 0;
            for (int64_t e = 0; e < in; ++e) sum += double(x[i * in + e]) * w[o * in + e];
            y[i * out + o] = sum;
            db[o] += dy[i * out + o];
            for (int64_t e = 0; e < in; ++e) {
                dx[i * in + e] += double(dy[i * out + o]) * w[o * in + e];
                dw[o * in + e] += double(dy[i * out + o]) * x[i * in + e];
            }
        }
    DeviceBuffer d_x(x), d_w(w), d_b(b), d_dy(dy), d_y(poisoned(n * out)), d_dx(poisoned(n * in)),
        d_dw(poisoned(out * in)), d_db(poisoned(out));
    expect_ok(peft4j_linear_forward(d_x.get(), d_w.get(), bias ? d_b.get() : nullptr, d_y.get(), n, in, out, nullptr),
              "linear_forward");
    expect_close("y", d_y.to_host(), y);
    expect_ok(peft4j_linear_backward(d_dy.get(), d_x.get(), d_w.get(), d_dx.get(), d_dw.get(), d_db.get(), n, in, out,
                                     nullptr), "linear_backward");
    expect_close("dx", d_dx.to_host(), dx);
    expect_close("dW", d_dw.to_host(), dw);
    expect_close("db", d_db.to_host(), db);
}

}  // namespace

int main() {
    if (!device_present()) return kSkipped;
    std::mt19937 rng(20261128);
    for (int ta = 0; ta < 2; ++ta)
        for (int tb = 0; tb < 2; ++tb) gemm_case(3, 37, 65, 19, ta, tb, 0.5f, 0.0f, rng);
    gemm_case(1, 1, 1, 1, false, false, 1.0f, 0.0f, rng);
    gemm_case(2, 129, 70, 300, true, false, -1.5f, 0.25f, rng);
    gemm_case(1, 16, 16, 0, false, true, 1.0f, 2.0f, rng);  // k = 0: C = beta C
    linear_case(1, 1, 1, true, rng);
    linear_case(127, 384, 33, true, rng);
    linear_case(2048, 1536, 384, false, rng);  // MiniLM's FFN output
    return finish("gemm_gpu");
}
