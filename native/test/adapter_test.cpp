// peft4j_adapter_forward/backward on a GPU against a float64 CPU reference (its backward checked by finite
// differences), serial (y separate, x = residual) and parallel (y = residual) forms, every activation, biases
// present or NULL, a learned-scale gradient, NaN-poisoned outputs and workspace. Exits 77 without a device.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "gpu_harness.h"

namespace {

using namespace peft4j_test;

double act(int f, double z) {
    switch (f) {
        case PEFT4J_ACTIVATION_RELU: return z > 0 ? z : 0;
        case PEFT4J_ACTIVATION_GELU: return 0.5 * z * std::erfc(-z / std::sqrt(2.0));
        case PEFT4J_ACTIVATION_GELU_TANH:
            return 0.5 * z * (1 + std::tanh(std::sqrt(2 / 3.14159265358979323846) * (z + 0.044715 * z * z * z)));
        case PEFT4J_ACTIVATION_SWISH: return z / (1 + std::exp(-z));
        case PEFT4J_ACTIVATION_TANH: return std::tanh(z);
        default: return z;
    }
}

std::vector<float> narrow_copy(const std::vector<double>& v) { return std::vector<float>(v.begin(), v.end()); }

struct Adapter {
    int64_t n, d, m;
    int f;
    double s;
    std::vector<double> x, residual, wd, bd, wu, bu;  // bd, bu empty: no bias

    // z, and y = residual + s (f(z) W_u^T + b_u)
    void forward(std::vector<double>& z, std::vector<double>& y) const {
        z.assign(n * m, 0), y.assign(n * d, 0);
        for (int64_t i = 0; i < n; ++i) {
            for (int64_t j = 0; j < m; ++j) {
                double sum = bd.empty() ? 0 : bd[j];
                for (int64_t e = 0; e < d; ++e) sum += x[i * d + e] * wd[j * d + e];
                z[i * m + j] = sum;
            }
            for (int64_t o = 0; o < d; ++o) {
                double sum = bu.empty() ? 0 : bu[o];
                for (int64_t j = 0; j < m; ++j) sum += act(f, z[i * m + j]) * wu[o * m + j];
                y[i * d + o] = residual[i * d + o] + s * sum;
            }
        }
    }
};

// The gradient of L = sum(y (.) dy) with respect to a weight, by central differences of the reference.
std::vector<double> numeric(Adapter a, std::vector<double> Adapter::*field, const std::vector<float>& dy) {
    std::vector<double>& p = a.*field;
    std::vector<double> g(p.size());
    const auto loss = [&]() {
        std::vector<double> z, y;
        a.forward(z, y);
        double l = 0;
        for (size_t i = 0; i < y.size(); ++i) l += y[i] * dy[i];
        return l;
    };
    for (size_t i = 0; i < p.size(); ++i) {
        const double keep = p[i];
        p[i] = keep + 1e-6;
        const double up = loss();
        p[i] = keep - 1e-6;
        const double down = loss();
        p[i] = keep;
        g[i] = (up - down) / 2e-6;
    }
    return g;
}

void run(int64_t n, int64_t d, int64_t m, int f, bool biases, bool serial, std::mt19937& rng) {
    std::printf("n=%lld d=%lld m=%lld f=%d biases=%d serial=%d\n", (long long)n, (long long)d, (long long)m, f, biases,
                serial);
    Adapter a{n, d, m, f, 0.7, widen(uniform(rng, n * d)), {}, widen(uniform(rng, m * d)),
              biases ? widen(uniform(rng, m)) : std::vector<double>{}, widen(uniform(rng, d * m)),
              biases ? widen(uniform(rng, d)) : std::vector<double>{}};
    a.residual = serial ? a.x : widen(uniform(rng, n * d));
    const auto dy = uniform(rng, n * d);
    std::vector<double> z, y;
    a.forward(z, y);
    // reference gradients
    std::vector<double> dz(n * m), dx(n * d, 0), dwd(m * d, 0), dbd(m, 0), dwu(d * m, 0), dbu(d, 0);
    double dscale = 0;
    for (int64_t i = 0; i < n; ++i) {
        for (int64_t o = 0; o < d; ++o) {
            double pre = a.bu.empty() ? 0 : a.bu[o];
            for (int64_t j = 0; j < m; ++j) pre += act(f, z[i * m + j]) * a.wu[o * m + j];
            dscale += dy[i * d + o] * pre;
            dbu[o] += a.s * dy[i * d + o];
        }
        for (int64_t j = 0; j < m; ++j) {
            double dh = 0;
            for (int64_t o = 0; o < d; ++o) dh += a.s * dy[i * d + o] * a.wu[o * m + j];
            const double zz = z[i * m + j], h = 1e-6;
            dz[i * m + j] = dh * (act(f, zz + h) - act(f, zz - h)) / (2 * h);
            for (int64_t o = 0; o < d; ++o) dwu[o * m + j] += a.s * dy[i * d + o] * act(f, zz);
            dbd[j] += dz[i * m + j];
            for (int64_t e = 0; e < d; ++e) {
                dwd[j * d + e] += dz[i * m + j] * a.x[i * d + e];
                dx[i * d + e] += dz[i * m + j] * a.wd[j * d + e];
            }
        }
    }
    if (n * d * m <= 2000) {  // the reference backward against finite differences (small cases)
        const double e1 = max_relative_difference(dwd, numeric(a, &Adapter::wd, dy));
        const double e2 = max_relative_difference(dwu, numeric(a, &Adapter::wu, dy));
        std::printf("  reference dW_d, dW_u vs finite differences: %.3g, %.3g\n", e1, e2);
        CHECK(e1 < 1e-5 && e2 < 1e-5, "reference backward differs from finite differences: %g, %g", e1, e2);
    }
    DeviceBuffer d_x(narrow_copy(a.x)), d_res(narrow_copy(a.residual)), d_wd(narrow_copy(a.wd)), d_wu(narrow_copy(a.wu)),
        d_bd(biases ? narrow_copy(a.bd) : std::vector<float>{}), d_bu(biases ? narrow_copy(a.bu) : std::vector<float>{}),
        d_z(poisoned(n * m)), d_y(poisoned(n * d));
    float* y_out = serial ? d_y.get() : d_res.get();  // the parallel form adds into the residual in place
    const float* res = serial ? d_x.get() : d_res.get();
    expect_ok(peft4j_adapter_forward(d_x.get(), res, d_wd.get(), biases ? d_bd.get() : nullptr,
                                     d_wu.get(), biases ? d_bu.get() : nullptr, f, float(a.s), y_out, d_z.get(), n, d,
                                     m, nullptr), "adapter_forward");
    expect_close("z", d_z.to_host(), z);
    expect_close("y", serial ? d_y.to_host() : d_res.to_host(), y);
    int64_t floats = -1;
    expect_ok(peft4j_adapter_backward_workspace(n, d, m, 1, &floats), "workspace");
    DeviceBuffer ws(poisoned(floats)), d_dy(dy), g_x(poisoned(n * d)), g_wd(poisoned(m * d)), g_bd(poisoned(m)),
        g_wu(poisoned(d * m)), g_bu(poisoned(d)), g_s(poisoned(1));
    expect_ok(peft4j_adapter_backward(d_dy.get(), d_x.get(), d_wd.get(), d_wu.get(), biases ? d_bu.get() : nullptr, f,
                                      float(a.s), d_z.get(), g_x.get(), g_wd.get(), g_bd.get(), g_wu.get(), g_bu.get(),
                                      g_s.get(), ws.get(), n, d, m, nullptr),
              "adapter_backward");
    expect_close("dx", g_x.to_host(), dx);
    expect_close("dW_d", g_wd.to_host(), dwd);
    expect_close("db_d", g_bd.to_host(), dbd);
    expect_close("dW_u", g_wu.to_host(), dwu);
    expect_close("db_u", g_bu.to_host(), dbu);
    expect_close("dScale", g_s.to_host(), std::vector<double>{dscale});
}

}  // namespace

int main() {
    if (!device_present()) return kSkipped;
    std::mt19937 rng(20261127);
    run(1, 1, 1, PEFT4J_ACTIVATION_RELU, true, true, rng);
    run(7, 13, 5, PEFT4J_ACTIVATION_SWISH, true, true, rng);  // Houlsby: serial, swish
    run(7, 13, 5, PEFT4J_ACTIVATION_GELU, false, false, rng);
    run(33, 70, 9, PEFT4J_ACTIVATION_GELU_TANH, true, false, rng);
    run(65, 129, 24, PEFT4J_ACTIVATION_TANH, true, true, rng);
    run(2048, 384, 512, PEFT4J_ACTIVATION_RELU, true, false, rng);  // MAM's parallel adapter on MiniLM
    return finish("adapter_gpu");
}
