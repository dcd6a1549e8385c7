// Shared pieces of the GPU tests: the skip rule, random inputs, the error measure and a device buffer.
// A GPU test compares a kernel with a float64 CPU reference on random inputs at odd sizes, with every output
// poisoned with NaN first (an unwritten element fails: NaN never passes); without a device it prints
// SKIPPED and exits 77, ctest's SKIP_RETURN_CODE.
#ifndef PEFT4J_TEST_GPU_HARNESS_H
#define PEFT4J_TEST_GPU_HARNESS_H

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <vector>

#include "check.h"
#include "peft4j.h"

namespace peft4j_test {

constexpr int kSkipped = 77;
constexpr double kTolerance = 1e-5;  // fp32 kernels, relative L2 error (DESIGN.md section 6)
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// True when a CUDA device is usable; otherwise prints why the test is skipped.
inline bool device_present() {
    int devices = 0;
    const int probed = peft4j_device_count(&devices);
    if (probed != PEFT4J_OK || devices == 0) {
        std::printf("SKIPPED: no CUDA device (%s)\n",
                    probed != PEFT4J_OK ? peft4j_status_string(probed) : "cudaGetDeviceCount reports 0 devices");
        return false;
    }
    return true;
}

inline std::vector<float> uniform(std::mt19937& rng, int64_t count, float lo = -1.0f, float hi = 1.0f) {
    std::uniform_real_distribution<float> dist(lo, hi);
    std::vector<float> v(static_cast<size_t>(count));
    for (float& e : v) e = dist(rng);
    return v;
}

// An inverted-dropout mask with keep probability 0.75: entries 1/0.75 or 0 (the LoRA tests' drop_mask).
inline std::vector<float> drop_mask(std::mt19937& rng, int64_t count) {
    std::bernoulli_distribution keep(0.75);
    std::vector<float> v(static_cast<size_t>(count));
    for (float& e : v) e = keep(rng) ? 1.0f / 0.75f : 0.0f;
    return v;
}

inline std::vector<float> poisoned(int64_t count) { return std::vector<float>(static_cast<size_t>(count), kNaN); }

// ||got - want|| / ||want|| (||got - want|| when want = 0); infinity when any element is not finite or the
// sizes differ.
inline double relative_error(const std::vector<float>& got, const std::vector<double>& want) {
    if (got.size() != want.size()) return std::numeric_limits<double>::infinity();
    double diff = 0, norm = 0;
    for (size_t i = 0; i < want.size(); ++i) {
        if (!std::isfinite(got[i])) return std::numeric_limits<double>::infinity();
        diff += (got[i] - want[i]) * (got[i] - want[i]);
        norm += want[i] * want[i];
    }
    return norm == 0 ? std::sqrt(diff) : std::sqrt(diff / norm);
}

// Checks relative_error(got, want) <= kTolerance and prints it under a name.
inline void expect_close(const char* name, const std::vector<float>& got, const std::vector<double>& want) {
    const double e = relative_error(got, want);
    std::printf("  %-8s rel. error %.3g\n", name, e);
    CHECK(e <= kTolerance, "%s relative error %g > %g", name, e, kTolerance);
}

// A device buffer of floats, freed on scope exit.
class DeviceBuffer {
  public:
    explicit DeviceBuffer(const std::vector<float>& host) : count_(static_cast<int64_t>(host.size())) {
        status_ = peft4j_device_alloc(&ptr_, count_);
        if (status_ == PEFT4J_OK) status_ = peft4j_copy_to_device(ptr_, host.data(), count_);
        CHECK(status_ == PEFT4J_OK, "device buffer: %s", peft4j_status_string(status_));
    }
    // int32 values (targets) in a buffer of as many floats.
    explicit DeviceBuffer(const std::vector<int32_t>& host) : count_(static_cast<int64_t>(host.size())) {
        status_ = peft4j_device_alloc(&ptr_, count_);
        if (status_ == PEFT4J_OK) {
            status_ = peft4j_copy_bytes_to_device(ptr_, host.data(), count_ * static_cast<int64_t>(sizeof(int32_t)));
        }
        CHECK(status_ == PEFT4J_OK, "device buffer: %s", peft4j_status_string(status_));
    }
    // Raw bytes (arrays of device pointers, int64 sizes) in a buffer of ceil(bytes / 4) floats.
    DeviceBuffer(const void* host, int64_t bytes) : count_((bytes + 3) / 4) {
        status_ = peft4j_device_alloc(&ptr_, count_);
        if (status_ == PEFT4J_OK) status_ = peft4j_copy_bytes_to_device(ptr_, host, bytes);
        CHECK(status_ == PEFT4J_OK, "device buffer: %s", peft4j_status_string(status_));
    }
    ~DeviceBuffer() { peft4j_device_free(ptr_); }
    template <typename T>
    T as() const { return reinterpret_cast<T>(ptr_); }
    const int32_t* ints() const { return reinterpret_cast<const int32_t*>(ptr_); }
    DeviceBuffer(const DeviceBuffer&) = delete;
    DeviceBuffer& operator=(const DeviceBuffer&) = delete;
    float* get() const { return ptr_; }
    int status() const { return status_; }
    std::vector<float> to_host() const {
        std::vector<float> host(static_cast<size_t>(count_));
        const int s = peft4j_copy_to_host(host.data(), ptr_, count_);
        CHECK(s == PEFT4J_OK, "copy to host: %s", peft4j_status_string(s));
        return host;
    }

  private:
    float* ptr_ = nullptr;
    int64_t count_;
    int status_;
};

// Central finite differences of a float64 function at x: d/dx_i f ~ (f(x + h e_i) - f(x - h e_i)) / 2h.
template <typename F>
std::vector<double> finite_differences(F f, std::vector<double> x, double h = 1e-6) {
    std::vector<double> grad(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
        const double keep = x[i];
        x[i] = keep + h;
        const double up = f(x);
        x[i] = keep - h;
        const double down = f(x);
        x[i] = keep;
        grad[i] = (up - down) / (2 * h);
    }
    return grad;
}

// max_i |a_i - b_i| / max(1, max_i |b_i|): for checking a float64 reference backward by finite differences.
inline double max_relative_difference(const std::vector<double>& a, const std::vector<double>& b) {
    double diff = 0, scale = 1;
    for (size_t i = 0; i < b.size(); ++i) {
        diff = std::fmax(diff, std::fabs(a[i] - b[i]));
        scale = std::fmax(scale, std::fabs(b[i]));
    }
    return diff / scale;
}

inline std::vector<double> widen(const std::vector<float>& v) { return std::vector<double>(v.begin(), v.end()); }

// Checks that a launch and the work queued before it succeeded.
inline void expect_ok(int status, const char* what) {
    if (status == PEFT4J_OK) status = peft4j_synchronize(nullptr);
    CHECK(status == PEFT4J_OK, "%s: %s", what, peft4j_status_string(status));
}

// The exit code of a GPU test after its cases ran.
inline int finish(const char* test) {
    if (failures != 0) {
        std::fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    std::printf("%s: all cases within %g\n", test, kTolerance);
    return 0;
}

}  // namespace peft4j_test

#endif
