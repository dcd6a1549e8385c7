// Internal: deterministic column reductions sum_r term(r, c) over a [rows, cols] index space, for bias
// gradients, dgamma/dbeta, (IA)^3's dl. Block (32, 8): 32 consecutive columns (coalesced row-major reads),
// 8 row lanes striding the rows; float64 accumulation; the lanes are combined in a fixed order.
// epilogue(c, sum) consumes each finished column exactly once (rows = 0 gives sum = 0).
#ifndef PEFT4J_COLUMN_REDUCE_CUH
#define PEFT4J_COLUMN_REDUCE_CUH

#include <cstdint>

namespace peft4j {

struct ColumnReduce {
    static constexpr int kCols = 32;
    static constexpr int kLanes = 8;
    static constexpr int64_t kMaxCols = static_cast<int64_t>(kCols) * 2147483647LL;
};

template <typename Term, typename Epilogue>
__global__ void __launch_bounds__(ColumnReduce::kCols* ColumnReduce::kLanes)
column_reduce_kernel(int64_t rows, int64_t cols, Term term, Epilogue epilogue) {
    __shared__ double partial[ColumnReduce::kLanes][ColumnReduce::kCols];
    const int64_t c = static_cast<int64_t>(blockIdx.x) * ColumnReduce::kCols + threadIdx.x;
    double sum = 0;
    if (c < cols) {
        for (int64_t r = threadIdx.y; r < rows; r += ColumnReduce::kLanes) sum += term(r, c);
    }
    partial[threadIdx.y][threadIdx.x] = sum;
    __syncthreads();
    if (threadIdx.y == 0 && c < cols) {
        double total = partial[0][threadIdx.x];
        for (int lane = 1; lane < ColumnReduce::kLanes; ++lane) total += partial[lane][threadIdx.x];
        epilogue(c, total);
    }
}

inline dim3 column_reduce_grid(int64_t cols) {
    return dim3(static_cast<unsigned>((cols + ColumnReduce::kCols - 1) / ColumnReduce::kCols));
}

inline dim3 column_reduce_block() { return dim3(ColumnReduce::kCols, ColumnReduce::kLanes); }

}  // namespace peft4j

#endif
