package dev.peft4j.cuda;

/**
 * The column-major (cuBLAS) call that computes a row-major product C = α·op(A)·op(B) + β·C, op(A) {@code [m,k]},
 * op(B) {@code [k,n]}, C {@code [m,n]}.
 *
 * <p>Derivation: a row-major {@code [r,c]} matrix is, in the same memory, the column-major {@code [c,r]} matrix
 * of its transpose. So cuBLAS is asked for Cᵀ = op(B)ᵀ·op(A)ᵀ, which is column-major {@code [n,m]} with leading
 * dimension n: its first operand is B's memory, its second A's, and its (m, n) are our (n, m).
 * <ul>
 *   <li>B not transposed: B is row-major {@code [k,n]}, whose column-major view {@code [n,k]} is Bᵀ = op(B)ᵀ: op N,
 *       ld n. B transposed: B is row-major {@code [n,k]}, viewed as {@code [k,n]} = Bᵀ, and op(B)ᵀ = B: op T, ld k.</li>
 *   <li>A not transposed: A is row-major {@code [m,k]}, viewed as {@code [k,m]} = Aᵀ = op(A)ᵀ: op N, ld k.
 *       A transposed: A is row-major {@code [k,m]}, viewed as {@code [m,k]} = Aᵀ, and op(A)ᵀ = A: op T, ld m.</li>
 * </ul>
 * Leading dimensions are at least 1 (cuBLAS's rule), strides are one matrix each for the batched call.
 *
 * @param transFirst  whether cuBLAS transposes its first operand (B's memory)
 * @param transSecond whether cuBLAS transposes its second operand (A's memory)
 * @param m           cuBLAS's m: our n
 * @param n           cuBLAS's n: our m
 * @param k           the inner size
 * @param ldFirst     leading dimension of B's memory
 * @param ldSecond    leading dimension of A's memory
 * @param ldc         leading dimension of C: our n
 * @param strideFirst  floats between the B matrices of a batch
 * @param strideSecond floats between the A matrices of a batch
 * @param strideC      floats between the C matrices of a batch
 */
record ColumnMajorGemm(boolean transFirst, boolean transSecond, int m, int n, int k, int ldFirst, int ldSecond, int ldc,
                       long strideFirst, long strideSecond, long strideC) {

    /** The cuBLAS call for row-major C {@code [m,n]} = op(A) {@code [m,k]} · op(B) {@code [k,n]}. */
    static ColumnMajorGemm forRowMajor(boolean transA, boolean transB, int m, int n, int k) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("gemm sizes must be non-negative: m=" + m + ", n=" + n + ", k=" + k);
        }
        return new ColumnMajorGemm(transB, transA, n, m, k,
                Math.max(1, transB ? k : n), Math.max(1, transA ? m : k), Math.max(1, n),
                (long) k * n, (long) m * k, (long) m * n);
    }
}
