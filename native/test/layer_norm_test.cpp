// peft4j_layer_norm_forward/backward on a GPU against a float64 CPU reference at odd widths (row tails in
// the block, column tails in the dgamma/dbeta reduction), with and without beta, outputs poisoned with NaN.
// The reference backward is itself checked by finite differences of sum(dy * y). Exits 77 without a device.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "gpu_harness.h"

namespace {

using namespace peft4j_test;

struct Case {
    int64_t rows, dim;
    bool beta;
};

constexpr float kEps = 1e-5f;

struct Forward {
    std::vector<double> y, mean, rstd;
};

Forward forward(const std::vector<double>& x, const std::vector<float>& gamma, const std::vector<float>& beta,
                int64_t rows, int64_t dim, bool has_beta) {
    Forward f{std::vector<double>(x.size()), std::vector<double>(rows), std::vector<double>(rows)};
    for (int64_t r = 0; r < rows; ++r) {
        double mu = 0, var = 0;
        for (int64_t i = 0; i < dim; ++i) mu += x[r * dim + i];
        mu /= dim;
        for (int64_t i = 0; i < dim; ++i) var += (x[r * dim + i] - mu) * (x[r * dim + i] - mu);
        var /= dim;
        const double rs = 1.0 / std::sqrt(var + kEps);
        for (int64_t i = 0; i < dim; ++i) {
            f.y[r * dim + i] = (x[r * dim + i] - mu) * rs * gamma[i] + (has_beta ? beta[i] : 0.0);
        }
        f.mean[r] = mu;
        f.rstd[r] = rs;
    }
    return f;
}

struct Backward {
    std::vector<double> dx, dgamma, dbeta;
};

// dx = rstd (g^ - mean(g^) - x^ mean(g^ x^)), dgamma = sum_rows dy x^, dbeta = sum_rows dy.
Backward backward(const std::vector<double>& dy, const std::vector<double>& x, const std::vector<float>& gamma,
                  const Forward& f, int64_t rows, int64_t dim) {
    Backward b{std::vector<double>(x.size()), std::vector<double>(dim), std::vector<double>(dim)};
    for (int64_t r = 0; r < rows; ++r) {
        double mean_g = 0, mean_gx = 0;
        for (int64_t i = 0; i < dim; ++i) {
            const double xhat = (x[r * dim + i] - f.mean[r]) * f.rstd[r];
            const double g = dy[r * dim + i] * gamma[i];
            mean_g += g;
            mean_gx += g * xhat;
            b.dgamma[i] += dy[r * dim + i] * xhat;
            b.dbeta[i] += dy[r * dim + i];
        }
        mean_g /= dim;
        mean_gx /= dim;
        for (int64_t i = 0; i < dim; ++i) {
            const double xhat = (x[r * dim + i] - f.mean[r]) * f.rstd[r];
            b.dx[r * dim + i] = f.rstd[r] * (dy[r * dim + i] * gamma[i] - mean_g - xhat * mean_gx);
        }
    }
    return b;
}

// The reference dx against finite differences of L(x) = sum(dy * y(x)), on a small problem.
void check_reference_by_finite_differences(std::mt19937& rng) {
    const int64_t rows = 3, dim = 5;
    const auto x = widen(uniform(rng, rows * dim)), dy = widen(uniform(rng, rows * dim));
    const auto gamma = uniform(rng, dim, 0.5f, 1.5f), beta = uniform(rng, dim);
    const auto loss = [&](const std::vector<double>& at) {
        const Forward f = forward(at, gamma, beta, rows, dim, true);
        double sum = 0;
        for (size_t i = 0; i < at.size(); ++i) sum += dy[i] * f.y[i];
        return sum;
    };
    const Backward b = backward(dy, x, gamma, forward(x, gamma, beta, rows, dim, true), rows, dim);
    const double diff = max_relative_difference(b.dx, finite_differences(loss, x));
    std::printf("reference dx vs finite differences: %.3g\n", diff);
    CHECK(diff <= 1e-6, "reference layer norm dx differs from finite differences by %g", diff);
}

void run(const Case& c, std::mt19937& rng) {
    std::printf("rows=%lld dim=%lld beta=%d\n", (long long)c.rows, (long long)c.dim, c.beta);
    const auto x = uniform(rng, c.rows * c.dim, 2.0f, 4.0f);  // a mean far from 0 tests the two-pass variance
    const auto gamma = uniform(rng, c.dim, 0.5f, 1.5f), beta = uniform(rng, c.dim), dy = uniform(rng, c.rows * c.dim);
    DeviceBuffer d_x(x), d_gamma(gamma), d_beta(beta), d_dy(dy), d_y(poisoned(c.rows * c.dim)),
        d_mean(poisoned(c.rows)), d_rstd(poisoned(c.rows)), d_dx(poisoned(c.rows * c.dim)),
        d_dgamma(poisoned(c.dim)), d_dbeta(poisoned(c.dim));
    expect_ok(peft4j_layer_norm_forward(d_x.get(), d_gamma.get(), c.beta ? d_beta.get() : nullptr, kEps, d_y.get(),
                                        d_mean.get(), d_rstd.get(), c.rows, c.dim, nullptr),
              "layer_norm_forward");
    const Forward f = forward(widen(x), gamma, beta, c.rows, c.dim, c.beta);
    expect_close("y", d_y.to_host(), f.y);
    expect_close("mean", d_mean.to_host(), f.mean);
    expect_close("rstd", d_rstd.to_host(), f.rstd);

    // The backward reads the kernel's own saved mean and rstd, as in training.
    expect_ok(peft4j_layer_norm_backward(d_dy.get(), d_x.get(), d_gamma.get(), d_mean.get(), d_rstd.get(),
                                         d_dx.get(), d_dgamma.get(), d_dbeta.get(), c.rows, c.dim, nullptr),
              "layer_norm_backward");
    const Backward b = backward(widen(dy), widen(x), gamma, f, c.rows, c.dim);
    expect_close("dx", d_dx.to_host(), b.dx);
    expect_close("dgamma", d_dgamma.to_host(), b.dgamma);
    expect_close("dbeta", d_dbeta.to_host(), b.dbeta);
}

}  // namespace

int main() {
    if (!device_present()) return kSkipped;
    std::mt19937 rng(20240612);
    check_reference_by_finite_differences(rng);
    const Case cases[] = {
        {1, 1, true},       // one element: x^ = 0, y = beta
        {7, 387, true},     // a width that is no multiple of the block or of 32
        {45, 1001, false},  // several elements per thread, no beta
        {300, 3, true},     // many rows, narrow: the column reduction's lanes stride many rows
        {0, 17, true},      // no rows: dgamma = dbeta = 0 must still be written
    };
    for (const Case& c : cases) run(c, rng);
    return finish("layer_norm_gpu");
}
