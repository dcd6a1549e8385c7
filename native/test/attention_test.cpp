// peft4j_attention_forward/backward on a GPU against a float64 CPU reference (whose backward is itself checked by
// finite differences): prefixes, padding masks (one row fully masked, so its queries see only the prefix, or
// nothing: lse = -inf), causal masking, odd sizes and every head width instantiation (dh <= 32, 64, 128), with
// NaN-poisoned outputs and workspace. Exits 77 without a device.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "gpu_harness.h"

namespace {

using namespace peft4j_test;

struct Case {
    int64_t batch, seq, heads, dh, prefix;
    bool causal, masked;
    int64_t width() const { return heads * dh; }
    int64_t keys() const { return prefix + seq; }
};

struct Data {
    std::vector<double> q, k, v, pk, pv;
    std::vector<float> mask;
};

// The float64 reference: out, lse (forward) and the five gradients of sum(out * d_out) (backward).
struct Reference {
    const Case& c;
    const Data& d;

    const double* key(const std::vector<double>& prefix, const std::vector<double>& rows, int64_t b, int64_t h,
                      int64_t j) const {
        return j < c.prefix ? &prefix[j * c.width() + h * c.dh] : &rows[(b * c.seq + j - c.prefix) * c.width() + h * c.dh];
    }
    bool visible(int64_t b, int64_t t, int64_t j) const {
        if (j < c.prefix) return true;
        const int64_t tau = j - c.prefix;
        if (c.masked && d.mask[b * c.seq + tau] == 0.0f) return false;
        return !c.causal || tau <= t;
    }
    double score(int64_t b, int64_t h, int64_t t, int64_t j) const {
        const double* qr = &d.q[(b * c.seq + t) * c.width() + h * c.dh];
        const double* kr = key(d.pk, d.k, b, h, j);
        double s = 0;
        for (int64_t e = 0; e < c.dh; ++e) s += qr[e] * kr[e];
        return s / std::sqrt(double(c.dh));
    }
    void forward(std::vector<double>& out, std::vector<double>& lse) const {
        out.assign(c.batch * c.seq * c.width(), 0.0);
        lse.assign(c.batch * c.heads * c.seq, -INFINITY);
        for (int64_t b = 0; b < c.batch; ++b)
            for (int64_t h = 0; h < c.heads; ++h)
                for (int64_t t = 0; t < c.seq; ++t) {
                    double m = -INFINITY;
                    for (int64_t j = 0; j < c.keys(); ++j)
                        if (visible(b, t, j)) m = std::fmax(m, score(b, h, t, j));
                    if (m == -INFINITY) continue;
                    double l = 0;
                    for (int64_t j = 0; j < c.keys(); ++j)
                        if (visible(b, t, j)) l += std::exp(score(b, h, t, j) - m);
                    const double ls = m + std::log(l);
                    lse[(b * c.heads + h) * c.seq + t] = ls;
                    for (int64_t j = 0; j < c.keys(); ++j) {
                        if (!visible(b, t, j)) continue;
                        const double p = std::exp(score(b, h, t, j) - ls);
                        const double* vr = key(d.pv, d.v, b, h, j);
                        for (int64_t e = 0; e < c.dh; ++e) out[(b * c.seq + t) * c.width() + h * c.dh + e] += p * vr[e];
                    }
                }
    }
    void backward(const std::vector<float>& d_out, const std::vector<double>& out, const std::vector<double>& lse,
                  std::vector<double>& dq, std::vector<double>& dk, std::vector<double>& dv, std::vector<double>& dpk,
                  std::vector<double>& dpv) const {
        const int64_t n = c.batch * c.seq * c.width(), np = c.prefix * c.width();
        dq.assign(n, 0.0), dk.assign(n, 0.0), dv.assign(n, 0.0), dpk.assign(np, 0.0), dpv.assign(np, 0.0);
        const double scale = 1.0 / std::sqrt(double(c.dh));
        for (int64_t b = 0; b < c.batch; ++b)
            for (int64_t h = 0; h < c.heads; ++h)
                for (int64_t t = 0; t < c.seq; ++t) {
                    const double ls = lse[(b * c.heads + h) * c.seq + t];
                    if (ls == -INFINITY) continue;
                    const int64_t qo = (b * c.seq + t) * c.width() + h * c.dh;
                    double delta = 0;
                    for (int64_t e = 0; e < c.dh; ++e) delta += d_out[qo + e] * out[qo + e];
                    for (int64_t j = 0; j < c.keys(); ++j) {
                        if (!visible(b, t, j)) continue;
                        const double p = std::exp(score(b, h, t, j) - ls);
                        const double* vr = key(d.pv, d.v, b, h, j);
                        const double* kr = key(d.pk, d.k, b, h, j);
                        double dp = 0;
                        for (int64_t e = 0; e < c.dh; ++e) dp += d_out[qo + e] * vr[e];
                        const double ds = p * (dp - delta) * scale;
                        const bool prefix = j < c.prefix;
                        const int64_t ko = prefix ? j * c.width() + h * c.dh : (b * c.seq + j - c.prefix) * c.width() + h * c.dh;
                        std::vector<double>& gk = prefix ? dpk : dk;
                        std::vector<double>& gv = prefix ? dpv : dv;
                        for (int64_t e = 0; e < c.dh; ++e) {
                            dq[qo + e] += ds * kr[e];
                            gk[ko + e] += ds * d.q[qo + e];
                            gv[ko + e] += p * d_out[qo + e];
                        }
                    }
                }
    }
};

Data random_data(const Case& c, std::mt19937& rng) {
    const auto f = [&](int64_t n) { return widen(uniform(rng, n)); };
    Data d{f(c.batch * c.seq * c.width()), f(c.batch * c.seq * c.width()), f(c.batch * c.seq * c.width()),
           f(c.prefix * c.width()), f(c.prefix * c.width()), std::vector<float>(c.batch * c.seq, 1.0f)};
    for (int64_t b = 0; b < c.batch; ++b)
        for (int64_t t = c.seq - b % 4; t < c.seq; ++t) d.mask[b * c.seq + t] = 0.0f;  // 0..3 padded keys
    if (c.batch > 1) std::fill(d.mask.begin() + c.seq, d.mask.begin() + 2 * c.seq, 0.0f);  // row 1 fully masked
    return d;
}

std::vector<float> narrow(const std::vector<double>& v) { return std::vector<float>(v.begin(), v.end()); }

// The reference backward against central differences of sum(out * d_out), on a tiny case.
void reference_backward_matches_finite_differences(std::mt19937& rng) {
    const Case c{2, 3, 1, 2, 2, true, true};
    Data d = random_data(c, rng);
    const auto d_out = uniform(rng, c.batch * c.seq * c.width());
    std::vector<double> out, lse, dq, dk, dv, dpk, dpv;
    Reference{c, d}.forward(out, lse);
    Reference{c, d}.backward(d_out, out, lse, dq, dk, dv, dpk, dpv);
    const auto loss_of = [&](std::vector<double>* param) {
        return [&c, &d, &d_out, param](const std::vector<double>& x) {
            const std::vector<double> keep = *param;
            *param = x;
            std::vector<double> o, l;
            Reference{c, d}.forward(o, l);
            *param = keep;
            double s = 0;
            for (size_t i = 0; i < o.size(); ++i) s += o[i] * d_out[i];
            return s;
        };
    };
    const struct { const char* name; std::vector<double>* param; const std::vector<double>* grad; } all[] = {
        {"dq", &d.q, &dq}, {"dk", &d.k, &dk}, {"dv", &d.v, &dv}, {"dPrefixK", &d.pk, &dpk}, {"dPrefixV", &d.pv, &dpv}};
    for (const auto& g : all) {
        const auto fd = finite_differences(loss_of(g.param), *g.param);
        const double diff = max_relative_difference(*g.grad, fd);
        std::printf("  reference %-8s vs finite differences: %.3g\n", g.name, diff);
        CHECK(diff < 1e-6, "reference %s differs from finite differences by %g", g.name, diff);
    }
}

void expect_lse(const std::vector<float>& got, const std::vector<double>& want) {
    std::vector<float> finite_got;
    std::vector<double> finite_want;
    for (size_t i = 0; i < want.size(); ++i) {
        if (want[i] == -INFINITY) {
            CHECK(got[i] == -INFINITY, "lse[%zu] = %g, want -inf (no visible key)", i, got[i]);
        } else {
            finite_got.push_back(got[i]);
            finite_want.push_back(want[i]);
        }
    }
    if (!finite_want.empty()) expect_close("lse", finite_got, finite_want);
}

void run(const Case& c, std::mt19937& rng) {
    std::printf("B=%lld T=%lld H=%lld dh=%lld L=%lld causal=%d mask=%d\n", (long long)c.batch, (long long)c.seq,
                (long long)c.heads, (long long)c.dh, (long long)c.prefix, c.causal, c.masked);
    const Data d = random_data(c, rng);
    const auto d_out = uniform(rng, c.batch * c.seq * c.width());
    std::vector<double> out, lse, dq, dk, dv, dpk, dpv;
    Reference{c, d}.forward(out, lse);
    Reference{c, d}.backward(d_out, out, lse, dq, dk, dv, dpk, dpv);
    const int64_t n = c.batch * c.seq * c.width(), np = c.prefix * c.width(), nl = c.batch * c.heads * c.seq;
    DeviceBuffer q(narrow(d.q)), k(narrow(d.k)), v(narrow(d.v)), pk(narrow(d.pk)), pv(narrow(d.pv)), mask(d.mask),
        g_out(d_out), o(poisoned(n)), l(poisoned(nl));
    const float* pkp = c.prefix > 0 ? pk.get() : nullptr;
    const float* pvp = c.prefix > 0 ? pv.get() : nullptr;
    const float* mp = c.masked ? mask.get() : nullptr;
    expect_ok(peft4j_attention_forward(q.get(), k.get(), v.get(), pkp, pvp, mp, c.causal, o.get(), l.get(), c.batch,
                                       c.seq, c.width(), c.heads, c.prefix, nullptr), "attention_forward");
    expect_close("out", o.to_host(), out);
    expect_lse(l.to_host(), lse);
    int64_t floats = -1;
    expect_ok(peft4j_attention_backward_workspace(c.batch, c.seq, c.width(), c.heads, c.prefix, &floats), "workspace");
    DeviceBuffer ws(poisoned(floats)), gq(poisoned(n)), gk(poisoned(n)), gv(poisoned(n)), gpk(poisoned(np)),
        gpv(poisoned(np));
    expect_ok(peft4j_attention_backward(g_out.get(), q.get(), k.get(), v.get(), pkp, pvp, mp, c.causal, o.get(), l.get(),
                                        gq.get(), gk.get(), gv.get(), c.prefix > 0 ? gpk.get() : nullptr,
                                        c.prefix > 0 ? gpv.get() : nullptr, ws.get(), c.batch, c.seq, c.width(),
                                        c.heads, c.prefix, nullptr),
              "attention_backward");
    expect_close("dq", gq.to_host(), dq);
    expect_close("dk", gk.to_host(), dk);
    expect_close("dv", gv.to_host(), dv);
    if (c.prefix > 0) {
        expect_close("dPrefixK", gpk.to_host(), dpk);
        expect_close("dPrefixV", gpv.to_host(), dpv);
    }
    DeviceBuffer only_dv(poisoned(n));  // the other outputs not requested
    expect_ok(peft4j_attention_backward(g_out.get(), q.get(), k.get(), v.get(), pkp, pvp, mp, c.causal, o.get(), l.get(),
                                        nullptr, nullptr, only_dv.get(), nullptr, nullptr, ws.get(), c.batch, c.seq,
                                        c.width(), c.heads, c.prefix, nullptr),
              "attention_backward, dv only");
    expect_close("dv only", only_dv.to_host(), dv);
}

}  // namespace

int main() {
    if (!device_present()) return kSkipped;
    std::mt19937 rng(20261126);
    reference_backward_matches_finite_differences(rng);
    run({2, 37, 3, 5, 7, false, true}, rng);     // prefix; row 1 sees only the prefix
    run({2, 37, 3, 5, 0, false, true}, rng);     // no prefix: row 1's queries see nothing (lse = -inf)
    run({1, 70, 2, 32, 0, true, false}, rng);    // causal (GPT-2)
    run({3, 129, 2, 64, 30, false, true}, rng);  // MAM's prefix length, dh 64
    run({2, 5, 1, 128, 1, true, true}, rng);     // dh 128, causal with a prefix
    run({16, 128, 12, 32, 30, false, true}, rng);  // MiniLM-L6 shapes with a 30-long prefix
    return finish("attention_gpu");
}
