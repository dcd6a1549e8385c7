// peft4j_lora_backward on a GPU against a float64 CPU reference (ReferenceLora.backward's loops), on odd
// sizes (tails in every tile dimension), with and without dropout mask, rows = 0 (dA = dB = 0), in = 0 and
// out = 0, every output and the g workspace poisoned with NaN, and the optional outputs left out one at a
// time. The reference itself is checked by finite differences of sum(dy * y). Exits 77 without a device.
#include <cmath>
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

struct Inputs {
    std::vector<double> x, w, a, b, mask;  // mask all 1 when the case has none
};

// y = x W^T + s (x~ A^T) B^T in float64; u = x~ A^T.
void forward(const Case& c, const Inputs& in, std::vector<double>& y, std::vector<double>& u) {
    y.assign(c.n * c.out, 0.0);
    u.assign(c.n * c.r, 0.0);
    for (int64_t i = 0; i < c.n; ++i) {
        for (int64_t j = 0; j < c.r; ++j) {
            for (int64_t k = 0; k < c.in; ++k) u[i * c.r + j] += in.x[i * c.in + k] * in.mask[i * c.in + k] * in.a[j * c.in + k];
        }
        for (int64_t o = 0; o < c.out; ++o) {
            double sum = 0;
            for (int64_t k = 0; k < c.in; ++k) sum += in.x[i * c.in + k] * in.w[o * c.in + k];
            for (int64_t j = 0; j < c.r; ++j) sum += c.s * u[i * c.r + j] * in.b[o * c.r + j];
            y[i * c.out + o] = sum;
        }
    }
}

struct Grads {
    std::vector<double> g, dx, da, db;
};

Grads backward(const Case& c, const Inputs& in, const std::vector<double>& dy, const std::vector<double>& u) {
    Grads r{std::vector<double>(c.n * c.r), std::vector<double>(c.n * c.in), std::vector<double>(c.r * c.in),
            std::vector<double>(c.out * c.r)};
    for (int64_t i = 0; i < c.n; ++i) {
        for (int64_t j = 0; j < c.r; ++j) {
            for (int64_t o = 0; o < c.out; ++o) r.g[i * c.r + j] += dy[i * c.out + o] * in.b[o * c.r + j];
        }
    }
    for (int64_t o = 0; o < c.out; ++o) {
        for (int64_t j = 0; j < c.r; ++j) {
            double sum = 0;
            for (int64_t i = 0; i < c.n; ++i) sum += dy[i * c.out + o] * u[i * c.r + j];
            r.db[o * c.r + j] = c.s * sum;
        }
    }
    for (int64_t j = 0; j < c.r; ++j) {
        for (int64_t k = 0; k < c.in; ++k) {
            double sum = 0;
            for (int64_t i = 0; i < c.n; ++i) sum += r.g[i * c.r + j] * in.x[i * c.in + k] * in.mask[i * c.in + k];
            r.da[j * c.in + k] = c.s * sum;
        }
    }
    for (int64_t i = 0; i < c.n; ++i) {
        for (int64_t k = 0; k < c.in; ++k) {
            double base = 0, low = 0;
            for (int64_t o = 0; o < c.out; ++o) base += dy[i * c.out + o] * in.w[o * c.in + k];
            for (int64_t j = 0; j < c.r; ++j) low += r.g[i * c.r + j] * in.a[j * c.in + k];
            r.dx[i * c.in + k] = base + c.s * low * in.mask[i * c.in + k];
        }
    }
    return r;
}

Inputs inputs(const Case& c, std::mt19937& rng) {
    return Inputs{widen(uniform(rng, c.n * c.in)), widen(uniform(rng, c.out * c.in)), widen(uniform(rng, c.r * c.in)),
                  widen(uniform(rng, c.out * c.r)),
                  c.mask ? widen(drop_mask(rng, c.n * c.in)) : std::vector<double>(c.n * c.in, 1.0)};
}

// dx, dA, dB of the reference against finite differences of L = sum(dy * y).
void check_reference_by_finite_differences(std::mt19937& rng) {
    const Case c{3, 4, 5, 2, 0.7f, true};
    Inputs in = inputs(c, rng);
    const auto dy = widen(uniform(rng, c.n * c.out));
    std::vector<double> y, u;
    forward(c, in, y, u);
    const Grads grads = backward(c, in, dy, u);
    const auto loss_with = [&](std::vector<double> Inputs::*field) {
        return [&, field](const std::vector<double>& at) {
            Inputs moved = in;
            moved.*field = at;
            std::vector<double> yy, uu;
            forward(c, moved, yy, uu);
            double sum = 0;
            for (size_t i = 0; i < yy.size(); ++i) sum += dy[i] * yy[i];
            return sum;
        };
    };
    const double ex = max_relative_difference(grads.dx, finite_differences(loss_with(&Inputs::x), in.x));
    const double ea = max_relative_difference(grads.da, finite_differences(loss_with(&Inputs::a), in.a));
    const double eb = max_relative_difference(grads.db, finite_differences(loss_with(&Inputs::b), in.b));
    std::printf("reference vs finite differences: dx %.3g, dA %.3g, dB %.3g\n", ex, ea, eb);
    CHECK(ex <= 1e-6 && ea <= 1e-6 && eb <= 1e-6, "reference LoRA backward differs from finite differences");
}

std::vector<float> narrow(const std::vector<double>& v) { return std::vector<float>(v.begin(), v.end()); }

// Runs the kernel with the outputs selected by want_dx, want_da, want_db and checks those it wrote.
void run_outputs(const Case& c, const Inputs& in, const std::vector<float>& dy, const std::vector<float>& u,
                 const Grads& want, bool want_dx, bool want_da, bool want_db) {
    DeviceBuffer d_dy(dy), d_x(narrow(in.x)), d_w(narrow(in.w)), d_a(narrow(in.a)), d_b(narrow(in.b)), d_u(u),
        d_mask(narrow(in.mask)), d_dx(poisoned(c.n * c.in)), d_da(poisoned(c.r * c.in)), d_db(poisoned(c.out * c.r)),
        d_g(poisoned(c.n * c.r));
    expect_ok(peft4j_lora_backward(d_dy.get(), d_x.get(), d_w.get(), d_a.get(), d_b.get(), d_u.get(), c.s,
                                   c.mask ? d_mask.get() : nullptr, want_dx ? d_dx.get() : nullptr,
                                   want_da ? d_da.get() : nullptr, want_db ? d_db.get() : nullptr, d_g.get(), c.n,
                                   c.in, c.out, c.r, nullptr),
              "lora_backward");
    if (want_dx || want_da) expect_close("g", d_g.to_host(), want.g);
    if (want_dx) expect_close("dx", d_dx.to_host(), want.dx);
    if (want_da) expect_close("dA", d_da.to_host(), want.da);
    if (want_db) expect_close("dB", d_db.to_host(), want.db);
}

void run(const Case& c, std::mt19937& rng) {
    std::printf("n=%lld in=%lld out=%lld r=%lld s=%g mask=%d\n", (long long)c.n, (long long)c.in, (long long)c.out,
                (long long)c.r, c.s, c.mask);
    const Inputs in = inputs(c, rng);
    const auto dy = uniform(rng, c.n * c.out);
    std::vector<double> y, u;
    forward(c, in, y, u);
    const auto u_float = narrow(u);  // the backward reads the saved float u, as in training
    const Grads want = backward(c, in, widen(dy), widen(u_float));
    run_outputs(c, in, dy, u_float, want, true, true, true);
    run_outputs(c, in, dy, u_float, want, false, true, false);
    run_outputs(c, in, dy, u_float, want, true, false, false);
    run_outputs(c, in, dy, u_float, want, false, false, true);
}

}  // namespace

int main() {
    if (!device_present()) return kSkipped;
    std::mt19937 rng(20240619);
    check_reference_by_finite_differences(rng);
    const Case cases[] = {
        {1, 1, 1, 1, 1.0f, false},      // smallest problem
        {37, 129, 67, 7, 0.5f, false},  // tails in every dimension; dx over k = out + r in one launch
        {130, 61, 203, 16, 2.0f, true}, // mask: dx in two launches
        {65, 300, 3, 8, -1.25f, true},  // narrow output, deep in
        {0, 9, 5, 3, 1.0f, false},      // no rows: dA = dB = 0
        {5, 0, 9, 3, 1.0f, false},      // in = 0: dx, dA empty, dB still computed
        {6, 7, 0, 2, 1.0f, true},       // out = 0: g = 0, dx = 0, dB empty
    };
    for (const Case& c : cases) run(c, rng);
    return finish("lora_backward_gpu");
}
