// The C ABI rejects bad arguments with the right status before touching CUDA; needs no GPU.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "check.h"
#include "peft4j.h"

namespace {

// Distinct non-null host addresses: validation must fail before any of them is dereferenced.
float dummy[32];  // X, W, A, B, Y, U at 0..5; out(i) at 8 + i for i < 24
const float* X = &dummy[0];
const float* W = &dummy[1];
const float* A = &dummy[2];
const float* B = &dummy[3];
float* Y = &dummy[4];
float* U = &dummy[5];

int forward(const float* x, const float* w, const float* a, const float* b, float* y, float* u, int64_t n,
            int64_t in, int64_t out, int64_t r) {
    return peft4j_lora_forward(x, w, nullptr, a, b, 1.0f, nullptr, y, u, n, in, out, r, nullptr);
}

void expect(int got, int want, const char* what) {
    CHECK(got == want, "%s: status %d (%s), expected %d (%s)", what, got, peft4j_status_string(got), want,
          peft4j_status_string(want));
}

float* out(int i) { return &dummy[8 + i]; }  // distinct output addresses

void layer_norm() {
    const float* G = W;
    float *y = out(0), *mean = out(1), *rstd = out(2);
    const auto fwd = [&](const float* x, const float* g, float eps, float* yy, float* mu, float* rs, int64_t rows,
                         int64_t dim) { return peft4j_layer_norm_forward(x, g, nullptr, eps, yy, mu, rs, rows, dim, nullptr); };
    expect(fwd(X, G, 1e-5f, y, mean, rstd, -1, 4), PEFT4J_ERROR_NEGATIVE_SIZE, "layer norm rows < 0");
    expect(fwd(X, G, 1e-5f, y, mean, rstd, 3, -4), PEFT4J_ERROR_NEGATIVE_SIZE, "layer norm dim < 0");
    expect(fwd(X, G, 1e-5f, y, mean, rstd, INT64_MAX / 2, 3), PEFT4J_ERROR_OVERFLOW, "layer norm rows * dim overflows");
    expect(fwd(X, G, 1e-5f, y, mean, rstd, 3, 0), PEFT4J_ERROR_ZERO_WIDTH, "layer norm dim = 0 with rows");
    expect(fwd(X, G, 1e-5f, y, mean, rstd, 1LL << 32, 1), PEFT4J_ERROR_TOO_LARGE, "layer norm rows beyond the grid");
    expect(fwd(nullptr, G, 1e-5f, y, mean, rstd, 3, 4), PEFT4J_ERROR_NULL_POINTER, "layer norm x NULL");
    expect(fwd(X, nullptr, 1e-5f, y, mean, rstd, 3, 4), PEFT4J_ERROR_NULL_POINTER, "layer norm gamma NULL");
    expect(fwd(X, G, 1e-5f, nullptr, mean, rstd, 3, 4), PEFT4J_ERROR_NULL_POINTER, "layer norm y NULL");
    expect(fwd(X, G, 1e-5f, y, nullptr, rstd, 3, 4), PEFT4J_ERROR_NULL_POINTER, "layer norm mean NULL");
    expect(fwd(X, G, 1e-5f, y, mean, nullptr, 3, 4), PEFT4J_ERROR_NULL_POINTER, "layer norm rstd NULL");
    expect(fwd(X, G, 0.0f, y, mean, rstd, 3, 4), PEFT4J_ERROR_OUT_OF_RANGE, "layer norm eps = 0");
    expect(fwd(X, G, -1e-5f, y, mean, rstd, 3, 4), PEFT4J_ERROR_OUT_OF_RANGE, "layer norm eps < 0");
    expect(fwd(X, G, NAN, y, mean, rstd, 3, 4), PEFT4J_ERROR_NOT_FINITE, "layer norm eps NaN");
    expect(fwd(X, G, INFINITY, y, mean, rstd, 3, 4), PEFT4J_ERROR_NOT_FINITE, "layer norm eps infinite");
    expect(fwd(nullptr, G, 1e-5f, nullptr, nullptr, nullptr, 0, 4), PEFT4J_OK, "layer norm rows = 0");
    expect(fwd(nullptr, nullptr, 1e-5f, nullptr, nullptr, nullptr, 0, 0), PEFT4J_OK, "layer norm empty");

    const auto bwd = [&](const float* dy, const float* x, const float* g, const float* mu, const float* rs,
                         int64_t rows, int64_t dim) {
        return peft4j_layer_norm_backward(dy, x, g, mu, rs, out(3), out(4), out(5), rows, dim, nullptr);
    };
    expect(bwd(X, X, G, A, B, -2, 4), PEFT4J_ERROR_NEGATIVE_SIZE, "layer norm backward rows < 0");
    expect(bwd(X, X, G, A, B, 2, INT64_MAX), PEFT4J_ERROR_OVERFLOW, "layer norm backward rows * dim overflows");
    expect(bwd(X, X, G, A, B, 2, 0), PEFT4J_ERROR_ZERO_WIDTH, "layer norm backward dim = 0 with rows");
    expect(bwd(nullptr, X, G, A, B, 2, 4), PEFT4J_ERROR_NULL_POINTER, "layer norm backward dy NULL");
    expect(bwd(X, nullptr, G, A, B, 2, 4), PEFT4J_ERROR_NULL_POINTER, "layer norm backward x NULL");
    expect(bwd(X, X, nullptr, A, B, 2, 4), PEFT4J_ERROR_NULL_POINTER, "layer norm backward gamma NULL");
    expect(bwd(X, X, G, nullptr, B, 2, 4), PEFT4J_ERROR_NULL_POINTER, "layer norm backward mean NULL");
    expect(bwd(X, X, G, A, nullptr, 2, 4), PEFT4J_ERROR_NULL_POINTER, "layer norm backward rstd NULL");
    expect(peft4j_layer_norm_backward(X, X, G, A, B, nullptr, nullptr, nullptr, 0, 0, nullptr), PEFT4J_OK,
           "layer norm backward with nothing to compute");
}

void activations() {
    for (int f = PEFT4J_ACTIVATION_IDENTITY; f <= PEFT4J_ACTIVATION_TANH; ++f) {
        expect(peft4j_activation_forward(f, X, out(0), 0, nullptr), PEFT4J_OK, "activation of 0 elements");
    }
    expect(peft4j_activation_forward(-1, X, out(0), 5, nullptr), PEFT4J_ERROR_ACTIVATION, "activation code -1");
    expect(peft4j_activation_forward(PEFT4J_ACTIVATION_TANH + 1, X, out(0), 5, nullptr), PEFT4J_ERROR_ACTIVATION,
           "activation code past TANH");
    expect(peft4j_activation_forward(PEFT4J_ACTIVATION_GELU, X, out(0), -5, nullptr), PEFT4J_ERROR_NEGATIVE_SIZE,
           "activation count < 0");
    expect(peft4j_activation_forward(PEFT4J_ACTIVATION_GELU, nullptr, out(0), 5, nullptr), PEFT4J_ERROR_NULL_POINTER,
           "activation x NULL");
    expect(peft4j_activation_forward(PEFT4J_ACTIVATION_GELU, X, nullptr, 5, nullptr), PEFT4J_ERROR_NULL_POINTER,
           "activation y NULL");
    expect(peft4j_activation_backward(7, X, X, out(0), 5, nullptr), PEFT4J_ERROR_ACTIVATION, "backward code 7");
    expect(peft4j_activation_backward(PEFT4J_ACTIVATION_RELU, X, X, out(0), -1, nullptr), PEFT4J_ERROR_NEGATIVE_SIZE,
           "activation backward count < 0");
    expect(peft4j_activation_backward(PEFT4J_ACTIVATION_RELU, nullptr, X, out(0), 5, nullptr),
           PEFT4J_ERROR_NULL_POINTER, "activation backward dy NULL");
    expect(peft4j_activation_backward(PEFT4J_ACTIVATION_RELU, X, nullptr, out(0), 5, nullptr),
           PEFT4J_ERROR_NULL_POINTER, "activation backward x NULL");
    expect(peft4j_activation_backward(PEFT4J_ACTIVATION_RELU, X, X, nullptr, 5, nullptr), PEFT4J_ERROR_NULL_POINTER,
           "activation backward dx NULL");
}

void softmax() {
    expect(peft4j_softmax_forward(X, out(0), -1, 3, nullptr), PEFT4J_ERROR_NEGATIVE_SIZE, "softmax rows < 0");
    expect(peft4j_softmax_forward(X, out(0), 3, -1, nullptr), PEFT4J_ERROR_NEGATIVE_SIZE, "softmax cols < 0");
    expect(peft4j_softmax_forward(X, out(0), INT64_MAX, 2, nullptr), PEFT4J_ERROR_OVERFLOW, "softmax rows * cols overflows");
    expect(peft4j_softmax_forward(X, out(0), 1LL << 31, 2, nullptr), PEFT4J_ERROR_TOO_LARGE, "softmax rows beyond the grid");
    expect(peft4j_softmax_forward(nullptr, out(0), 3, 4, nullptr), PEFT4J_ERROR_NULL_POINTER, "softmax x NULL");
    expect(peft4j_softmax_forward(X, nullptr, 3, 4, nullptr), PEFT4J_ERROR_NULL_POINTER, "softmax y NULL");
    expect(peft4j_softmax_forward(nullptr, nullptr, 3, 0, nullptr), PEFT4J_OK, "softmax of empty rows");
    expect(peft4j_softmax_backward(nullptr, Y, out(0), 3, 4, nullptr), PEFT4J_ERROR_NULL_POINTER, "softmax dy NULL");
    expect(peft4j_softmax_backward(X, nullptr, out(0), 3, 4, nullptr), PEFT4J_ERROR_NULL_POINTER, "softmax y NULL");
    expect(peft4j_softmax_backward(X, Y, nullptr, 3, 4, nullptr), PEFT4J_ERROR_NULL_POINTER, "softmax dx NULL");
    expect(peft4j_softmax_backward(X, Y, out(0), 3, -4, nullptr), PEFT4J_ERROR_NEGATIVE_SIZE, "softmax backward cols < 0");
    expect(peft4j_softmax_backward(X, Y, out(0), 2, INT64_MAX, nullptr), PEFT4J_ERROR_OVERFLOW,
           "softmax backward overflow");
    expect(peft4j_softmax_backward(nullptr, nullptr, nullptr, 0, 9, nullptr), PEFT4J_OK, "softmax backward, no rows");
}

void cross_entropy() {
    const int32_t targets[3] = {0, 1, PEFT4J_IGNORE_INDEX};
    const int32_t* T = targets;
    float *probs = out(0), *rows = out(1), *loss = out(2);
    const auto fwd = [&](const float* z, const int32_t* t, float* p, float* rl, float* l, int64_t n, int64_t c) {
        return peft4j_cross_entropy_forward(z, t, p, rl, l, n, c, nullptr);
    };
    expect(fwd(X, T, probs, rows, loss, -1, 4), PEFT4J_ERROR_NEGATIVE_SIZE, "cross-entropy n < 0");
    expect(fwd(X, T, probs, rows, loss, 3, -4), PEFT4J_ERROR_NEGATIVE_SIZE, "cross-entropy c < 0");
    expect(fwd(X, T, probs, rows, loss, 3, 0), PEFT4J_ERROR_ZERO_WIDTH, "cross-entropy c = 0 with rows");
    expect(fwd(X, T, probs, rows, loss, INT64_MAX / 3, 4), PEFT4J_ERROR_OVERFLOW, "cross-entropy n * c overflows");
    expect(fwd(X, T, probs, rows, loss, 1LL << 31, 1), PEFT4J_ERROR_TOO_LARGE, "cross-entropy rows beyond the grid");
    expect(fwd(nullptr, T, probs, rows, loss, 3, 4), PEFT4J_ERROR_NULL_POINTER, "cross-entropy logits NULL");
    expect(fwd(X, nullptr, probs, rows, loss, 3, 4), PEFT4J_ERROR_NULL_POINTER, "cross-entropy targets NULL");
    expect(fwd(X, T, nullptr, rows, loss, 3, 4), PEFT4J_ERROR_NULL_POINTER, "cross-entropy probs NULL");
    expect(fwd(X, T, probs, nullptr, loss, 3, 4), PEFT4J_ERROR_NULL_POINTER, "cross-entropy row_loss NULL");
    expect(fwd(X, T, probs, rows, nullptr, 3, 4), PEFT4J_ERROR_NULL_POINTER, "cross-entropy loss NULL");
    // The loss is written even for n = 0, so it is required then too.
    expect(fwd(nullptr, nullptr, nullptr, nullptr, nullptr, 0, 4), PEFT4J_ERROR_NULL_POINTER,
           "cross-entropy n = 0, loss NULL");
    const auto bwd = [&](const float* p, const int32_t* t, float scale, float* d, int64_t n, int64_t c) {
        return peft4j_cross_entropy_backward(p, t, scale, d, n, c, nullptr);
    };
    expect(bwd(X, T, 1.0f, out(3), -3, 4), PEFT4J_ERROR_NEGATIVE_SIZE, "cross-entropy backward n < 0");
    expect(bwd(X, T, 1.0f, out(3), 3, 0), PEFT4J_ERROR_ZERO_WIDTH, "cross-entropy backward c = 0 with rows");
    expect(bwd(X, T, 1.0f, out(3), 3, INT64_MAX), PEFT4J_ERROR_OVERFLOW, "cross-entropy backward overflow");
    expect(bwd(nullptr, T, 1.0f, out(3), 3, 4), PEFT4J_ERROR_NULL_POINTER, "cross-entropy backward probs NULL");
    expect(bwd(X, nullptr, 1.0f, out(3), 3, 4), PEFT4J_ERROR_NULL_POINTER, "cross-entropy backward targets NULL");
    expect(bwd(X, T, 1.0f, nullptr, 3, 4), PEFT4J_ERROR_NULL_POINTER, "cross-entropy backward dlogits NULL");
    expect(bwd(X, T, NAN, out(3), 3, 4), PEFT4J_ERROR_NOT_FINITE, "cross-entropy backward scale NaN");
    expect(bwd(X, T, -INFINITY, out(3), 3, 4), PEFT4J_ERROR_NOT_FINITE, "cross-entropy backward scale -inf");
    expect(bwd(nullptr, nullptr, 1.0f, nullptr, 0, 4), PEFT4J_OK, "cross-entropy backward, no rows");
}

void copies() {
    int32_t host[2] = {1, 2};
    expect(peft4j_copy_bytes_to_device(nullptr, host, 8), PEFT4J_ERROR_NULL_POINTER, "byte copy to NULL");
    expect(peft4j_copy_bytes_to_device(out(0), nullptr, 8), PEFT4J_ERROR_NULL_POINTER, "byte copy from NULL");
    expect(peft4j_copy_bytes_to_device(out(0), host, -1), PEFT4J_ERROR_NEGATIVE_SIZE, "byte copy of -1 bytes");
    expect(peft4j_copy_bytes_to_device(nullptr, nullptr, 0), PEFT4J_OK, "byte copy of 0 bytes");
    expect(peft4j_copy_to_device(out(0), X, INT64_MAX / 2), PEFT4J_ERROR_OVERFLOW, "copy of INT64_MAX/2 floats");
    float* device = nullptr;
    expect(peft4j_device_alloc(&device, INT64_MAX / 2), PEFT4J_ERROR_OVERFLOW, "alloc of INT64_MAX/2 floats");
}

void adamw() {
    // Host stand-ins for the device arrays: validation never reads them.
    float* pointers[2] = {out(0), out(1)};
    const int64_t sizes[2] = {1, 1};
    float* const* P = pointers;
    const float* const* G = const_cast<const float* const*>(pointers);
    const auto call = [&](float* const* p, const float* const* g, float* const* m, float* const* v, const int64_t* s,
                          int64_t tensors, int64_t max_size, float lr, float b1, float b2, float eps, float wd,
                          int64_t step) {
        return peft4j_adamw(p, g, m, v, s, tensors, max_size, lr, b1, b2, eps, wd, step, nullptr);
    };
    expect(call(P, G, P, P, sizes, -1, 1, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 1), PEFT4J_ERROR_NEGATIVE_SIZE, "adamw tensors < 0");
    expect(call(P, G, P, P, sizes, 2, -1, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 1), PEFT4J_ERROR_NEGATIVE_SIZE, "adamw max_size < 0");
    expect(call(nullptr, G, P, P, sizes, 2, 1, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 1), PEFT4J_ERROR_NULL_POINTER, "adamw params NULL");
    expect(call(P, nullptr, P, P, sizes, 2, 1, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 1), PEFT4J_ERROR_NULL_POINTER, "adamw grads NULL");
    expect(call(P, G, nullptr, P, sizes, 2, 1, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 1), PEFT4J_ERROR_NULL_POINTER, "adamw m NULL");
    expect(call(P, G, P, nullptr, sizes, 2, 1, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 1), PEFT4J_ERROR_NULL_POINTER, "adamw v NULL");
    expect(call(P, G, P, P, nullptr, 2, 1, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 1), PEFT4J_ERROR_NULL_POINTER, "adamw sizes NULL");
    expect(call(P, G, P, P, sizes, 2, 1, NAN, 0.9f, 0.999f, 1e-8f, 0.01f, 1), PEFT4J_ERROR_NOT_FINITE, "adamw lr NaN");
    expect(call(P, G, P, P, sizes, 2, 1, 1e-3f, INFINITY, 0.999f, 1e-8f, 0.01f, 1), PEFT4J_ERROR_NOT_FINITE, "adamw beta1 inf");
    expect(call(P, G, P, P, sizes, 2, 1, 1e-3f, 0.9f, NAN, 1e-8f, 0.01f, 1), PEFT4J_ERROR_NOT_FINITE, "adamw beta2 NaN");
    expect(call(P, G, P, P, sizes, 2, 1, 1e-3f, 0.9f, 0.999f, NAN, 0.01f, 1), PEFT4J_ERROR_NOT_FINITE, "adamw eps NaN");
    expect(call(P, G, P, P, sizes, 2, 1, 1e-3f, 0.9f, 0.999f, 1e-8f, INFINITY, 1), PEFT4J_ERROR_NOT_FINITE, "adamw wd inf");
    expect(call(P, G, P, P, sizes, 2, 1, -1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 1), PEFT4J_ERROR_OUT_OF_RANGE, "adamw lr < 0");
    expect(call(P, G, P, P, sizes, 2, 1, 1e-3f, 1.0f, 0.999f, 1e-8f, 0.01f, 1), PEFT4J_ERROR_OUT_OF_RANGE, "adamw beta1 = 1");
    expect(call(P, G, P, P, sizes, 2, 1, 1e-3f, -0.1f, 0.999f, 1e-8f, 0.01f, 1), PEFT4J_ERROR_OUT_OF_RANGE, "adamw beta1 < 0");
    expect(call(P, G, P, P, sizes, 2, 1, 1e-3f, 0.9f, 1.5f, 1e-8f, 0.01f, 1), PEFT4J_ERROR_OUT_OF_RANGE, "adamw beta2 > 1");
    expect(call(P, G, P, P, sizes, 2, 1, 1e-3f, 0.9f, 0.999f, 0.0f, 0.01f, 1), PEFT4J_ERROR_OUT_OF_RANGE, "adamw eps = 0");
    expect(call(P, G, P, P, sizes, 2, 1, 1e-3f, 0.9f, 0.999f, 1e-8f, -0.01f, 1), PEFT4J_ERROR_OUT_OF_RANGE, "adamw wd < 0");
    expect(call(P, G, P, P, sizes, 2, 1, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 0), PEFT4J_ERROR_STEP, "adamw step = 0");
    expect(call(P, G, P, P, sizes, 2, 1, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, -5), PEFT4J_ERROR_STEP, "adamw step < 0");
    expect(call(nullptr, nullptr, nullptr, nullptr, nullptr, 0, 0, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 1), PEFT4J_OK,
           "adamw of no tensors");
    expect(call(P, G, P, P, sizes, 2, 0, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 1), PEFT4J_OK, "adamw of empty tensors");

    float* partials = out(2);
    float* norm = out(3);
    const auto clip = [&](float* const* g, const int64_t* s, int64_t tensors, int64_t max_size, float max_norm,
                          float* w, float* n) { return peft4j_clip_grad_norm(g, s, tensors, max_size, max_norm, w, n, nullptr); };
    expect(clip(P, sizes, -2, 1, 1.0f, partials, norm), PEFT4J_ERROR_NEGATIVE_SIZE, "clip tensors < 0");
    expect(clip(P, sizes, 2, -1, 1.0f, partials, norm), PEFT4J_ERROR_NEGATIVE_SIZE, "clip max_size < 0");
    expect(clip(P, sizes, INT64_MAX / 2, 1, 1.0f, partials, norm), PEFT4J_ERROR_OVERFLOW, "clip workspace overflows");
    expect(clip(nullptr, sizes, 2, 1, 1.0f, partials, norm), PEFT4J_ERROR_NULL_POINTER, "clip grads NULL");
    expect(clip(P, nullptr, 2, 1, 1.0f, partials, norm), PEFT4J_ERROR_NULL_POINTER, "clip sizes NULL");
    expect(clip(P, sizes, 2, 1, 1.0f, nullptr, norm), PEFT4J_ERROR_NULL_POINTER, "clip partials NULL");
    expect(clip(P, sizes, 2, 1, 1.0f, partials, nullptr), PEFT4J_ERROR_NULL_POINTER, "clip norm NULL");
    expect(clip(nullptr, nullptr, 0, 0, 1.0f, nullptr, nullptr), PEFT4J_ERROR_NULL_POINTER, "clip of no tensors, norm NULL");
    expect(clip(P, sizes, 2, 1, NAN, partials, norm), PEFT4J_ERROR_NOT_FINITE, "clip max_norm NaN");
    expect(clip(P, sizes, 2, 1, INFINITY, partials, norm), PEFT4J_ERROR_NOT_FINITE, "clip max_norm inf");
    expect(clip(P, sizes, 2, 1, 0.0f, partials, norm), PEFT4J_ERROR_OUT_OF_RANGE, "clip max_norm = 0");
    expect(clip(P, sizes, 2, 1, -1.0f, partials, norm), PEFT4J_ERROR_OUT_OF_RANGE, "clip max_norm < 0");
}

void bitfit_and_scale() {
    float *db = out(0), *bias = out(1), *m = out(2), *v = out(3);
    const float* mask = A;
    expect(peft4j_bias_gradient(X, db, -1, 4, nullptr), PEFT4J_ERROR_NEGATIVE_SIZE, "bias gradient rows < 0");
    expect(peft4j_bias_gradient(X, db, 4, -1, nullptr), PEFT4J_ERROR_NEGATIVE_SIZE, "bias gradient dim < 0");
    expect(peft4j_bias_gradient(X, db, 3, INT64_MAX / 2, nullptr), PEFT4J_ERROR_OVERFLOW, "bias gradient overflow");
    expect(peft4j_bias_gradient(nullptr, db, 3, 4, nullptr), PEFT4J_ERROR_NULL_POINTER, "bias gradient dy NULL");
    expect(peft4j_bias_gradient(X, nullptr, 3, 4, nullptr), PEFT4J_ERROR_NULL_POINTER, "bias gradient db NULL");
    expect(peft4j_bias_gradient(nullptr, nullptr, 3, 0, nullptr), PEFT4J_OK, "bias gradient of width 0");

    const auto update = [&](const float* dy, float* b, const float* mk, float* mm, float* vv, int64_t rows, int64_t dim,
                            float lr, float b1, float b2, float eps, float wd, int64_t step) {
        return peft4j_masked_bias_update(dy, b, mk, mm, vv, nullptr, rows, dim, lr, b1, b2, eps, wd, step, nullptr);
    };
    expect(update(X, bias, mask, m, v, -3, 4, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 1), PEFT4J_ERROR_NEGATIVE_SIZE,
           "masked update rows < 0");
    expect(update(X, bias, mask, m, v, INT64_MAX, 4, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 1), PEFT4J_ERROR_OVERFLOW,
           "masked update overflow");
    expect(update(nullptr, bias, mask, m, v, 3, 4, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 1), PEFT4J_ERROR_NULL_POINTER,
           "masked update dy NULL");
    expect(update(X, nullptr, mask, m, v, 3, 4, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 1), PEFT4J_ERROR_NULL_POINTER,
           "masked update bias NULL");
    expect(update(X, bias, nullptr, m, v, 3, 4, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 1), PEFT4J_ERROR_NULL_POINTER,
           "masked update mask NULL");
    expect(update(X, bias, mask, nullptr, v, 3, 4, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 1), PEFT4J_ERROR_NULL_POINTER,
           "masked update m NULL");
    expect(update(X, bias, mask, m, nullptr, 3, 4, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 1), PEFT4J_ERROR_NULL_POINTER,
           "masked update v NULL");
    expect(update(X, bias, mask, m, v, 3, 4, NAN, 0.9f, 0.999f, 1e-8f, 0.01f, 1), PEFT4J_ERROR_NOT_FINITE,
           "masked update lr NaN");
    expect(update(X, bias, mask, m, v, 3, 4, 1e-3f, 0.9f, 1.0f, 1e-8f, 0.01f, 1), PEFT4J_ERROR_OUT_OF_RANGE,
           "masked update beta2 = 1");
    expect(update(X, bias, mask, m, v, 3, 4, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 0), PEFT4J_ERROR_STEP,
           "masked update step = 0");
    expect(update(X, nullptr, nullptr, nullptr, nullptr, 3, 0, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 1), PEFT4J_OK,
           "masked update of width 0");

    expect(peft4j_scale_forward(X, W, out(4), -1, 4, nullptr), PEFT4J_ERROR_NEGATIVE_SIZE, "scale rows < 0");
    expect(peft4j_scale_forward(X, W, out(4), 2, INT64_MAX, nullptr), PEFT4J_ERROR_OVERFLOW, "scale overflow");
    expect(peft4j_scale_forward(nullptr, W, out(4), 2, 4, nullptr), PEFT4J_ERROR_NULL_POINTER, "scale x NULL");
    expect(peft4j_scale_forward(X, nullptr, out(4), 2, 4, nullptr), PEFT4J_ERROR_NULL_POINTER, "scale l NULL");
    expect(peft4j_scale_forward(X, W, nullptr, 2, 4, nullptr), PEFT4J_ERROR_NULL_POINTER, "scale y NULL");
    expect(peft4j_scale_forward(nullptr, W, nullptr, 0, 4, nullptr), PEFT4J_OK, "scale of no rows");
    expect(peft4j_scale_backward(X, X, W, out(4), out(5), 2, -4, nullptr), PEFT4J_ERROR_NEGATIVE_SIZE,
           "scale backward dim < 0");
    expect(peft4j_scale_backward(nullptr, X, W, out(4), out(5), 2, 4, nullptr), PEFT4J_ERROR_NULL_POINTER,
           "scale backward dy NULL");
    expect(peft4j_scale_backward(X, nullptr, W, out(4), out(5), 2, 4, nullptr), PEFT4J_ERROR_NULL_POINTER,
           "scale backward x NULL");
    expect(peft4j_scale_backward(X, X, nullptr, out(4), out(5), 2, 4, nullptr), PEFT4J_ERROR_NULL_POINTER,
           "scale backward l NULL");
    expect(peft4j_scale_backward(X, X, W, nullptr, nullptr, 2, 4, nullptr), PEFT4J_OK,
           "scale backward with nothing to compute");
}

void lora_backward() {
    float *dx = out(0), *da = out(1), *db = out(2), *g = out(3);
    const float* U = Y;
    const auto call = [&](const float* dy, const float* x, const float* w, const float* a, const float* b,
                          const float* u, float s, float* dxx, float* daa, float* dbb, float* gg, int64_t n,
                          int64_t in, int64_t o, int64_t r) {
        return peft4j_lora_backward(dy, x, w, a, b, u, s, nullptr, dxx, daa, dbb, gg, n, in, o, r, nullptr);
    };
    expect(call(X, X, W, A, B, U, 1.0f, dx, da, db, g, 3, 4, 5, 0), PEFT4J_ERROR_RANK, "lora backward r = 0");
    expect(call(X, X, W, A, B, U, 1.0f, dx, da, db, g, -3, 4, 5, 2), PEFT4J_ERROR_NEGATIVE_SIZE, "lora backward n < 0");
    expect(call(X, X, W, A, B, U, 1.0f, dx, da, db, g, 3, -4, 5, 2), PEFT4J_ERROR_NEGATIVE_SIZE, "lora backward in < 0");
    expect(call(X, X, W, A, B, U, 1.0f, dx, da, db, g, 3, 4, -5, 2), PEFT4J_ERROR_NEGATIVE_SIZE, "lora backward out < 0");
    expect(call(X, X, W, A, B, U, 1.0f, dx, da, db, g, 3, 4, 5, -2), PEFT4J_ERROR_NEGATIVE_SIZE, "lora backward r < 0");
    expect(call(X, X, W, A, B, U, 1.0f, dx, da, db, g, INT64_MAX / 2, 4, 5, 2), PEFT4J_ERROR_OVERFLOW,
           "lora backward n * in overflows");
    expect(call(X, X, W, A, B, U, 1.0f, dx, da, db, g, 3, INT64_MAX / 2, 5, 2), PEFT4J_ERROR_OVERFLOW,
           "lora backward out * in overflows");
    expect(call(X, X, W, A, B, U, 1.0f, dx, da, db, g, 0, 0, INT64_MAX, 2), PEFT4J_ERROR_OVERFLOW,
           "lora backward out * r overflows");
    expect(call(X, X, W, A, B, U, 1.0f, dx, da, db, g, 0, 0, 0, INT64_MAX), PEFT4J_ERROR_TOO_LARGE,
           "lora backward r beyond the grid");
    expect(call(X, X, W, A, B, U, 1.0f, dx, da, db, g, 3, 1LL << 30, 1, 2), PEFT4J_ERROR_TOO_LARGE,
           "lora backward in beyond the grid");
    expect(call(nullptr, X, W, A, B, U, 1.0f, dx, da, db, g, 3, 4, 5, 2), PEFT4J_ERROR_NULL_POINTER, "lora backward dy NULL");
    expect(call(X, X, W, A, nullptr, U, 1.0f, dx, da, db, g, 3, 4, 5, 2), PEFT4J_ERROR_NULL_POINTER, "lora backward b NULL");
    expect(call(X, nullptr, W, A, B, U, 1.0f, dx, da, db, g, 3, 4, 5, 2), PEFT4J_ERROR_NULL_POINTER,
           "lora backward x NULL with dA");
    expect(call(X, X, nullptr, A, B, U, 1.0f, dx, da, db, g, 3, 4, 5, 2), PEFT4J_ERROR_NULL_POINTER,
           "lora backward w NULL with dx");
    expect(call(X, X, W, nullptr, B, U, 1.0f, dx, da, db, g, 3, 4, 5, 2), PEFT4J_ERROR_NULL_POINTER,
           "lora backward a NULL with dx");
    expect(call(X, X, W, A, B, nullptr, 1.0f, dx, da, db, g, 3, 4, 5, 2), PEFT4J_ERROR_NULL_POINTER,
           "lora backward u NULL with dB");
    expect(call(X, X, W, A, B, U, 1.0f, dx, da, db, nullptr, 3, 4, 5, 2), PEFT4J_ERROR_NULL_POINTER,
           "lora backward g NULL with dx");
    expect(call(X, X, W, A, B, U, 1.0f, nullptr, da, nullptr, nullptr, 3, 4, 5, 2), PEFT4J_ERROR_NULL_POINTER,
           "lora backward g NULL with dA");
    expect(call(X, X, W, A, B, U, NAN, dx, da, db, g, 3, 4, 5, 2), PEFT4J_ERROR_NOT_FINITE, "lora backward s NaN");
    // What an output does not need may be NULL; with no output nothing is launched.
    expect(call(X, nullptr, nullptr, nullptr, B, nullptr, 1.0f, nullptr, nullptr, nullptr, nullptr, 3, 4, 5, 2), PEFT4J_OK,
           "lora backward with no output");
}

}  // namespace

// The elementwise, embedding, mean-pool and dropout families: sizes, NULLs, scalars; empty calls succeed.
void token_and_elementwise_families() {
    float* y = out(6);
    expect(peft4j_fill(y, 1.0f, -1, nullptr), PEFT4J_ERROR_NEGATIVE_SIZE, "fill count < 0");
    expect(peft4j_fill(nullptr, 1.0f, 3, nullptr), PEFT4J_ERROR_NULL_POINTER, "fill x NULL");
    expect(peft4j_fill(nullptr, NAN, 0, nullptr), PEFT4J_OK, "fill of nothing");
    expect(peft4j_copy(X, y, -2, nullptr), PEFT4J_ERROR_NEGATIVE_SIZE, "copy count < 0");
    expect(peft4j_copy(X, y, INT64_MAX / 2, nullptr), PEFT4J_ERROR_OVERFLOW, "copy bytes overflow");
    expect(peft4j_copy(nullptr, y, 3, nullptr), PEFT4J_ERROR_NULL_POINTER, "copy src NULL");
    expect(peft4j_copy(X, nullptr, 3, nullptr), PEFT4J_ERROR_NULL_POINTER, "copy dst NULL");
    expect(peft4j_copy(X, y, 0, nullptr), PEFT4J_OK, "copy of nothing");
    expect(peft4j_add(X, W, y, -1, nullptr), PEFT4J_ERROR_NEGATIVE_SIZE, "add count < 0");
    expect(peft4j_add(nullptr, W, y, 3, nullptr), PEFT4J_ERROR_NULL_POINTER, "add a NULL");
    expect(peft4j_add(X, nullptr, y, 3, nullptr), PEFT4J_ERROR_NULL_POINTER, "add b NULL");
    expect(peft4j_add(X, W, nullptr, 3, nullptr), PEFT4J_ERROR_NULL_POINTER, "add out NULL");
    expect(peft4j_mul(X, W, y, -1, nullptr), PEFT4J_ERROR_NEGATIVE_SIZE, "mul count < 0");
    expect(peft4j_mul(X, nullptr, y, 3, nullptr), PEFT4J_ERROR_NULL_POINTER, "mul b NULL");
    expect(peft4j_mul(nullptr, nullptr, nullptr, 0, nullptr), PEFT4J_OK, "mul of nothing");
    expect(peft4j_axpy(1.0f, X, y, -1, nullptr), PEFT4J_ERROR_NEGATIVE_SIZE, "axpy count < 0");
    expect(peft4j_axpy(NAN, X, y, 3, nullptr), PEFT4J_ERROR_NOT_FINITE, "axpy alpha NaN");
    expect(peft4j_axpy(INFINITY, X, y, 3, nullptr), PEFT4J_ERROR_NOT_FINITE, "axpy alpha infinite");
    expect(peft4j_axpy(1.0f, nullptr, y, 3, nullptr), PEFT4J_ERROR_NULL_POINTER, "axpy x NULL");
    expect(peft4j_axpy(1.0f, X, nullptr, 3, nullptr), PEFT4J_ERROR_NULL_POINTER, "axpy y NULL");

    const int32_t ids[4] = {0, 1, 2, 3};
    expect(peft4j_embedding_forward(X, ids, y, -1, 4, 2, nullptr), PEFT4J_ERROR_NEGATIVE_SIZE, "embedding n < 0");
    expect(peft4j_embedding_forward(X, ids, y, 2, -4, 2, nullptr), PEFT4J_ERROR_NEGATIVE_SIZE, "embedding vocab < 0");
    expect(peft4j_embedding_forward(X, ids, y, 2, 4, INT64_MAX, nullptr), PEFT4J_ERROR_OVERFLOW, "embedding overflow");
    expect(peft4j_embedding_forward(nullptr, ids, y, 2, 4, 2, nullptr), PEFT4J_ERROR_NULL_POINTER, "embedding table NULL");
    expect(peft4j_embedding_forward(X, nullptr, y, 2, 4, 2, nullptr), PEFT4J_ERROR_NULL_POINTER, "embedding ids NULL");
    expect(peft4j_embedding_forward(X, ids, nullptr, 2, 4, 2, nullptr), PEFT4J_ERROR_NULL_POINTER, "embedding out NULL");
    expect(peft4j_embedding_forward(X, nullptr, nullptr, 0, 4, 2, nullptr), PEFT4J_OK, "embedding of no rows");
    const auto scatter = [&](const int32_t* rows, const int32_t* offsets, const int32_t* positions, float* d_table,
                             int64_t groups, int64_t n, int64_t vocab, int64_t dim) {
        return peft4j_embedding_backward(X, rows, offsets, positions, d_table, groups, n, vocab, dim, nullptr);
    };
    expect(scatter(ids, ids, ids, y, -1, 2, 4, 2), PEFT4J_ERROR_NEGATIVE_SIZE, "embedding backward groups < 0");
    expect(scatter(ids, ids, ids, y, 3, 2, 4, 2), PEFT4J_ERROR_TOO_LARGE, "embedding backward groups > n");
    expect(scatter(ids, ids, ids, y, 1, 1LL << 31, 4, 2), PEFT4J_ERROR_TOO_LARGE, "embedding backward n beyond int32");
    expect(scatter(ids, ids, ids, y, 1, 2, INT64_MAX, 2), PEFT4J_ERROR_OVERFLOW, "embedding backward table overflow");
    expect(scatter(nullptr, ids, ids, y, 1, 2, 4, 2), PEFT4J_ERROR_NULL_POINTER, "embedding backward rows NULL");
    expect(scatter(ids, nullptr, ids, y, 1, 2, 4, 2), PEFT4J_ERROR_NULL_POINTER, "embedding backward offsets NULL");
    expect(scatter(ids, ids, nullptr, y, 1, 2, 4, 2), PEFT4J_ERROR_NULL_POINTER, "embedding backward positions NULL");
    expect(scatter(ids, ids, ids, nullptr, 1, 2, 4, 2), PEFT4J_ERROR_NULL_POINTER, "embedding backward d_table NULL");
    expect(scatter(nullptr, nullptr, nullptr, nullptr, 0, 0, 0, 2), PEFT4J_OK, "embedding backward of nothing");

    expect(peft4j_mean_pool_forward(X, nullptr, y, -1, 3, 2, nullptr), PEFT4J_ERROR_NEGATIVE_SIZE, "pool batch < 0");
    expect(peft4j_mean_pool_forward(X, nullptr, y, 2, 3, INT64_MAX / 4, nullptr), PEFT4J_ERROR_OVERFLOW,
           "pool overflow");
    expect(peft4j_mean_pool_forward(X, nullptr, y, 1LL << 32, 1, 1, nullptr), PEFT4J_ERROR_TOO_LARGE,
           "pool batch beyond the grid");
    expect(peft4j_mean_pool_forward(nullptr, nullptr, y, 2, 3, 2, nullptr), PEFT4J_ERROR_NULL_POINTER, "pool x NULL");
    expect(peft4j_mean_pool_forward(X, nullptr, nullptr, 2, 3, 2, nullptr), PEFT4J_ERROR_NULL_POINTER, "pool out NULL");
    expect(peft4j_mean_pool_forward(nullptr, nullptr, nullptr, 0, 3, 2, nullptr), PEFT4J_OK, "pool of no rows");
    expect(peft4j_mean_pool_backward(X, nullptr, y, 2, -3, 2, nullptr), PEFT4J_ERROR_NEGATIVE_SIZE,
           "pool backward seq < 0");
    expect(peft4j_mean_pool_backward(nullptr, nullptr, y, 2, 3, 2, nullptr), PEFT4J_ERROR_NULL_POINTER,
           "pool backward d_out NULL");
    expect(peft4j_mean_pool_backward(X, nullptr, nullptr, 2, 3, 2, nullptr), PEFT4J_ERROR_NULL_POINTER,
           "pool backward dx NULL");

    expect(peft4j_dropout_forward(X, 0.1f, 1, y, nullptr, -1, nullptr), PEFT4J_ERROR_NEGATIVE_SIZE, "dropout count < 0");
    expect(peft4j_dropout_forward(X, NAN, 1, y, nullptr, 3, nullptr), PEFT4J_ERROR_NOT_FINITE, "dropout p NaN");
    expect(peft4j_dropout_forward(X, 1.0f, 1, y, nullptr, 3, nullptr), PEFT4J_ERROR_OUT_OF_RANGE, "dropout p = 1");
    expect(peft4j_dropout_forward(X, -0.1f, 1, y, nullptr, 3, nullptr), PEFT4J_ERROR_OUT_OF_RANGE, "dropout p < 0");
    expect(peft4j_dropout_forward(nullptr, 0.1f, 1, y, nullptr, 3, nullptr), PEFT4J_ERROR_NULL_POINTER, "dropout x NULL");
    expect(peft4j_dropout_forward(X, 0.1f, 1, nullptr, nullptr, 3, nullptr), PEFT4J_ERROR_NULL_POINTER, "dropout y NULL");
    expect(peft4j_dropout_forward(nullptr, 0.5f, 1, nullptr, nullptr, 0, nullptr), PEFT4J_OK, "dropout of nothing");
}

// Attention: sizes, the head split, NULLs (prefix pointers required only with prefix_len > 0), the workspace size.
void attention() {
    float* o = out(7);
    float* lse = out(8);
    const auto fwd = [&](const float* q, const float* pk, float* oo, float* ll, int64_t b, int64_t t, int64_t w,
                         int64_t h, int64_t l) {
        return peft4j_attention_forward(q, q, q, pk, pk, nullptr, 0, oo, ll, b, t, w, h, l, nullptr);
    };
    expect(fwd(X, nullptr, o, lse, -1, 3, 4, 2, 0), PEFT4J_ERROR_NEGATIVE_SIZE, "attention batch < 0");
    expect(fwd(X, nullptr, o, lse, 1, 3, 4, 0, 0), PEFT4J_ERROR_OUT_OF_RANGE, "attention heads = 0");
    expect(fwd(X, nullptr, o, lse, 1, 3, 5, 2, 0), PEFT4J_ERROR_OUT_OF_RANGE, "attention width not a multiple of heads");
    expect(fwd(X, nullptr, o, lse, 1, 3, 1, 2, 0), PEFT4J_ERROR_OUT_OF_RANGE, "attention head width 0");
    expect(fwd(X, nullptr, o, lse, 1, 3, 258, 2, 0), PEFT4J_ERROR_TOO_LARGE, "attention head width 129");
    expect(fwd(X, nullptr, o, lse, 70000, 3, 4, 1, 0), PEFT4J_ERROR_TOO_LARGE, "attention batch * heads > 65535");
    expect(fwd(X, nullptr, o, lse, 2, INT64_MAX / 2, 4, 2, 0), PEFT4J_ERROR_OVERFLOW, "attention overflow");
    expect(fwd(nullptr, nullptr, o, lse, 1, 3, 4, 2, 0), PEFT4J_ERROR_NULL_POINTER, "attention q NULL");
    expect(fwd(X, nullptr, nullptr, lse, 1, 3, 4, 2, 0), PEFT4J_ERROR_NULL_POINTER, "attention out NULL");
    expect(fwd(X, nullptr, o, nullptr, 1, 3, 4, 2, 0), PEFT4J_ERROR_NULL_POINTER, "attention lse NULL");
    expect(fwd(X, nullptr, o, lse, 1, 3, 4, 2, 5), PEFT4J_ERROR_NULL_POINTER, "attention prefix NULL with L = 5");
    expect(fwd(nullptr, nullptr, nullptr, nullptr, 0, 3, 4, 2, 0), PEFT4J_OK, "attention of no batch");
    int64_t floats = -1;
    expect(peft4j_attention_backward_workspace(2, 3, 4, 2, 5, &floats), PEFT4J_OK, "attention workspace");
    CHECK(floats == 2 * 2 * 3 + 2 * 2 * 5 * 4, "workspace of %lld floats", (long long)floats);
    expect(peft4j_attention_backward_workspace(2, 3, 4, 2, 5, nullptr), PEFT4J_ERROR_NULL_POINTER,
           "attention workspace size NULL");
    const auto bwd = [&](const float* d_out, float* ws, int64_t l) {
        return peft4j_attention_backward(d_out, X, X, X, l > 0 ? X : nullptr, l > 0 ? X : nullptr, nullptr, 1, X, X,
                                         out(9), out(10), out(11), nullptr, nullptr, ws, 2, 3, 4, 2, l, nullptr);
    };
    expect(bwd(nullptr, out(12), 0), PEFT4J_ERROR_NULL_POINTER, "attention backward d_out NULL");
    expect(bwd(X, nullptr, 0), PEFT4J_ERROR_NULL_POINTER, "attention backward workspace NULL");
    expect(peft4j_attention_backward(X, X, X, X, nullptr, nullptr, nullptr, 0, X, X, nullptr, nullptr, nullptr, nullptr,
                                     nullptr, out(12), 2, 3, 5, 2, 0, nullptr),
           PEFT4J_ERROR_OUT_OF_RANGE, "attention backward width not a multiple of heads");
}

// Adapter bottleneck: sizes, activation code, scale, NULLs, the workspace size.
void adapter() {
    const auto fwd = [&](const float* x, float* y, int f, float s, int64_t n, int64_t d, int64_t m) {
        return peft4j_adapter_forward(x, x, W, nullptr, A, nullptr, f, s, y, out(13), n, d, m, nullptr);
    };
    expect(fwd(X, out(14), 0, 1.0f, -1, 4, 2), PEFT4J_ERROR_NEGATIVE_SIZE, "adapter n < 0");
    expect(fwd(X, out(14), 0, 1.0f, 3, INT64_MAX, 2), PEFT4J_ERROR_OVERFLOW, "adapter overflow");
    expect(fwd(X, out(14), 17, 1.0f, 3, 4, 2), PEFT4J_ERROR_ACTIVATION, "adapter activation 17");
    expect(fwd(X, out(14), 0, NAN, 3, 4, 2), PEFT4J_ERROR_NOT_FINITE, "adapter scale NaN");
    expect(fwd(nullptr, out(14), 0, 1.0f, 3, 4, 2), PEFT4J_ERROR_NULL_POINTER, "adapter x NULL");
    expect(fwd(X, nullptr, 0, 1.0f, 3, 4, 2), PEFT4J_ERROR_NULL_POINTER, "adapter y NULL");
    expect(peft4j_adapter_forward(X, X, nullptr, nullptr, A, nullptr, 0, 1.0f, out(14), out(13), 3, 4, 2, nullptr),
           PEFT4J_ERROR_NULL_POINTER, "adapter w_down NULL");
    expect(peft4j_adapter_forward(X, X, W, nullptr, nullptr, nullptr, 0, 1.0f, out(14), out(13), 3, 4, 2, nullptr),
           PEFT4J_ERROR_NULL_POINTER, "adapter w_up NULL");
    expect(peft4j_adapter_forward(nullptr, nullptr, W, nullptr, A, nullptr, 0, 1.0f, nullptr, nullptr, 0, 4, 2, nullptr),
           PEFT4J_OK, "adapter of no rows");
    int64_t floats = -1;
    expect(peft4j_adapter_backward_workspace(3, 4, 2, 0, &floats), PEFT4J_OK, "adapter workspace");
    CHECK(floats == 3 * 2, "adapter workspace without the scale: %lld floats", (long long)floats);
    expect(peft4j_adapter_backward_workspace(3, 4, 2, 1, &floats), PEFT4J_OK, "adapter workspace with the scale");
    CHECK(floats == 3 * 2 + 3 * 4 + 2 * 4, "adapter workspace with the scale: %lld floats", (long long)floats);
    expect(peft4j_adapter_backward_workspace(3, 4, 2, 1, nullptr), PEFT4J_ERROR_NULL_POINTER, "adapter workspace NULL");
    const auto bwd = [&](const float* dy, const float* z, float* ws) {
        return peft4j_adapter_backward(dy, X, W, A, nullptr, 0, 1.0f, z, out(15), nullptr, nullptr, nullptr, nullptr,
                                       nullptr, ws, 3, 4, 2, nullptr);
    };
    expect(bwd(nullptr, X, out(12)), PEFT4J_ERROR_NULL_POINTER, "adapter backward dy NULL");
    expect(bwd(X, nullptr, out(12)), PEFT4J_ERROR_NULL_POINTER, "adapter backward z NULL");
    expect(bwd(X, X, nullptr), PEFT4J_ERROR_NULL_POINTER, "adapter backward workspace NULL");
}

// gemm and the linear layer: sizes, scalars, NULLs.
void products() {
    float* c = out(12);
    expect(peft4j_gemm(X, 0, W, 0, c, 1.0f, 0.0f, -1, 2, 2, 2, nullptr), PEFT4J_ERROR_NEGATIVE_SIZE, "gemm batch < 0");
    expect(peft4j_gemm(X, 0, W, 0, c, 1.0f, 0.0f, 1, 2, -2, 2, nullptr), PEFT4J_ERROR_NEGATIVE_SIZE, "gemm n < 0");
    expect(peft4j_gemm(X, 0, W, 0, c, 1.0f, 0.0f, 1, INT64_MAX, 2, 2, nullptr), PEFT4J_ERROR_OVERFLOW, "gemm overflow");
    expect(peft4j_gemm(X, 0, W, 0, c, 1.0f, 0.0f, INT64_MAX / 2, 2, 2, 2, nullptr), PEFT4J_ERROR_OVERFLOW,
           "gemm batch overflow");
    expect(peft4j_gemm(X, 0, W, 0, c, NAN, 0.0f, 1, 2, 2, 2, nullptr), PEFT4J_ERROR_NOT_FINITE, "gemm alpha NaN");
    expect(peft4j_gemm(X, 0, W, 0, c, 1.0f, INFINITY, 1, 2, 2, 2, nullptr), PEFT4J_ERROR_NOT_FINITE, "gemm beta inf");
    expect(peft4j_gemm(nullptr, 0, W, 0, c, 1.0f, 0.0f, 1, 2, 2, 2, nullptr), PEFT4J_ERROR_NULL_POINTER, "gemm a NULL");
    expect(peft4j_gemm(X, 0, nullptr, 0, c, 1.0f, 0.0f, 1, 2, 2, 2, nullptr), PEFT4J_ERROR_NULL_POINTER, "gemm b NULL");
    expect(peft4j_gemm(X, 0, W, 0, nullptr, 1.0f, 0.0f, 1, 2, 2, 2, nullptr), PEFT4J_ERROR_NULL_POINTER, "gemm c NULL");
    expect(peft4j_gemm(nullptr, 1, nullptr, 1, nullptr, 1.0f, 0.0f, 0, 2, 2, 2, nullptr), PEFT4J_OK, "gemm of no batch");
    expect(peft4j_linear_forward(X, W, nullptr, c, -1, 2, 2, nullptr), PEFT4J_ERROR_NEGATIVE_SIZE, "linear n < 0");
    expect(peft4j_linear_forward(nullptr, W, nullptr, c, 3, 2, 2, nullptr), PEFT4J_ERROR_NULL_POINTER, "linear x NULL");
    expect(peft4j_linear_forward(X, nullptr, nullptr, c, 3, 2, 2, nullptr), PEFT4J_ERROR_NULL_POINTER, "linear w NULL");
    expect(peft4j_linear_forward(X, W, nullptr, nullptr, 3, 2, 2, nullptr), PEFT4J_ERROR_NULL_POINTER, "linear y NULL");
    expect(peft4j_linear_backward(nullptr, X, W, c, nullptr, nullptr, 3, 2, 2, nullptr), PEFT4J_ERROR_NULL_POINTER,
           "linear backward dy NULL");
    expect(peft4j_linear_backward(X, X, nullptr, c, nullptr, nullptr, 3, 2, 2, nullptr), PEFT4J_ERROR_NULL_POINTER,
           "linear backward w NULL with dx");
    expect(peft4j_linear_backward(X, nullptr, W, nullptr, c, nullptr, 3, 2, 2, nullptr), PEFT4J_ERROR_NULL_POINTER,
           "linear backward x NULL with dw");
    expect(peft4j_linear_backward(X, nullptr, nullptr, nullptr, nullptr, nullptr, 3, 2, 2, nullptr), PEFT4J_OK,
           "linear backward with nothing requested");
}

// SGMV: sizes, rank, NULLs.
void sgmv() {
    const int32_t ids[2] = {0, -1};
    const auto call = [&](const float* x, const int32_t* of, float* y, int64_t n, int64_t r, int64_t adapters) {
        return peft4j_sgmv_lora(x, A, B, W, of, y, n, 4, 3, r, adapters, nullptr);
    };
    expect(call(X, ids, out(14), -1, 2, 1), PEFT4J_ERROR_NEGATIVE_SIZE, "sgmv n < 0");
    expect(call(X, ids, out(14), 2, 0, 1), PEFT4J_ERROR_RANK, "sgmv rank 0");
    expect(call(X, ids, out(14), 2, 129, 1), PEFT4J_ERROR_TOO_LARGE, "sgmv rank 129");
    expect(call(X, ids, out(14), 2, 2, INT64_MAX), PEFT4J_ERROR_OVERFLOW, "sgmv stack overflow");
    expect(call(nullptr, ids, out(14), 2, 2, 1), PEFT4J_ERROR_NULL_POINTER, "sgmv x NULL");
    expect(call(X, nullptr, out(14), 2, 2, 1), PEFT4J_ERROR_NULL_POINTER, "sgmv adapter_of NULL");
    expect(call(X, ids, nullptr, 2, 2, 1), PEFT4J_ERROR_NULL_POINTER, "sgmv y NULL");
    expect(peft4j_sgmv_lora(X, nullptr, B, W, ids, out(14), 2, 4, 3, 2, 1, nullptr), PEFT4J_ERROR_NULL_POINTER,
           "sgmv a NULL");
    expect(call(nullptr, nullptr, nullptr, 0, 2, 1), PEFT4J_OK, "sgmv of no rows");
}

void lora_low_rank() {
    const auto call = [&](const float* x, const float* a, const float* b, float s, float* y, float* u, int64_t n,
                          int64_t in, int64_t out, int64_t r) {
        return peft4j_lora_low_rank_forward(x, a, b, s, nullptr, y, u, n, in, out, r, nullptr);
    };
    float *y = out(15), *u = out(16);
    expect(call(X, A, B, 1.0f, y, u, -1, 4, 5, 2), PEFT4J_ERROR_NEGATIVE_SIZE, "low rank n < 0");
    expect(call(X, A, B, 1.0f, y, u, 3, -4, 5, 2), PEFT4J_ERROR_NEGATIVE_SIZE, "low rank in < 0");
    expect(call(X, A, B, 1.0f, y, u, 3, 4, -5, 2), PEFT4J_ERROR_NEGATIVE_SIZE, "low rank out < 0");
    expect(call(X, A, B, 1.0f, y, u, 3, 4, 5, -2), PEFT4J_ERROR_NEGATIVE_SIZE, "low rank r < 0");
    expect(call(X, A, B, 1.0f, y, u, 3, 4, 5, 0), PEFT4J_ERROR_RANK, "low rank r = 0");
    expect(call(X, A, B, NAN, y, u, 3, 4, 5, 2), PEFT4J_ERROR_NOT_FINITE, "low rank s NaN");
    expect(call(X, A, B, -INFINITY, y, u, 3, 4, 5, 2), PEFT4J_ERROR_NOT_FINITE, "low rank s infinite");
    expect(call(X, A, B, 1.0f, y, u, INT64_MAX, 4, 5, 2), PEFT4J_ERROR_OVERFLOW, "low rank n * in overflows");
    expect(call(X, A, B, 1.0f, y, u, 3, 4, INT64_MAX / 2, 3), PEFT4J_ERROR_OVERFLOW, "low rank out * r overflows");
    expect(call(X, A, B, 1.0f, y, u, 3, INT64_MAX / 2, 5, 4), PEFT4J_ERROR_OVERFLOW, "low rank r * in overflows");
    expect(call(nullptr, A, B, 1.0f, y, u, 3, 4, 5, 2), PEFT4J_ERROR_NULL_POINTER, "low rank x NULL");
    expect(call(X, nullptr, B, 1.0f, y, u, 3, 4, 5, 2), PEFT4J_ERROR_NULL_POINTER, "low rank a NULL");
    expect(call(X, A, nullptr, 1.0f, y, u, 3, 4, 5, 2), PEFT4J_ERROR_NULL_POINTER, "low rank b NULL");
    expect(call(X, A, B, 1.0f, nullptr, u, 3, 4, 5, 2), PEFT4J_ERROR_NULL_POINTER, "low rank y NULL");
    expect(call(X, A, B, 1.0f, y, nullptr, 3, 4, 5, 2), PEFT4J_ERROR_NULL_POINTER, "low rank u NULL");
    expect(call(X, A, B, 1.0f, y, u, 3, 4, 65535LL * 256 + 1, 2), PEFT4J_ERROR_TOO_LARGE,
           "low rank out beyond the grid");
    expect(call(X, A, B, 1.0f, y, u, 3, 4, 5, 65535LL * 64 + 1), PEFT4J_ERROR_TOO_LARGE,
           "low rank r beyond the grid");
    expect(call(X, A, B, 1.0f, y, u, 16LL * 2147483647LL + 1, 0, 0, 1), PEFT4J_ERROR_TOO_LARGE,
           "low rank n beyond the grid");
    // Nothing to do launches nothing, so these succeed without a device; empty arrays may be NULL.
    expect(call(nullptr, A, B, 1.0f, nullptr, nullptr, 0, 4, 5, 2), PEFT4J_OK, "low rank n = 0");
    expect(call(nullptr, nullptr, nullptr, 1.0f, nullptr, nullptr, 0, 0, 0, 1), PEFT4J_OK, "low rank empty");
}

int main() {
    lora_low_rank();
    sgmv();
    products();
    adapter();
    attention();
    token_and_elementwise_families();
    lora_backward();
    bitfit_and_scale();
    adamw();
    layer_norm();
    activations();
    softmax();
    cross_entropy();
    copies();

    expect(forward(X, W, A, B, Y, U, 3, 4, 5, 0), PEFT4J_ERROR_RANK, "r = 0");
    expect(forward(X, W, A, B, Y, U, -1, 4, 5, 2), PEFT4J_ERROR_NEGATIVE_SIZE, "n < 0");
    expect(forward(X, W, A, B, Y, U, 3, -4, 5, 2), PEFT4J_ERROR_NEGATIVE_SIZE, "in < 0");
    expect(forward(X, W, A, B, Y, U, 3, 4, -5, 2), PEFT4J_ERROR_NEGATIVE_SIZE, "out < 0");
    expect(forward(X, W, A, B, Y, U, 3, 4, 5, -2), PEFT4J_ERROR_NEGATIVE_SIZE, "r < 0");
    expect(forward(nullptr, W, A, B, Y, U, 3, 4, 5, 2), PEFT4J_ERROR_NULL_POINTER, "x NULL");
    expect(forward(X, nullptr, A, B, Y, U, 3, 4, 5, 2), PEFT4J_ERROR_NULL_POINTER, "w NULL");
    expect(forward(X, W, nullptr, B, Y, U, 3, 4, 5, 2), PEFT4J_ERROR_NULL_POINTER, "a NULL");
    expect(forward(X, W, A, nullptr, Y, U, 3, 4, 5, 2), PEFT4J_ERROR_NULL_POINTER, "b NULL");
    expect(forward(X, W, A, B, nullptr, U, 3, 4, 5, 2), PEFT4J_ERROR_NULL_POINTER, "y NULL");
    expect(forward(X, W, A, B, Y, nullptr, 3, 4, 5, 2), PEFT4J_ERROR_NULL_POINTER, "u NULL");
    expect(forward(X, W, A, B, Y, U, INT64_MAX, 4, 5, 2), PEFT4J_ERROR_OVERFLOW, "n * in overflows at INT64_MAX");
    expect(forward(X, W, A, B, Y, U, INT64_MAX, 0, 0, 1), PEFT4J_ERROR_TOO_LARGE, "n beyond the grid");
    expect(forward(X, W, A, B, Y, U, 3, 4, INT64_MAX, 2), PEFT4J_ERROR_OVERFLOW, "out * in overflows");
    expect(forward(X, W, A, B, Y, U, 3, 0, 1LL << 40, 2), PEFT4J_ERROR_TOO_LARGE, "out beyond the grid");
    expect(forward(X, W, A, B, Y, U, 1LL << 40, 1LL << 30, 5, 2), PEFT4J_ERROR_OVERFLOW, "n * in overflows");
    // No rows: valid, and nothing is launched, so it succeeds without a device; empty arrays may be NULL.
    expect(forward(X, W, A, B, Y, U, 0, 4, 5, 2), PEFT4J_OK, "n = 0");
    expect(forward(nullptr, W, A, B, nullptr, nullptr, 0, 4, 5, 2), PEFT4J_OK, "n = 0, x, y, u NULL");
    expect(forward(nullptr, W, A, B, Y, U, 0, 4, 5, 2), PEFT4J_OK, "n = 0, x NULL");
    expect(forward(X, W, A, B, Y, nullptr, 1, 4, 5, 2), PEFT4J_ERROR_NULL_POINTER, "n = 1, u NULL");

    float* device = &dummy[6];
    expect(peft4j_device_alloc(nullptr, 4), PEFT4J_ERROR_NULL_POINTER, "alloc into NULL");
    expect(peft4j_device_alloc(&device, -1), PEFT4J_ERROR_NEGATIVE_SIZE, "alloc of -1 floats");
    CHECK(device == nullptr, "a failed alloc leaves *ptr NULL");
    expect(peft4j_device_alloc(&device, 0), PEFT4J_OK, "alloc of 0 floats");
    CHECK(device == nullptr, "an empty alloc gives NULL");
    expect(peft4j_device_free(nullptr), PEFT4J_OK, "free(NULL)");
    expect(peft4j_copy_to_device(nullptr, X, 3), PEFT4J_ERROR_NULL_POINTER, "copy to NULL");
    expect(peft4j_copy_to_host(Y, nullptr, 3), PEFT4J_ERROR_NULL_POINTER, "copy from NULL");
    expect(peft4j_copy_to_host(Y, X, -3), PEFT4J_ERROR_NEGATIVE_SIZE, "copy of -3 floats");
    expect(peft4j_device_count(nullptr), PEFT4J_ERROR_NULL_POINTER, "device_count(NULL)");
    void* staging = &dummy[7];
    expect(peft4j_host_alloc_pinned(nullptr, 4), PEFT4J_ERROR_NULL_POINTER, "pinned alloc into NULL");
    expect(peft4j_host_alloc_pinned(&staging, -1), PEFT4J_ERROR_NEGATIVE_SIZE, "pinned alloc of -1 bytes");
    CHECK(staging == nullptr, "a failed pinned alloc leaves *staging NULL");
    expect(peft4j_host_alloc_pinned(&staging, 0), PEFT4J_OK, "pinned alloc of 0 bytes");
    CHECK(staging == nullptr, "an empty pinned alloc gives NULL");
    expect(peft4j_host_free_pinned(nullptr), PEFT4J_OK, "pinned free(NULL)");
    expect(peft4j_event_create(nullptr), PEFT4J_ERROR_NULL_POINTER, "event_create(NULL)");
    expect(peft4j_event_destroy(nullptr), PEFT4J_OK, "event_destroy(NULL)");
    expect(peft4j_event_synchronize(nullptr), PEFT4J_ERROR_NULL_POINTER, "event_synchronize(NULL)");
    void* event = &dummy[8];
    expect(peft4j_copy_to_device_async(out(0), X, 4, nullptr, nullptr), PEFT4J_ERROR_NULL_POINTER, "async copy without an event");
    expect(peft4j_copy_to_device_async(nullptr, X, 4, event, nullptr), PEFT4J_ERROR_NULL_POINTER, "async copy to NULL");
    expect(peft4j_copy_to_device_async(out(0), nullptr, 4, event, nullptr), PEFT4J_ERROR_NULL_POINTER, "async copy from NULL");
    expect(peft4j_copy_to_device_async(out(0), X, -4, event, nullptr), PEFT4J_ERROR_NEGATIVE_SIZE, "async copy of -4 bytes");

    // Every status has its own message; CUDA statuses carry the runtime's text.
    const int statuses[] = {PEFT4J_OK, PEFT4J_ERROR_NULL_POINTER, PEFT4J_ERROR_NEGATIVE_SIZE, PEFT4J_ERROR_RANK,
                            PEFT4J_ERROR_TOO_LARGE, PEFT4J_ERROR_NO_DRIVER, PEFT4J_ERROR_OVERFLOW,
                            PEFT4J_ERROR_ZERO_WIDTH, PEFT4J_ERROR_ACTIVATION, PEFT4J_ERROR_NOT_FINITE,
                            PEFT4J_ERROR_OUT_OF_RANGE, PEFT4J_ERROR_STEP};
    for (int i : statuses) {
        CHECK(std::string(peft4j_status_string(i)) != "unknown peft4j status", "status %d has no message", i);
        for (int j : statuses) {
            CHECK(i == j || std::strcmp(peft4j_status_string(i), peft4j_status_string(j)) != 0,
                  "statuses %d and %d share the message '%s'", i, j, peft4j_status_string(i));
        }
    }
    const std::string oom = peft4j_status_string(PEFT4J_ERROR_CUDA_BASE + 2);  // cudaErrorMemoryAllocation
    CHECK(oom == "out of memory", "CUDA status 2 reads '%s'", oom.c_str());
    CHECK(std::string(peft4j_status_string(-7)) == "unknown peft4j status", "status -7 reads '%s'",
          peft4j_status_string(-7));

    int count = -1;
    const int probed = peft4j_device_count(&count);
    std::printf("peft4j_device_count: status %d (%s), %d device(s)\n", probed, peft4j_status_string(probed), count);
    CHECK(probed == PEFT4J_OK || count == 0, "a failed device count reports 0 devices, got %d", count);

    if (peft4j_test::failures != 0) {
        std::fprintf(stderr, "%d check(s) failed\n", peft4j_test::failures);
        return 1;
    }
    std::printf("abi_validation: all checks passed\n");
    return 0;
}
