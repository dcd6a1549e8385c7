// A shared-memory tiled "NT" product C[m, n] = sum_k P(i, k) * Q(j, k) over operands read through functors,
// so fused kernels can feed it computed operands (masked rows, concatenated [x, s*u] rows) without staging
// them in memory. fp32 accumulation; every output element inside [m, n] is written exactly once.
#ifndef PEFT4J_GEMM_NT_TILED_CUH
#define PEFT4J_GEMM_NT_TILED_CUH

#include <cstdint>

namespace peft4j {

struct GemmNtTile {
    static constexpr int kRows = 64;          // output rows per block (from P)
    static constexpr int kCols = 64;          // output columns per block (from Q)
    static constexpr int kDepth = 16;         // k-slice staged in shared memory per step
    static constexpr int kThreadsPerSide = 16;
    static constexpr int kThreads = kThreadsPerSide * kThreadsPerSide;
    static constexpr int kRowsPerThread = kRows / kThreadsPerSide;  // 4
    static constexpr int kColsPerThread = kCols / kThreadsPerSide;  // 4
    // Launch limits: rows go on grid x (2^31 - 1 blocks), columns on grid y (65535 blocks).
    static constexpr int64_t kMaxRows = static_cast<int64_t>(kRows) * 2147483647LL;
    static constexpr int64_t kMaxCols = static_cast<int64_t>(kCols) * 65535LL;
};

// Block (bx, by) computes rows [bx*64, bx*64+64) x columns [by*64, by*64+64). Thread (ty, tx) owns the
// 4x4 outputs at rows ty + 16*i and columns tx + 16*j, so shared-memory reads of a warp are broadcasts
// (P) or 16 consecutive words (Q). Tails are zero-filled in shared memory and masked on store.
// epilogue(i, j, sum) stores one finished element.
template <typename RowOperand, typename ColOperand, typename Epilogue>
__global__ void __launch_bounds__(GemmNtTile::kThreads)
gemm_nt_tiled_kernel(int64_t m, int64_t n, int64_t k, RowOperand p, ColOperand q, Epilogue epilogue) {
    using T = GemmNtTile;
    __shared__ float p_tile[T::kDepth][T::kRows + 1];
    __shared__ float q_tile[T::kDepth][T::kCols + 1];

    const int tx = threadIdx.x % T::kThreadsPerSide;
    const int ty = threadIdx.x / T::kThreadsPerSide;
    const int64_t row0 = static_cast<int64_t>(blockIdx.x) * T::kRows;
    const int64_t col0 = static_cast<int64_t>(blockIdx.y) * T::kCols;

    float acc[T::kRowsPerThread][T::kColsPerThread] = {};

    for (int64_t k0 = 0; k0 < k; k0 += T::kDepth) {
        // Consecutive threads read consecutive k of one row: coalesced for row-major operands.
        for (int e = threadIdx.x; e < T::kRows * T::kDepth; e += T::kThreads) {
            const int kk = e % T::kDepth;
            const int rr = e / T::kDepth;
            const int64_t gk = k0 + kk;
            const int64_t gi = row0 + rr;
            const int64_t gj = col0 + rr;
            p_tile[kk][rr] = (gi < m && gk < k) ? p(gi, gk) : 0.0f;
            q_tile[kk][rr] = (gj < n && gk < k) ? q(gj, gk) : 0.0f;
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < T::kDepth; ++kk) {
            float pv[T::kRowsPerThread];
            float qv[T::kColsPerThread];
#pragma unroll
            for (int i = 0; i < T::kRowsPerThread; ++i) pv[i] = p_tile[kk][ty + T::kThreadsPerSide * i];
#pragma unroll
            for (int j = 0; j < T::kColsPerThread; ++j) qv[j] = q_tile[kk][tx + T::kThreadsPerSide * j];
#pragma unroll
            for (int i = 0; i < T::kRowsPerThread; ++i)
#pragma unroll
                for (int j = 0; j < T::kColsPerThread; ++j) acc[i][j] = fmaf(pv[i], qv[j], acc[i][j]);
        }
        __syncthreads();
    }

#pragma unroll
    for (int i = 0; i < T::kRowsPerThread; ++i) {
        const int64_t gi = row0 + ty + T::kThreadsPerSide * i;
#pragma unroll
        for (int j = 0; j < T::kColsPerThread; ++j) {
            const int64_t gj = col0 + tx + T::kThreadsPerSide * j;
            if (gi < m && gj < n) epilogue(gi, gj, acc[i][j]);
        }
    }
}

inline dim3 gemm_nt_tiled_grid(int64_t m, int64_t n) {
    using T = GemmNtTile;
    return dim3(static_cast<unsigned>((m + T::kRows - 1) / T::kRows),
                static_cast<unsigned>((n + T::kCols - 1) / T::kCols));
}

}  // namespace peft4j

#endif
