// Timings of peft4j's kernels on a GPU (not a test: ctest does not run it; tools/gpu-check.sh does). CUDA events
// around each run, 5 warm-up runs, the median of 50, the L2 cache flushed before every run by writing a 256 MB
// buffer. Prints one line per measurement and the ratios issue 6 asks for:
//   fused LoRA forward (N = 8192, in = out = 4096, r = 16) / base product alone  (target <= 1.10), in two forms:
//     augmented K (peft4j_lora_forward: u, then one product over in + r) and base product + the low-rank half
//     (peft4j_lora_low_rank_forward: shrink, then expand into y), with peft4j's tiled base product and, when
//     built with cuBLAS (PEFT4J_HAVE_CUBLAS), with cuBLAS's base GEMM (fp32, and TF32 for information), against
//     cuBLAS's base GEMM alone and cuBLAS's base + two low-rank GEMMs;
//   prefix attention (L = 30, T = 512) / plain attention (L = 0)                  (target <= 1.3)
// and, for every memory-bound kernel family of a training step, its time and the fraction of peak DRAM bandwidth it
// reaches.
// Without a device it prints SKIPPED and exits 0.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <vector>

#include "peft4j.h"
#ifdef PEFT4J_HAVE_CUBLAS
#include <cublas_v2.h>
#endif

namespace {

constexpr int kWarmup = 5;
constexpr int kRuns = 50;
constexpr size_t kFlushBytes = 256u << 20;

void check(int status, const char* what) {
    if (status != PEFT4J_OK) {
        std::fprintf(stderr, "%s: %s\n", what, peft4j_status_string(status));
        std::exit(1);
    }
}

void check_cuda(cudaError_t e, const char* what) {
    if (e != cudaSuccess) {
        std::fprintf(stderr, "%s: %s\n", what, cudaGetErrorString(e));
        std::exit(1);
    }
}

float* device_random(int64_t count, std::mt19937& rng, float scale = 1.0f) {
    std::vector<float> host(static_cast<size_t>(count));
    std::uniform_real_distribution<float> u(-scale, scale);
    for (auto& v : host) v = u(rng);
    float* d = nullptr;
    check(peft4j_device_alloc(&d, count), "alloc");
    check(peft4j_copy_to_device(d, host.data(), count), "upload");
    return d;
}

// Median milliseconds of run() over kRuns runs after kWarmup, with the L2 flushed before each.
double median_ms(const std::function<void()>& run, void* flush) {
    cudaEvent_t start, stop;
    check_cuda(cudaEventCreate(&start), "event");
    check_cuda(cudaEventCreate(&stop), "event");
    std::vector<float> ms;
    for (int i = 0; i < kWarmup + kRuns; ++i) {
        check_cuda(cudaMemset(flush, i & 0xff, kFlushBytes), "L2 flush");
        check_cuda(cudaEventRecord(start), "record");
        run();
        check_cuda(cudaEventRecord(stop), "record");
        check_cuda(cudaEventSynchronize(stop), "synchronize");
        float t = 0;
        check_cuda(cudaEventElapsedTime(&t, start, stop), "elapsed");
        if (i >= kWarmup) ms.push_back(t);
    }
    check_cuda(cudaGetLastError(), "kernels");
    std::sort(ms.begin(), ms.end());
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
    return ms[ms.size() / 2];
}

void lora(std::mt19937& rng, void* flush) {
    const int64_t n = 8192, in = 4096, out = 4096, r = 16;
    float *x = device_random(n * in, rng), *w = device_random(out * in, rng, 0.02f), *a = device_random(r * in, rng, 0.02f),
          *b = device_random(out * r, rng, 0.02f), *y = nullptr, *u = nullptr;
    check(peft4j_device_alloc(&y, n * out), "alloc");
    check(peft4j_device_alloc(&u, n * r), "alloc");
    const double flops = 2.0 * n * in * out;
    const double base = median_ms([&] { check(peft4j_linear_forward(x, w, nullptr, y, n, in, out, nullptr), "linear"); }, flush);
    const double fused = median_ms([&] {
        check(peft4j_lora_forward(x, w, nullptr, a, b, 0.5f, nullptr, y, u, n, in, out, r, nullptr), "lora");
    }, flush);
    const auto low_rank = [&] {
        check(peft4j_lora_low_rank_forward(x, a, b, 0.5f, nullptr, y, u, n, in, out, r, nullptr), "low rank");
    };
    const double low_rank_alone = median_ms(low_rank, flush);
    const double two_step = median_ms([&] {
        check(peft4j_linear_forward(x, w, nullptr, y, n, in, out, nullptr), "linear");
        low_rank();
    }, flush);
    std::printf("LoRA N=%lld in=out=%lld r=%lld\n", (long long)n, (long long)in, (long long)r);
    std::printf("  peft4j base product          %8.3f ms  %7.1f TFLOP/s\n", base, flops / base / 1e9);
    std::printf("  peft4j augmented-K LoRA      %8.3f ms  / peft4j base = %.3f (target <= 1.10)\n", fused, fused / base);
    std::printf("  peft4j low-rank half alone   %8.3f ms  (shrink + expand, %.0f GB/s over x, y read, y written)\n",
                low_rank_alone, 3.0 * n * in * sizeof(float) / low_rank_alone / 1e6);
    std::printf("  peft4j base + low-rank half  %8.3f ms  / peft4j base = %.3f; / augmented-K = %.3f\n", two_step,
                two_step / base, two_step / fused);
#ifdef PEFT4J_HAVE_CUBLAS
    cublasHandle_t h;
    if (cublasCreate(&h) != CUBLAS_STATUS_SUCCESS) {
        std::fprintf(stderr, "cublasCreate failed\n");
        std::exit(1);
    }
    cublasSetMathMode(h, CUBLAS_PEDANTIC_MATH);  // fp32, no TF32: the same arithmetic as peft4j's kernels
    const float one = 1.0f, zero = 0.0f, s = 0.5f;
    // row-major y [n, out] = x [n, in] W^T: column-major y^T = W x^T, i.e. (op T on W, op N on x)
    const auto gemm = [&](int m, int nn, int k, const float* alpha, const float* A, int lda, const float* B, int ldb,
                          const float* beta, float* C, int ldc) {
        if (cublasSgemm(h, CUBLAS_OP_T, CUBLAS_OP_N, m, nn, k, alpha, A, lda, B, ldb, beta, C, ldc) != CUBLAS_STATUS_SUCCESS) {
            std::fprintf(stderr, "cublasSgemm failed\n");
            std::exit(1);
        }
    };
    const double cublas_base = median_ms([&] { gemm(out, n, in, &one, w, in, x, in, &zero, y, out); }, flush);
    const double cublas_three = median_ms([&] {
        gemm(out, n, in, &one, w, in, x, in, &zero, y, out);  // y = x W^T
        gemm(r, n, in, &one, a, in, x, in, &zero, u, r);      // u = x A^T
        gemm(out, n, r, &s, b, r, u, r, &one, y, out);        // y += s u B^T
    }, flush);
    std::printf("  cuBLAS base GEMM             %8.3f ms  %7.1f TFLOP/s; peft4j base / cuBLAS = %.3f\n", cublas_base,
                flops / cublas_base / 1e9, base / cublas_base);
    std::printf("  cuBLAS base + 2 low-rank     %8.3f ms  peft4j fused / that = %.3f (target < 1)\n", cublas_three,
                fused / cublas_three);
    std::printf("  peft4j augmented-K / cuBLAS base  %.3f\n", fused / cublas_base);
    const double cublas_fused = median_ms([&] {
        gemm(out, n, in, &one, w, in, x, in, &zero, y, out);
        low_rank();
    }, flush);
    std::printf("  cuBLAS base + peft4j low-rank half  %8.3f ms  / cuBLAS base = %.3f (target <= 1.10); "
                "/ cuBLAS base + 2 low-rank = %.3f (target < 1)\n",
                cublas_fused, cublas_fused / cublas_base, cublas_fused / cublas_three);
    cublasSetMathMode(h, CUBLAS_TF32_TENSOR_OP_MATH);  // for information: the TF32 path (<= 5e-4 relative)
    const double tf32_base = median_ms([&] { gemm(out, n, in, &one, w, in, x, in, &zero, y, out); }, flush);
    const double tf32_fused = median_ms([&] {
        gemm(out, n, in, &one, w, in, x, in, &zero, y, out);
        low_rank();
    }, flush);
    std::printf("  cuBLAS TF32 base GEMM        %8.3f ms  %7.1f TFLOP/s\n", tf32_base, flops / tf32_base / 1e9);
    std::printf("  cuBLAS TF32 base + peft4j low-rank half  %8.3f ms  / TF32 base = %.3f\n", tf32_fused,
                tf32_fused / tf32_base);
    cublasDestroy(h);
#else
    std::printf("  (built without cuBLAS: the comparison with cuBLAS is not measured)\n");
#endif
    for (float* p : {x, w, a, b, y, u}) peft4j_device_free(p);
}

void attention(std::mt19937& rng, void* flush) {
    const int64_t batch = 8, seq = 512, heads = 12, dh = 32, width = heads * dh, prefix = 30;
    float *q = device_random(batch * seq * width, rng), *k = device_random(batch * seq * width, rng),
          *v = device_random(batch * seq * width, rng), *pk = device_random(prefix * width, rng),
          *pv = device_random(prefix * width, rng), *o = nullptr, *lse = nullptr;
    check(peft4j_device_alloc(&o, batch * seq * width), "alloc");
    check(peft4j_device_alloc(&lse, batch * heads * seq), "alloc");
    const double plain = median_ms([&] {
        check(peft4j_attention_forward(q, k, v, nullptr, nullptr, nullptr, 0, o, lse, batch, seq, width, heads, 0, nullptr),
              "attention");
    }, flush);
    const double with_prefix = median_ms([&] {
        check(peft4j_attention_forward(q, k, v, pk, pv, nullptr, 0, o, lse, batch, seq, width, heads, prefix, nullptr),
              "attention");
    }, flush);
    std::printf("attention B=%lld T=%lld H=%lld dh=%lld\n", (long long)batch, (long long)seq, (long long)heads,
                (long long)dh);
    std::printf("  plain (L = 0)                %8.3f ms\n", plain);
    std::printf("  prefix (L = 30)              %8.3f ms  prefix / plain = %.3f (target <= 1.3)\n", with_prefix,
                with_prefix / plain);

    // The backward, for information: dq, dk, dv (and the prefix gradients) from the saved out and lse.
    float *d_out = device_random(batch * seq * width, rng), *dq = nullptr, *dk = nullptr, *dv = nullptr,
          *dpk = nullptr, *dpv = nullptr, *workspace = nullptr;
    int64_t workspace_floats = 0;
    check(peft4j_attention_backward_workspace(batch, seq, width, heads, prefix, &workspace_floats), "workspace");
    for (float** p : {&dq, &dk, &dv}) check(peft4j_device_alloc(p, batch * seq * width), "alloc");
    for (float** p : {&dpk, &dpv}) check(peft4j_device_alloc(p, prefix * width), "alloc");
    check(peft4j_device_alloc(&workspace, workspace_floats), "alloc");
    const auto backward = [&](int64_t l) {
        check(peft4j_attention_forward(q, k, v, l ? pk : nullptr, l ? pv : nullptr, nullptr, 0, o, lse, batch, seq,
                                       width, heads, l, nullptr), "attention");
        check(peft4j_synchronize(nullptr), "attention");
        return median_ms([&] {
            check(peft4j_attention_backward(d_out, q, k, v, l ? pk : nullptr, l ? pv : nullptr, nullptr, 0, o, lse, dq,
                                            dk, dv, l ? dpk : nullptr, l ? dpv : nullptr, workspace, batch, seq, width,
                                            heads, l, nullptr), "attention backward");
        }, flush);
    };
    const double plain_backward = backward(0), prefix_backward = backward(prefix);
    std::printf("  backward plain (L = 0)       %8.3f ms\n", plain_backward);
    std::printf("  backward prefix (L = 30)     %8.3f ms  prefix / plain = %.3f\n", prefix_backward,
                prefix_backward / plain_backward);
    for (float* p : {q, k, v, pk, pv, o, lse, d_out, dq, dk, dv, dpk, dpv, workspace}) peft4j_device_free(p);
}

// Device int32 values in [0, bound).
int32_t* device_ids(int64_t count, int64_t bound, std::mt19937& rng) {
    std::vector<int32_t> host(static_cast<size_t>(count));
    std::uniform_int_distribution<int64_t> u(0, bound - 1);
    for (auto& v : host) v = static_cast<int32_t>(u(rng));
    float* d = nullptr;
    check(peft4j_device_alloc(&d, count), "alloc");
    check(peft4j_copy_bytes_to_device(d, host.data(), count * 4), "upload");
    return reinterpret_cast<int32_t*>(d);
}

// Peak DRAM bandwidth in GB/s from the memory clock and bus width (DDR: two transfers per clock).
double peak_gb_per_s() {
    int clock_khz = 0, bus_bits = 0;
    check_cuda(cudaDeviceGetAttribute(&clock_khz, cudaDevAttrMemoryClockRate, 0), "memory clock");
    check_cuda(cudaDeviceGetAttribute(&bus_bits, cudaDevAttrGlobalMemoryBusWidth, 0), "bus width");
    return 2.0 * clock_khz * 1e3 * (bus_bits / 8.0) / 1e9;
}

// The memory-bound kernels of a bge-small + PEFT training step (N = 32 x 128 rows, d = 384, FFN 1536): median time
// and the bandwidth they reach over the bytes they must move at least (each input read once, each output written once).
void memory_bound(std::mt19937& rng, void* flush) {
    const int64_t n = 4096, d = 384, f = 1536, m = 64, r = 16, adapters = 4, vocab = 30522;
    const double peak = peak_gb_per_s();
    std::printf("memory-bound kernels, N=%lld d=%lld (peak DRAM %.0f GB/s from clock x bus width)\n", (long long)n,
                (long long)d, peak);
    const auto report = [&](const char* name, double ms, double bytes) {
        const double gbs = bytes / (ms * 1e-3) / 1e9;
        std::printf("  %-34s %8.4f ms  %7.0f GB/s  %5.1f %% of peak\n", name, ms, gbs, 100.0 * gbs / peak);
    };
    float *x = device_random(n * f, rng), *y = nullptr, *y2 = nullptr, *mean = nullptr, *rstd = nullptr,
          *gamma = device_random(d, rng), *beta = device_random(d, rng), *z = nullptr;
    check(peft4j_device_alloc(&y, n * f), "alloc");
    check(peft4j_device_alloc(&y2, n * f), "alloc");
    check(peft4j_device_alloc(&mean, n), "alloc");
    check(peft4j_device_alloc(&rstd, n), "alloc");
    check(peft4j_device_alloc(&z, n * m), "alloc");
    report("layer_norm_forward [N,d]", median_ms([&] {
        check(peft4j_layer_norm_forward(x, gamma, beta, 1e-12f, y, mean, rstd, n, d, nullptr), "layer norm");
    }, flush), 4.0 * (2 * n * d + 2 * d + 2 * n));
    report("activation_forward GELU [N,4d]", median_ms([&] {
        check(peft4j_activation_forward(PEFT4J_ACTIVATION_GELU, x, y, n * f, nullptr), "gelu");
    }, flush), 4.0 * 2 * n * f);
    report("activation_backward GELU [N,4d]", median_ms([&] {
        check(peft4j_activation_backward(PEFT4J_ACTIVATION_GELU, x, x, y, n * f, nullptr), "gelu backward");
    }, flush), 4.0 * 2 * n * f);
    report("dropout_forward p=0.1 [N,d] (+mask)", median_ms([&] {
        check(peft4j_dropout_forward(x, 0.1f, 42, y, y2, n * d, nullptr), "dropout");
    }, flush), 4.0 * 3 * n * d);
    report("scale_forward (IA)3 [N,4d]", median_ms([&] {
        check(peft4j_scale_forward(x, gamma, y, n * f / d, d, nullptr), "ia3");
    }, flush), 4.0 * (2 * n * f + d));
    float *w_down = device_random(m * d, rng, 0.05f), *w_up = device_random(d * m, rng, 0.05f);
    report("adapter_forward m=64 [N,d]", median_ms([&] {
        check(peft4j_adapter_forward(x, x, w_down, nullptr, w_up, nullptr, PEFT4J_ACTIVATION_RELU, 1.0f, y, z, n, d, m,
                                     nullptr), "adapter");
    }, flush), 4.0 * (3 * n * d + n * m + 2 * m * d));
    float *sa = device_random(adapters * r * d, rng, 0.05f), *sb = device_random(adapters * d * r, rng, 0.05f),
          *scales = device_random(adapters, rng);
    int32_t* adapter_of = device_ids(n, adapters, rng);
    report("sgmv_lora 4 adapters r=16 [N,d]", median_ms([&] {
        check(peft4j_sgmv_lora(x, sa, sb, scales, adapter_of, y, n, d, d, r, adapters, nullptr), "sgmv");
    }, flush), 4.0 * (3 * n * d + n + adapters * 2 * r * d));
    float* table = device_random(vocab * d, rng);
    int32_t* ids = device_ids(n, vocab, rng);
    report("embedding_forward [N,d] of 30522", median_ms([&] {
        check(peft4j_embedding_forward(table, ids, y, n, vocab, d, nullptr), "embedding");
    }, flush), 4.0 * (2 * n * d + n));
    float *logits = device_random(n * 2, rng), *probs = nullptr, *row_loss = nullptr, *loss = nullptr;
    check(peft4j_device_alloc(&probs, n * 2), "alloc");
    check(peft4j_device_alloc(&row_loss, n), "alloc");
    check(peft4j_device_alloc(&loss, 1), "alloc");
    int32_t* targets = device_ids(n, 2, rng);
    report("cross_entropy_forward [N,2]", median_ms([&] {
        check(peft4j_cross_entropy_forward(logits, targets, probs, row_loss, loss, n, 2, nullptr), "cross-entropy");
    }, flush), 4.0 * (2 * n * 2 + 2 * n + 1));
    report("softmax_forward [N,T=128] x 12 heads", median_ms([&] {
        check(peft4j_softmax_forward(x, y, n * 12, 128, nullptr), "softmax");
    }, flush), 4.0 * 2 * n * 12 * 128);
    for (float* p : {x, y, y2, mean, rstd, gamma, beta, z, w_down, w_up, sa, sb, scales, table, logits, probs,
                     row_loss, loss}) {
        peft4j_device_free(p);
    }
    for (int32_t* p : {adapter_of, ids, targets}) peft4j_device_free(reinterpret_cast<float*>(p));
}

}  // namespace

int main() {
    int devices = 0;
    if (peft4j_device_count(&devices) != PEFT4J_OK || devices == 0) {
        std::printf("SKIPPED: no CUDA device\n");
        return 0;
    }
    cudaDeviceProp prop{};
    check_cuda(cudaGetDeviceProperties(&prop, 0), "device properties");
    std::printf("device: %s; %d warm-up runs, median of %d, L2 flushed (%zu MB written) before each run\n", prop.name,
                kWarmup, kRuns, kFlushBytes >> 20);
    void* flush = nullptr;
    check_cuda(cudaMalloc(&flush, kFlushBytes), "flush buffer");
    std::mt19937 rng(7);
    lora(rng, flush);
    attention(rng, flush);
    memory_bound(rng, flush);
    cudaFree(flush);
    return 0;
}
