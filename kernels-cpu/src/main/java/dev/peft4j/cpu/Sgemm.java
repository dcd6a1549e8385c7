package dev.peft4j.cpu;

import static dev.peft4j.cpu.Simd.L;
import static dev.peft4j.cpu.Simd.S;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Single-precision GEMM, C[m,n] = A'·B' + β·C + biasScale·bias (bias broadcast over rows, nullable), where
 * A' {@code [m,k]} and B' {@code [k,n]} are {@link GemmOperand}s (transposes, scales, masks, concatenations
 * along k are folded into packing).
 *
 * <p>GotoBLAS blocking: for each NC-wide column block and KC-deep k block, B' is packed into NR-wide strips
 * (the panel in L3, one strip in L1/L2 while the A block streams); for each MC-row block A' is packed into MR-row strips;
 * the register-tiled micro-kernel then keeps an MR×NR tile of C in vector registers (6×3 vectors of 16 floats
 * with AVX-512: 18 accumulators, 3 loads and 6 broadcasts per k step; 4×2 with 16 vector registers, see
 * {@link #SHAPE}); the 6×3 kernel reads B from cache-line aligned panels off the heap ({@link #ALIGNED_PANELS}).
 * KC, MC and NC follow the caches ({@link GemmBlocking}). A plain row-major leading segment of the left
 * operand (x in x·Wᵀ, also in LoRA's [x, s·u]) is not packed: the micro-kernel broadcasts from its rows in place
 * (an off-heap one's rows are first copied out row-major per row block, one bulk copy per row) and only the
 * remaining segments (and a last partial row strip) are packed.
 * Edges are zero-padded in the packed panels and written back with masked stores, so tails run at vector speed. For n ≤ one vector (rank-r
 * products) a 12×1-vector kernel avoids padding n to NR. C is never read on the first k block
 * when β = 0. The work is split across the pool by rows or by columns, whichever packs less per thread
 * ({@link #packsLessByColumns}), by columns also when rows are few.
 */
final class Sgemm {
    /**
     * Micro-kernel shape, rows × vectors of C held in registers, chosen once per JVM: 6×3 (18 accumulators) where
     * C2 has 32 vector registers (AVX-512, also at 256 bits; AArch64), 4×2 (8 accumulators) where it has 16 (x86
     * without AVX-512, or -XX:UseAVX=2). With 16, C2 spilled 8 of 6×3's accumulators to the stack inside the k loop
     * (and 2 of 6×2's: it hoists several broadcasts and keeps a pointer in a vector register); 4×2 leaves room.
     * -Dpeft4j.cpu.gemmKernel=6x3|4x2 overrides the choice.
     */
    static final String SHAPE = kernelShape();
    static final int MR = SHAPE.charAt(0) - '0';
    static final int NV = SHAPE.charAt(2) - '0';
    static final int NR = Simd.SCALAR ? 16 : NV * L;
    static final int MR_NARROW = 12;
    static final int NR_NARROW = Simd.SCALAR ? 16 : L;
    /** Largest k block; k is split into ⌈k/KC⌉ equal blocks, so k = 384 + r (LoRA's augmented k) is one pass. */
    static final int KC = Integer.getInteger("peft4j.cpu.kc", GemmBlocking.kc(NR));
    /** Rows of A packed per block (a multiple of MR, the packed MC × KC block stays in L2). */
    static final int MC = Integer.getInteger("peft4j.cpu.mc", GemmBlocking.mc(MR, KC));
    /** Columns of B packed per block (a multiple of NR, the packed KC × NC panel stays in the L3 share). */
    static final int NC = Math.max(NR, Integer.getInteger("peft4j.cpu.nc", GemmBlocking.nc(NR, KC)) / NR * NR);

    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final int FIRST = 0;
    private static final int ACCUMULATE = 1;

    /**
     * Whether the 6×3 kernel's B panels lie off the heap, cache-line aligned ({@link #PANEL_ALIGNMENT}). B is read
     * as whole vectors on every k step; a Java array lies wherever the heap put it (8-byte aligned), so its 64-byte
     * loads crossed cache lines in some JVMs and not in others, and the AVX-512 GEMM ran 3–9 % slower there. The
     * 4×2 kernel keeps heap panels: with 16 vector registers C2 compiled its segment loads 30 % slower.
     */
    static final boolean ALIGNED_PANELS = MR == 6 && !Simd.SCALAR;
    static final long PANEL_ALIGNMENT = 64;

    /** One set of GEMM scratch; its off-heap panel is freed by {@link #close} (the pool does it, see WorkerPool). */
    private static final class Buffers implements AutoCloseable {
        /** Owns {@link #alignedB}: shared, since the pool may free a set from another thread than its user. */
        private final Arena arena = ALIGNED_PANELS ? Arena.ofShared() : null;
        final float[] a = new float[Math.max(MC, MR_NARROW * 10) * KC];
        /** Packed B panel, KC × NC floats, on the heap (4×2 and scalar kernels), else null. */
        final float[] b = ALIGNED_PANELS ? null : new float[KC * NC];
        /** Packed B panel, KC × NC floats, off the heap and aligned (6×3 kernel), else null. */
        final MemorySegment alignedB = arena != null ? arena.allocate(4L * KC * NC, PANEL_ALIGNMENT) : null;
        /** One strip of B: a narrow product's whole B, or a strip on its way into {@link #alignedB}. */
        final float[] strip = new float[KC * Math.max(NR, NR_NARROW)];
        final float[] tile = new float[Math.max(MR * NR, MR_NARROW * NR_NARROW)];
        /** Rows of an off-heap A block copied out row-major for the in-place kernel path; made on first use. */
        float[] rows;

        float[] rows() {
            if (rows == null) {
                rows = new float[Math.max(MC, MR_NARROW * 10) * KC];
            }
            return rows;
        }

        @Override
        public void close() {
            if (arena != null) {
                arena.close();
            }
        }
    }

    /** Packing panels and the edge tile: one set per worker, and a bounded few for calling threads. */
    static final ScratchKind<Buffers> BUFFERS = new ScratchKind<>("GEMM packing buffers", Buffers::new);

    private Sgemm() {}

    /**
     * Bytes of one scratch set: packed A and B panels (B on or off the heap), a B strip, the edge tile, the off-heap
     * A rows when used.
     */
    static long scratchBytes() {
        return 4L * (2L * Math.max(MC, MR_NARROW * 10) * KC + (long) KC * NC + (long) KC * Math.max(NR, NR_NARROW)
                + Math.max(MR * NR, MR_NARROW * NR_NARROW));
    }

    /** Epilogue of the first k block: C = acc + β·C (C unread when β = 0) + biasScale·bias[j]. */
    record Epilogue(float beta, float[] bias, int biasOffset, float biasScale) {
        static final Epilogue OVERWRITE = new Epilogue(0f, null, 0, 0f);

        static Epilogue beta(float beta) {
            return beta == 0f ? OVERWRITE : new Epilogue(beta, null, 0, 0f);
        }
    }

    /** Depth of each k block: k split into ⌈k/KC⌉ equal blocks (the last may be shorter). */
    static int kBlock(int k) {
        int kBlocks = (k + KC - 1) / KC;
        return (k + kBlocks - 1) / kBlocks;
    }

    /** C (row-major, leading dimension ldc, from cOff) = a·b per the epilogue; runs on the pool. */
    static void gemm(WorkerPool pool, int m, int n, GemmOperand a, GemmOperand b,
                     float[] c, int cOff, int ldc, Epilogue ep) {
        gemm(pool, m, n, a, b, null, c, cOff, ldc, ep);
    }

    /**
     * C given as host floats (a Java array, or an off-heap segment written in place by the tile stores), from
     * its element 0; otherwise as {@link #gemm(WorkerPool, int, int, GemmOperand, GemmOperand, PackedWeight,
     * float[], int, int, Epilogue)}.
     */
    static void gemm(WorkerPool pool, int m, int n, GemmOperand a, GemmOperand b, PackedWeight packedB,
                     HostFloats c, int ldc, Epilogue ep) {
        switch (c) {
            case HostFloats.InArray arr -> gemm(pool, m, n, a, b, packedB, arr.array(), null, arr.offset(), ldc, ep);
            case HostFloats.InSegment seg -> gemm(pool, m, n, a, b, packedB, null, seg.segment(), 0, ldc, ep);
        }
    }

    /**
     * As {@link #gemm(WorkerPool, int, int, GemmOperand, GemmOperand, float[], int, int, Epilogue)}; when
     * {@code packedB} is given (it must hold b's panels: {@link PackedWeight} of the same matrix), its panels are
     * read instead of packing b.
     */
    static void gemm(WorkerPool pool, int m, int n, GemmOperand a, GemmOperand b, PackedWeight packedB,
                     float[] c, int cOff, int ldc, Epilogue ep) {
        gemm(pool, m, n, a, b, packedB, c, null, cOff, ldc, ep);
    }

    /** The one implementation: C in the array c or (c null) in the off-heap segment cs, element 0 at cOff. */
    private static void gemm(WorkerPool pool, int m, int n, GemmOperand a, GemmOperand b, PackedWeight packedB,
                             float[] c, MemorySegment cs, int cOff, int ldc, Epilogue ep) {
        if (a.k() != b.k()) {
            throw new IllegalArgumentException("GEMM operands disagree on k: " + a.k() + " vs " + b.k());
        }
        if (m == 0 || n == 0) {
            return;
        }
        int k = a.k();
        if (k == 0) {
            epilogueOnly(m, n, c, cs, cOff, ldc, ep);
            return;
        }
        boolean narrow = n <= NR_NARROW;
        PackedWeight pb = narrow || packedB == null || packedB.out != n || packedB.in != k ? null : packedB;
        int mr = narrow ? MR_NARROW : MR;
        int nr = narrow ? NR_NARROW : NR;
        long work = (long) m * n * k;
        int threads = work < (1L << 21) ? 1 : pool.threads();
        boolean rowsSplit = m >= 2 * mr * threads;
        boolean columnsSplit = n >= 2 * nr * threads;
        if (threads > 1 && rowsSplit && !(columnsSplit && packsLessByColumns(m, n, a, pb != null, threads))) {
            int strips = (m + mr - 1) / mr;
            pool.parallelFor(threads, t -> {
                int m0 = Math.min(m, strips * t / threads * mr);
                int m1 = Math.min(m, strips * (t + 1) / threads * mr);
                block(pool, m0, m1, 0, n, a, b, pb, c, cs, cOff, ldc, ep, narrow);
            });
        } else if (threads > 1 && columnsSplit) {
            int strips = (n + nr - 1) / nr;
            pool.parallelFor(threads, t -> {
                int n0 = Math.min(n, strips * t / threads * nr);
                int n1 = Math.min(n, strips * (t + 1) / threads * nr);
                block(pool, 0, m, n0, n1, a, b, pb, c, cs, cOff, ldc, ep, narrow);
            });
        } else {
            block(pool, 0, m, 0, n, a, b, pb, c, cs, cOff, ldc, ep, narrow);
        }
    }

    /**
     * Whether splitting the columns among the threads packs fewer floats per thread than splitting the rows. By
     * rows, each thread packs all of B (k·n; nothing when prepared) and its share of A's packed part; by columns,
     * its share of B and all of A's packed part. A's plain leading rows (x in x·Wᵀ) are read in place, not packed,
     * so for y = x Wᵀ columns win: 2–4 % faster at 2 threads on MiniLM's larger shapes (alternated pairs).
     */
    static boolean packsLessByColumns(int m, int n, GemmOperand a, boolean bPrepared, int threads) {
        int k = a.k();
        GemmOperand.Segment lead = directLead(a);
        int inPlace = lead == null || lead.nat() != null ? 0 : lead.kLength(); // an off-heap lead is copied out
        long bFloats = bPrepared ? 0 : (long) k * n;
        long aFloats = (long) (k - inPlace) * m;
        return bFloats / threads + aFloats < bFloats + aFloats / threads;
    }

    /** A's plain leading segment, which the vector kernels read in place instead of packing; null if none. */
    private static GemmOperand.Segment directLead(GemmOperand a) {
        return Simd.SCALAR ? null : a.plainLead();
    }

    private static void block(WorkerPool pool, int m0, int m1, int n0, int n1, GemmOperand a, GemmOperand b,
                              PackedWeight pb, float[] c, MemorySegment cs, int cOff, int ldc, Epilogue ep,
                              boolean narrow) {
        if (m0 >= m1 || n0 >= n1) {
            return;
        }
        Buffers buf = pool.acquire(BUFFERS);
        try {
            block(buf, m0, m1, n0, n1, a, b, pb, c, cs, cOff, ldc, ep, narrow);
        } finally {
            pool.release(BUFFERS, buf);
        }
    }

    private static void block(Buffers buf, int m0, int m1, int n0, int n1, GemmOperand a, GemmOperand b,
                              PackedWeight pb, float[] c, MemorySegment cs, int cOff, int ldc, Epilogue ep,
                              boolean narrow) {
        int mr = narrow ? MR_NARROW : MR;
        int nr = narrow ? NR_NARROW : NR;
        int mcMax = narrow ? MR_NARROW * 10 : MC;
        int k = a.k();
        GemmOperand.Segment direct = directLead(a);
        // an off-heap leading A: each row block's direct k steps are copied out row-major (bulk), then read in place
        boolean copied = direct != null && direct.nat() != null;
        for (int jc = n0; jc < n1; jc += NC) {
            int nc = Math.min(NC, n1 - jc);
            int kcEven = kBlock(k);
            for (int pc = 0; pc < k; pc += kcEven) {
                int kc = Math.min(kcEven, k - pc);
                // k steps of this block read in place from the plain leading segment; the rest are packed
                int kd = direct == null ? 0 : Math.max(0, Math.min(kc, direct.kLength() - pc));
                // B's panels for columns [jc, jc+nc): packed now, or read from the weight packed beforehand
                // (a narrow product has one strip and is never prepared; the 6×3 kernel reads the aligned panels)
                float[] bp = narrow ? buf.strip : buf.b;
                MemorySegment bs = buf.alignedB;
                int b0 = 0;
                if (pb != null) {
                    bp = pb.panels;
                    bs = pb.alignedPanels;
                    b0 = pb.strip(pc, kc, jc);
                } else if (narrow) {
                    b.pack(jc, nc, nr, pc, kc, bp, 0);
                } else {
                    for (int js = 0; js < nc; js += nr) {
                        if (bs == null) {
                            b.pack(jc + js, Math.min(nr, nc - js), nr, pc, kc, bp, js * kc);
                        } else {
                            b.pack(jc + js, Math.min(nr, nc - js), nr, pc, kc, buf.strip, 0);
                            MemorySegment.copy(buf.strip, 0, bs, HostFloats.FLOAT, 4L * js * kc, nr * kc);
                        }
                    }
                }
                int mode = pc == 0 ? FIRST : ACCUMULATE;
                for (int ic = m0; ic < m1; ic += mcMax) {
                    int mc = Math.min(mcMax, m1 - ic);
                    // where the direct k steps of full strips are read: A's rows in place, or their copy
                    float[] ad = null;
                    int adBase = 0, rs = 0;
                    if (kd > 0 && copied) {
                        ad = buf.rows();
                        rs = kd;
                        GemmOperand.copyRows(direct, ic, mc / mr * mr, pc, kd, ad);
                    } else if (kd > 0) {
                        ad = direct.data();
                        rs = direct.outerStride();
                        adBase = direct.offset() + ic * rs + pc;
                    }
                    for (int is = 0; is < mc; is += mr) {
                        int skip = mc - is < mr ? 0 : kd;
                        a.pack(ic + is, Math.min(mr, mc - is), mr, pc + skip, kc - skip, buf.a, is * kc);
                    }
                    for (int js = 0; js < nc; js += nr) {
                        int cols = Math.min(nr, nc - js);
                        for (int is = 0; is < mc; is += mr) {
                            int rows = Math.min(mr, mc - is);
                            if (Simd.SCALAR) {
                                scalarKernel(buf.a, is * kc, bp, b0 + js * kc, kc, mr, nr, buf.tile);
                            } else if (narrow && kd > 0 && rows == mr) {
                                kernel12x1(ad, adBase + is * rs, rs, kd, buf.a, is * kc, bp, b0 + js * kc, kc, buf.tile);
                            } else if (narrow) {
                                kernel12x1(buf.a, 0, 0, 0, buf.a, is * kc, bp, b0 + js * kc, kc, buf.tile);
                            } else if (ALIGNED_PANELS && kd > 0 && rows == mr) {
                                kernel6x3(ad, adBase + is * rs, rs, kd, buf.a, is * kc, bs, b0 + js * kc, kc, buf.tile);
                            } else if (ALIGNED_PANELS) {
                                kernel6x3(buf.a, 0, 0, 0, buf.a, is * kc, bs, b0 + js * kc, kc, buf.tile);
                            } else if (kd > 0 && rows == mr) {
                                kernel4x2(ad, adBase + is * rs, rs, kd, buf.a, is * kc, bp, b0 + js * kc, kc, buf.tile);
                            } else {
                                kernel4x2(buf.a, 0, 0, 0, buf.a, is * kc, bp, b0 + js * kc, kc, buf.tile);
                            }
                            int cBase = cOff + (ic + is) * ldc + jc + js;
                            if (cs == null) {
                                store(buf.tile, nr, rows, cols, c, cBase, ldc, mode, ep, jc + js);
                            } else {
                                storeNative(buf.tile, nr, rows, cols, cs, cBase, ldc, mode, ep, jc + js);
                            }
                        }
                    }
                }
            }
        }
    }

    /** The shape property if set (validated), else 6×3 with 32 vector registers and 4×2 with 16. */
    private static String kernelShape() {
        String s = System.getProperty("peft4j.cpu.gemmKernel");
        if (s != null) {
            if (!s.equals("6x3") && !s.equals("4x2")) {
                throw new IllegalArgumentException("-Dpeft4j.cpu.gemmKernel=" + s + ": expected 6x3 or 4x2");
            }
            return s;
        }
        return vectorRegisters() >= 32 ? "6x3" : "4x2";
    }

    /**
     * Vector registers C2 can allocate: 16 on x86 without AVX-512 (ymm0–15; also an AVX-512 CPU under
     * -XX:UseAVX=2), 32 with AVX-512 (zmm0–31, also usable at 256 bits) and on AArch64.
     */
    static int vectorRegisters() {
        String arch = System.getProperty("os.arch");
        boolean x86 = arch.equals("amd64") || arch.equals("x86_64") || arch.equals("x86");
        return x86 && VectorWidth.preferredBits() < 512 ? 16 : 32;
    }

    /**
     * tile[r·nr + j] = Σ_p A(r,p)·B(p,j), nr = 3 vectors, with 18 accumulators; B(p,j) is float bOff + p·nr + j
     * of the (aligned, off-heap) panel bp. Steps p &lt; kd read A in place from a plain row-major matrix,
     * A(r,p) = ad[adOff + r·rs + p] (no packing); steps kd ≤ p &lt; kc read the packed strip,
     * A(r,p) = ap[apOff + (p − kd)·6 + r].
     */
    static void kernel6x3(float[] ad, int adOff, int rs, int kd, float[] ap, int apOff,
                          MemorySegment bp, long bOff, int kc, float[] tile) {
        final int nr = 3 * L; // strip width of this shape (= NR when it is the chosen one)
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00;
        FloatVector c40 = c00, c41 = c00, c42 = c00;
        FloatVector c50 = c00, c51 = c00, c52 = c00;
        int a0 = adOff, a1 = adOff + rs, a2 = adOff + 2 * rs, a3 = adOff + 3 * rs, a4 = adOff + 4 * rs, a5 = adOff + 5 * rs;
        long bBase = 4 * bOff; // bytes: B(p, ·) starts at bBase + p·(4·nr)
        for (int p = 0; p < kd; p++) {
            long bi = bBase + p * (4L * nr);
            FloatVector b0 = FloatVector.fromMemorySegment(S, bp, bi, NATIVE);
            FloatVector b1 = FloatVector.fromMemorySegment(S, bp, bi + 4L * L, NATIVE);
            FloatVector b2 = FloatVector.fromMemorySegment(S, bp, bi + 8L * L, NATIVE);
            FloatVector a = FloatVector.broadcast(S, ad[a0 + p]);
            c00 = b0.fma(a, c00); c01 = b1.fma(a, c01); c02 = b2.fma(a, c02);
            a = FloatVector.broadcast(S, ad[a1 + p]);
            c10 = b0.fma(a, c10); c11 = b1.fma(a, c11); c12 = b2.fma(a, c12);
            a = FloatVector.broadcast(S, ad[a2 + p]);
            c20 = b0.fma(a, c20); c21 = b1.fma(a, c21); c22 = b2.fma(a, c22);
            a = FloatVector.broadcast(S, ad[a3 + p]);
            c30 = b0.fma(a, c30); c31 = b1.fma(a, c31); c32 = b2.fma(a, c32);
            a = FloatVector.broadcast(S, ad[a4 + p]);
            c40 = b0.fma(a, c40); c41 = b1.fma(a, c41); c42 = b2.fma(a, c42);
            a = FloatVector.broadcast(S, ad[a5 + p]);
            c50 = b0.fma(a, c50); c51 = b1.fma(a, c51); c52 = b2.fma(a, c52);
        }
        for (int p = kd, ai = apOff; p < kc; p++, ai += 6) {
            long bi = bBase + p * (4L * nr);
            FloatVector b0 = FloatVector.fromMemorySegment(S, bp, bi, NATIVE);
            FloatVector b1 = FloatVector.fromMemorySegment(S, bp, bi + 4L * L, NATIVE);
            FloatVector b2 = FloatVector.fromMemorySegment(S, bp, bi + 8L * L, NATIVE);
            FloatVector a = FloatVector.broadcast(S, ap[ai]);
            c00 = b0.fma(a, c00); c01 = b1.fma(a, c01); c02 = b2.fma(a, c02);
            a = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = b0.fma(a, c10); c11 = b1.fma(a, c11); c12 = b2.fma(a, c12);
            a = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = b0.fma(a, c20); c21 = b1.fma(a, c21); c22 = b2.fma(a, c22);
            a = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = b0.fma(a, c30); c31 = b1.fma(a, c31); c32 = b2.fma(a, c32);
            a = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = b0.fma(a, c40); c41 = b1.fma(a, c41); c42 = b2.fma(a, c42);
            a = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = b0.fma(a, c50); c51 = b1.fma(a, c51); c52 = b2.fma(a, c52);
        }
        c00.intoArray(tile, 0); c01.intoArray(tile, L); c02.intoArray(tile, 2 * L);
        c10.intoArray(tile, nr); c11.intoArray(tile, nr + L); c12.intoArray(tile, nr + 2 * L);
        c20.intoArray(tile, 2 * nr); c21.intoArray(tile, 2 * nr + L); c22.intoArray(tile, 2 * nr + 2 * L);
        c30.intoArray(tile, 3 * nr); c31.intoArray(tile, 3 * nr + L); c32.intoArray(tile, 3 * nr + 2 * L);
        c40.intoArray(tile, 4 * nr); c41.intoArray(tile, 4 * nr + L); c42.intoArray(tile, 4 * nr + 2 * L);
        c50.intoArray(tile, 5 * nr); c51.intoArray(tile, 5 * nr + L); c52.intoArray(tile, 5 * nr + 2 * L);
    }

    /** As {@link #kernel6x3} for 4 rows × 2 vectors (nr = 2 vectors, packed A strips of 4 rows): 8 accumulators. */
    static void kernel4x2(float[] ad, int adOff, int rs, int kd, float[] ap, int apOff,
                          float[] bp, int bOff, int kc, float[] tile) {
        final int nr = 2 * L; // strip width of this shape (= NR when it is the chosen one)
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00;
        FloatVector c31 = c00;
        int a0 = adOff, a1 = adOff + rs, a2 = adOff + 2 * rs, a3 = adOff + 3 * rs;
        int bi = bOff;
        for (int p = 0; p < kd; p++, bi += nr) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector a = FloatVector.broadcast(S, ad[a0 + p]);
            c00 = b0.fma(a, c00); c01 = b1.fma(a, c01);
            a = FloatVector.broadcast(S, ad[a1 + p]);
            c10 = b0.fma(a, c10); c11 = b1.fma(a, c11);
            a = FloatVector.broadcast(S, ad[a2 + p]);
            c20 = b0.fma(a, c20); c21 = b1.fma(a, c21);
            a = FloatVector.broadcast(S, ad[a3 + p]);
            c30 = b0.fma(a, c30); c31 = b1.fma(a, c31);
        }
        for (int p = kd, ai = apOff; p < kc; p++, ai += 4, bi += nr) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector a = FloatVector.broadcast(S, ap[ai]);
            c00 = b0.fma(a, c00); c01 = b1.fma(a, c01);
            a = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = b0.fma(a, c10); c11 = b1.fma(a, c11);
            a = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = b0.fma(a, c20); c21 = b1.fma(a, c21);
            a = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = b0.fma(a, c30); c31 = b1.fma(a, c31);
        }
        c00.intoArray(tile, 0); c01.intoArray(tile, L);
        c10.intoArray(tile, nr); c11.intoArray(tile, nr + L);
        c20.intoArray(tile, 2 * nr); c21.intoArray(tile, 2 * nr + L);
        c30.intoArray(tile, 3 * nr); c31.intoArray(tile, 3 * nr + L);
    }

    /**
     * tile[r·L + j] for 12 rows × one vector: the kernel of rank-r products (n ≤ one vector). Steps p &lt; kd read A
     * in place, ad[adOff + r·rs + p]; the rest read the packed strip ap[apOff + (p − kd)·12 + r].
     */
    private static void kernel12x1(float[] ad, int adOff, int rs, int kd, float[] ap, int apOff,
                                   float[] bp, int bOff, int kc, float[] tile) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        FloatVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        int bi = bOff;
        if (kd > 0) {
            int a0 = adOff, a1 = a0 + rs, a2 = a1 + rs, a3 = a2 + rs, a4 = a3 + rs, a5 = a4 + rs;
            int a6 = a5 + rs, a7 = a6 + rs, a8 = a7 + rs, a9 = a8 + rs, a10 = a9 + rs, a11 = a10 + rs;
            for (int p = 0; p < kd; p++, bi += L) {
                FloatVector b = FloatVector.fromArray(S, bp, bi);
                c0 = b.fma(FloatVector.broadcast(S, ad[a0 + p]), c0); c1 = b.fma(FloatVector.broadcast(S, ad[a1 + p]), c1);
                c2 = b.fma(FloatVector.broadcast(S, ad[a2 + p]), c2); c3 = b.fma(FloatVector.broadcast(S, ad[a3 + p]), c3);
                c4 = b.fma(FloatVector.broadcast(S, ad[a4 + p]), c4); c5 = b.fma(FloatVector.broadcast(S, ad[a5 + p]), c5);
                c6 = b.fma(FloatVector.broadcast(S, ad[a6 + p]), c6); c7 = b.fma(FloatVector.broadcast(S, ad[a7 + p]), c7);
                c8 = b.fma(FloatVector.broadcast(S, ad[a8 + p]), c8); c9 = b.fma(FloatVector.broadcast(S, ad[a9 + p]), c9);
                c10 = b.fma(FloatVector.broadcast(S, ad[a10 + p]), c10); c11 = b.fma(FloatVector.broadcast(S, ad[a11 + p]), c11);
            }
        }
        for (int p = kd, ai = apOff; p < kc; p++, ai += MR_NARROW, bi += L) {
            FloatVector b = FloatVector.fromArray(S, bp, bi);
            c0 = b.fma(FloatVector.broadcast(S, ap[ai]), c0); c1 = b.fma(FloatVector.broadcast(S, ap[ai + 1]), c1); c2 = b.fma(FloatVector.broadcast(S, ap[ai + 2]), c2);
            c3 = b.fma(FloatVector.broadcast(S, ap[ai + 3]), c3); c4 = b.fma(FloatVector.broadcast(S, ap[ai + 4]), c4); c5 = b.fma(FloatVector.broadcast(S, ap[ai + 5]), c5);
            c6 = b.fma(FloatVector.broadcast(S, ap[ai + 6]), c6); c7 = b.fma(FloatVector.broadcast(S, ap[ai + 7]), c7); c8 = b.fma(FloatVector.broadcast(S, ap[ai + 8]), c8);
            c9 = b.fma(FloatVector.broadcast(S, ap[ai + 9]), c9); c10 = b.fma(FloatVector.broadcast(S, ap[ai + 10]), c10); c11 = b.fma(FloatVector.broadcast(S, ap[ai + 11]), c11);
        }
        c0.intoArray(tile, 0); c1.intoArray(tile, L); c2.intoArray(tile, 2 * L); c3.intoArray(tile, 3 * L);
        c4.intoArray(tile, 4 * L); c5.intoArray(tile, 5 * L); c6.intoArray(tile, 6 * L); c7.intoArray(tile, 7 * L);
        c8.intoArray(tile, 8 * L); c9.intoArray(tile, 9 * L); c10.intoArray(tile, 10 * L); c11.intoArray(tile, 11 * L);
    }

    /** The vectorBits=0 comparison path: the same packed panels, plain loops. */
    private static void scalarKernel(float[] ap, int aOff, float[] bp, int bOff, int kc, int mr, int nr, float[] tile) {
        java.util.Arrays.fill(tile, 0, mr * nr, 0f);
        for (int p = 0; p < kc; p++) {
            for (int r = 0; r < mr; r++) {
                float a = ap[aOff + p * mr + r];
                int t = r * nr;
                int bi = bOff + p * nr;
                for (int j = 0; j < nr; j++) {
                    tile[t + j] += a * bp[bi + j];
                }
            }
        }
    }

    /** Writes rows×cols of the tile (row stride nr) into C: first k block per the epilogue, later ones add. */
    private static void store(float[] tile, int nr, int rows, int cols, float[] c, int cBase, int ldc,
                              int mode, Epilogue ep, int col0) {
        float beta = ep.beta();
        float[] bias = ep.bias();
        int biasBase = ep.biasOffset() + col0;
        float bs = ep.biasScale();
        for (int r = 0; r < rows; r++) {
            int t = r * nr;
            int co = cBase + r * ldc;
            int j = 0;
            if (!Simd.SCALAR) {
                // full vectors unmasked: masked loads and stores are emulated on AVX2 (vmaskmov, slow on AMD)
                for (; j + L <= cols; j += L) {
                    FloatVector acc = FloatVector.fromArray(S, tile, t + j);
                    if (mode == ACCUMULATE) {
                        acc = acc.add(FloatVector.fromArray(S, c, co + j));
                    } else {
                        if (beta != 0f) {
                            acc = FloatVector.fromArray(S, c, co + j).fma(FloatVector.broadcast(S, beta), acc);
                        }
                        if (bias != null) {
                            acc = FloatVector.fromArray(S, bias, biasBase + j).fma(FloatVector.broadcast(S, bs), acc);
                        }
                    }
                    acc.intoArray(c, co + j);
                }
                if (j < cols) { // the masked tail
                    VectorMask<Float> mask = S.indexInRange(j, cols);
                    FloatVector acc = FloatVector.fromArray(S, tile, t + j);
                    if (mode == ACCUMULATE) {
                        acc = acc.add(FloatVector.fromArray(S, c, co + j, mask));
                    } else {
                        if (beta != 0f) {
                            acc = FloatVector.fromArray(S, c, co + j, mask).fma(FloatVector.broadcast(S, beta), acc);
                        }
                        if (bias != null) {
                            acc = FloatVector.fromArray(S, bias, biasBase + j, mask).fma(FloatVector.broadcast(S, bs), acc);
                        }
                    }
                    acc.intoArray(c, co + j, mask);
                }
            } else {
                for (; j < cols; j++) {
                    float v = tile[t + j];
                    if (mode == ACCUMULATE) {
                        v += c[co + j];
                    } else {
                        if (beta != 0f) {
                            v += beta * c[co + j];
                        }
                        if (bias != null) {
                            v += bs * bias[biasBase + j];
                        }
                    }
                    c[co + j] = v;
                }
            }
        }
    }

    /**
     * {@link #store} into an off-heap C (element i at byte 4·i): the same arithmetic in the same order, so the
     * results are bit for bit those of an array C.
     */
    private static void storeNative(float[] tile, int nr, int rows, int cols, MemorySegment c, long cBase, int ldc,
                                    int mode, Epilogue ep, int col0) {
        float beta = ep.beta();
        float[] bias = ep.bias();
        int biasBase = ep.biasOffset() + col0;
        float bs = ep.biasScale();
        for (int r = 0; r < rows; r++) {
            int t = r * nr;
            long co = cBase + (long) r * ldc;
            int j = 0;
            if (!Simd.SCALAR) {
                for (; j + L <= cols; j += L) { // full vectors unmasked
                    long at = 4 * (co + j);
                    FloatVector acc = FloatVector.fromArray(S, tile, t + j);
                    if (mode == ACCUMULATE) {
                        acc = acc.add(FloatVector.fromMemorySegment(S, c, at, NATIVE));
                    } else {
                        if (beta != 0f) {
                            acc = FloatVector.fromMemorySegment(S, c, at, NATIVE).fma(FloatVector.broadcast(S, beta), acc);
                        }
                        if (bias != null) {
                            acc = FloatVector.fromArray(S, bias, biasBase + j).fma(FloatVector.broadcast(S, bs), acc);
                        }
                    }
                    acc.intoMemorySegment(c, at, NATIVE);
                }
                if (j < cols) { // the masked tail
                    VectorMask<Float> mask = S.indexInRange(j, cols);
                    long at = 4 * (co + j);
                    FloatVector acc = FloatVector.fromArray(S, tile, t + j);
                    if (mode == ACCUMULATE) {
                        acc = acc.add(FloatVector.fromMemorySegment(S, c, at, NATIVE, mask));
                    } else {
                        if (beta != 0f) {
                            acc = FloatVector.fromMemorySegment(S, c, at, NATIVE, mask).fma(FloatVector.broadcast(S, beta), acc);
                        }
                        if (bias != null) {
                            acc = FloatVector.fromArray(S, bias, biasBase + j, mask).fma(FloatVector.broadcast(S, bs), acc);
                        }
                    }
                    acc.intoMemorySegment(c, at, NATIVE, mask);
                }
            } else {
                for (; j < cols; j++) {
                    float v = tile[t + j];
                    long at = co + j;
                    if (mode == ACCUMULATE) {
                        v += c.getAtIndex(HostFloats.FLOAT, at);
                    } else {
                        if (beta != 0f) {
                            v += beta * c.getAtIndex(HostFloats.FLOAT, at);
                        }
                        if (bias != null) {
                            v += bs * bias[biasBase + j];
                        }
                    }
                    c.setAtIndex(HostFloats.FLOAT, at, v);
                }
            }
        }
    }

    private static void epilogueOnly(int m, int n, float[] c, MemorySegment cs, int cOff, int ldc, Epilogue ep) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int idx = cOff + i * ldc + j;
                float old = ep.beta() == 0f ? 0f : cs == null ? c[idx] : cs.getAtIndex(HostFloats.FLOAT, idx);
                float v = ep.beta() == 0f ? 0f : ep.beta() * old;
                if (ep.bias() != null) {
                    v += ep.biasScale() * ep.bias()[ep.biasOffset() + j];
                }
                if (cs == null) {
                    c[idx] = v;
                } else {
                    cs.setAtIndex(HostFloats.FLOAT, idx, v);
                }
            }
        }
    }
}
