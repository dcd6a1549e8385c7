// Internal: argument checks shared by the C ABI functions (host only, before any CUDA call).
#ifndef PEFT4J_CHECKS_H
#define PEFT4J_CHECKS_H

#include <cmath>
#include <cstdint>
#include <initializer_list>

#include "peft4j.h"

namespace peft4j {

// The most blocks a kernel puts on grid x (one block per row in the row-wise kernels).
constexpr int64_t kMaxGridX = 2147483647LL;

inline bool any_negative(std::initializer_list<int64_t> sizes) {
    for (int64_t s : sizes) {
        if (s < 0) return true;
    }
    return false;
}

// a * b for a, b >= 0 would not fit in int64.
inline bool product_overflows(int64_t a, int64_t b) { return a != 0 && b > INT64_MAX / a; }

// A pointer may be NULL only where its array has no elements (peft4j_device_alloc gives NULL for 0 floats).
inline bool missing(const void* p, int64_t count) { return p == nullptr && count > 0; }

// Sizes >= 0 and rows * cols fits in int64: PEFT4J_OK, PEFT4J_ERROR_NEGATIVE_SIZE or PEFT4J_ERROR_OVERFLOW.
inline int check_matrix(int64_t rows, int64_t cols) {
    if (rows < 0 || cols < 0) return PEFT4J_ERROR_NEGATIVE_SIZE;
    if (product_overflows(rows, cols)) return PEFT4J_ERROR_OVERFLOW;
    return PEFT4J_OK;
}

// The AdamW hyper-parameters of dev.peft4j.backend.AdamW: all finite, lr >= 0, betas in [0, 1), eps > 0,
// weight decay >= 0; and step >= 1.
inline int check_adamw(float lr, float beta1, float beta2, float eps, float weight_decay, int64_t step) {
    for (float f : {lr, beta1, beta2, eps, weight_decay}) {
        if (!std::isfinite(f)) return PEFT4J_ERROR_NOT_FINITE;
    }
    if (lr < 0 || beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1 || eps <= 0 || weight_decay < 0) {
        return PEFT4J_ERROR_OUT_OF_RANGE;
    }
    if (step < 1) return PEFT4J_ERROR_STEP;
    return PEFT4J_OK;
}

}  // namespace peft4j

#endif
