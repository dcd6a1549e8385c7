package dev.peft4j.cuda;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * The JavaCPP binding of {@code native/include/peft4j.h}, one method per C function, same names and
 * argument order. Device pointers are {@link Pointer}s whose address is a device address (never dereferenced
 * on the host); host arrays are {@code float[]}. Every method returns a peft4j status; {@link CudaStatus}
 * turns it into an exception. Load the library through {@link NativeLibrary} before calling any method.
 *
 * <p>The build generates the JNI glue {@code libjniPeft4jNative.so} from this class (JavaCPP Builder) and
 * links it against {@code libpeft4j_cuda.so}; both sit in {@code dev/peft4j/cuda/linux-x86_64/}.
 */
@Platform(include = "peft4j.h", link = "peft4j_cuda")
public final class Peft4jNative {
    /** Status codes of peft4j.h. */
    public static final int PEFT4J_OK = 0;
    public static final int PEFT4J_ERROR_NULL_POINTER = 1;
    public static final int PEFT4J_ERROR_NEGATIVE_SIZE = 2;
    public static final int PEFT4J_ERROR_RANK = 3;
    public static final int PEFT4J_ERROR_TOO_LARGE = 4;
    public static final int PEFT4J_ERROR_NO_DRIVER = 5;
    public static final int PEFT4J_ERROR_OVERFLOW = 6;
    public static final int PEFT4J_ERROR_ZERO_WIDTH = 7;
    public static final int PEFT4J_ERROR_ACTIVATION = 8;
    public static final int PEFT4J_ERROR_NOT_FINITE = 9;
    public static final int PEFT4J_ERROR_OUT_OF_RANGE = 10;
    public static final int PEFT4J_ERROR_STEP = 11;
    public static final int PEFT4J_ERROR_CUDA_BASE = 1000;

    /** Cross-entropy targets equal to this are ignored; the same value as {@link dev.peft4j.backend.Backend#IGNORE_INDEX}. */
    public static final int PEFT4J_IGNORE_INDEX = -100;

    /** Activation codes of peft4j.h: the ordinals of {@link dev.peft4j.backend.Activation}. */
    public static final int PEFT4J_ACTIVATION_IDENTITY = 0;
    public static final int PEFT4J_ACTIVATION_RELU = 1;
    public static final int PEFT4J_ACTIVATION_GELU = 2;
    public static final int PEFT4J_ACTIVATION_GELU_TANH = 3;
    public static final int PEFT4J_ACTIVATION_SWISH = 4;
    public static final int PEFT4J_ACTIVATION_TANH = 5;

    /** Floats of peft4j_clip_grad_norm's partials workspace per tensor. */
    public static final int PEFT4J_GRAD_NORM_PARTIALS_PER_TENSOR = 128;

    private Peft4jNative() {}

    public static native @Cast("const char*") BytePointer peft4j_status_string(int status);

    public static native int peft4j_device_count(IntPointer count);

    public static native int peft4j_device_alloc(@Cast("float**") PointerPointer<?> ptr, long count);

    public static native int peft4j_device_free(@Cast("float*") Pointer ptr);

    public static native int peft4j_copy_to_device(@Cast("float*") Pointer deviceDst, @Const float[] hostSrc, long count);

    public static native int peft4j_copy_to_host(float[] hostDst, @Cast("const float*") Pointer deviceSrc, long count);

    /** Raw bytes to the device: int32 targets. */
    public static native int peft4j_copy_bytes_to_device(@Cast("void*") Pointer deviceDst, @Cast("const void*") int[] hostSrc,
                                                         long bytes);

    /** Raw bytes to the device: arrays of device addresses and int64 sizes. */
    public static native int peft4j_copy_bytes_to_device(@Cast("void*") Pointer deviceDst, @Cast("const void*") long[] hostSrc,
                                                         long bytes);

    public static native int peft4j_synchronize(Pointer stream);

    public static native int peft4j_lora_forward(@Cast("const float*") Pointer x, @Cast("const float*") Pointer w,
                                                 @Cast("const float*") Pointer bias, @Cast("const float*") Pointer a,
                                                 @Cast("const float*") Pointer b, float s,
                                                 @Cast("const float*") Pointer dropMask,
                                                 @Cast("float*") Pointer y, @Cast("float*") Pointer u,
                                                 long n, long in, long out, long r, Pointer stream);

    public static native int peft4j_layer_norm_forward(@Cast("const float*") Pointer x, @Cast("const float*") Pointer gamma,
                                                       @Cast("const float*") Pointer beta, float eps,
                                                       @Cast("float*") Pointer y, @Cast("float*") Pointer mean,
                                                       @Cast("float*") Pointer rstd, long rows, long dim, Pointer stream);

    public static native int peft4j_layer_norm_backward(@Cast("const float*") Pointer dy, @Cast("const float*") Pointer x,
                                                        @Cast("const float*") Pointer gamma,
                                                        @Cast("const float*") Pointer mean,
                                                        @Cast("const float*") Pointer rstd, @Cast("float*") Pointer dx,
                                                        @Cast("float*") Pointer dgamma, @Cast("float*") Pointer dbeta,
                                                        long rows, long dim, Pointer stream);

    public static native int peft4j_activation_forward(int activation, @Cast("const float*") Pointer x,
                                                       @Cast("float*") Pointer y, long count, Pointer stream);

    public static native int peft4j_activation_backward(int activation, @Cast("const float*") Pointer dy,
                                                        @Cast("const float*") Pointer x, @Cast("float*") Pointer dx,
                                                        long count, Pointer stream);

    public static native int peft4j_softmax_forward(@Cast("const float*") Pointer x, @Cast("float*") Pointer y, long rows,
                                                    long cols, Pointer stream);

    public static native int peft4j_softmax_backward(@Cast("const float*") Pointer dy, @Cast("const float*") Pointer y,
                                                     @Cast("float*") Pointer dx, long rows, long cols, Pointer stream);

    public static native int peft4j_cross_entropy_forward(@Cast("const float*") Pointer logits,
                                                          @Cast("const int32_t*") Pointer targets,
                                                          @Cast("float*") Pointer probs, @Cast("float*") Pointer rowLoss,
                                                          @Cast("float*") Pointer loss, long n, long c, Pointer stream);

    public static native int peft4j_cross_entropy_backward(@Cast("const float*") Pointer probs,
                                                           @Cast("const int32_t*") Pointer targets, float scale,
                                                           @Cast("float*") Pointer dlogits, long n, long c, Pointer stream);

    /** params, grads, m, v: device arrays of device pointers; sizes: a device array of int64 counts. */
    public static native int peft4j_adamw(@Cast("float* const*") Pointer params, @Cast("const float* const*") Pointer grads,
                                          @Cast("float* const*") Pointer m, @Cast("float* const*") Pointer v,
                                          @Cast("const int64_t*") Pointer sizes, long tensors, long maxSize, float lr,
                                          float beta1, float beta2, float eps, float weightDecay, long step,
                                          Pointer stream);

    /** grads: a device array of device pointers; sizes: a device array of int64 counts; norm: one device float. */
    public static native int peft4j_clip_grad_norm(@Cast("float* const*") Pointer grads,
                                                   @Cast("const int64_t*") Pointer sizes, long tensors, long maxSize,
                                                   float maxNorm, @Cast("float*") Pointer partials,
                                                   @Cast("float*") Pointer norm, Pointer stream);

    public static native int peft4j_bias_gradient(@Cast("const float*") Pointer dy, @Cast("float*") Pointer db, long rows,
                                                  long dim, Pointer stream);

    public static native int peft4j_masked_bias_update(@Cast("const float*") Pointer dy, @Cast("float*") Pointer bias,
                                                       @Cast("const float*") Pointer mask, @Cast("float*") Pointer m,
                                                       @Cast("float*") Pointer v, @Cast("float*") Pointer db, long rows,
                                                       long dim, float lr, float beta1, float beta2, float eps,
                                                       float weightDecay, long step, Pointer stream);

    public static native int peft4j_scale_forward(@Cast("const float*") Pointer x, @Cast("const float*") Pointer l,
                                                  @Cast("float*") Pointer y, long rows, long dim, Pointer stream);

    public static native int peft4j_scale_backward(@Cast("const float*") Pointer dy, @Cast("const float*") Pointer x,
                                                   @Cast("const float*") Pointer l, @Cast("float*") Pointer dx,
                                                   @Cast("float*") Pointer dl, long rows, long dim, Pointer stream);

    public static native int peft4j_lora_backward(@Cast("const float*") Pointer dy, @Cast("const float*") Pointer x,
                                                  @Cast("const float*") Pointer w, @Cast("const float*") Pointer a,
                                                  @Cast("const float*") Pointer b, @Cast("const float*") Pointer u,
                                                  float s, @Cast("const float*") Pointer dropMask,
                                                  @Cast("float*") Pointer dx, @Cast("float*") Pointer da,
                                                  @Cast("float*") Pointer db, @Cast("float*") Pointer g,
                                                  long n, long in, long out, long r, Pointer stream);

    public static native int peft4j_fill(@Cast("float*") Pointer x, float value, long count, Pointer stream);

    public static native int peft4j_copy(@Cast("const float*") Pointer src, @Cast("float*") Pointer dst, long count,
                                         Pointer stream);

    public static native int peft4j_add(@Cast("const float*") Pointer a, @Cast("const float*") Pointer b,
                                        @Cast("float*") Pointer out, long count, Pointer stream);

    public static native int peft4j_mul(@Cast("const float*") Pointer a, @Cast("const float*") Pointer b,
                                        @Cast("float*") Pointer out, long count, Pointer stream);

    public static native int peft4j_axpy(float alpha, @Cast("const float*") Pointer x, @Cast("float*") Pointer y,
                                         long count, Pointer stream);

    /** ids: a device array of int32. */
    public static native int peft4j_embedding_forward(@Cast("const float*") Pointer table,
                                                      @Cast("const int32_t*") Pointer ids, @Cast("float*") Pointer out,
                                                      long n, long vocab, long dim, Pointer stream);

    /** rows, offsets, positions: device arrays of int32, the positions grouped by id (CSR; see peft4j.h). */
    public static native int peft4j_embedding_backward(@Cast("const float*") Pointer dOut,
                                                       @Cast("const int32_t*") Pointer rows,
                                                       @Cast("const int32_t*") Pointer offsets,
                                                       @Cast("const int32_t*") Pointer positions,
                                                       @Cast("float*") Pointer dTable, long groups, long n, long vocab,
                                                       long dim, Pointer stream);

    public static native int peft4j_mean_pool_forward(@Cast("const float*") Pointer x, @Cast("const float*") Pointer mask,
                                                      @Cast("float*") Pointer out, long batch, long seq, long dim,
                                                      Pointer stream);

    public static native int peft4j_mean_pool_backward(@Cast("const float*") Pointer dOut,
                                                       @Cast("const float*") Pointer mask, @Cast("float*") Pointer dx,
                                                       long batch, long seq, long dim, Pointer stream);

    public static native int peft4j_dropout_forward(@Cast("const float*") Pointer x, float p, long seed,
                                                    @Cast("float*") Pointer y, @Cast("float*") Pointer mask, long count,
                                                    Pointer stream);

    /** causal: 0 or 1; prefixK, prefixV null when prefixLen = 0; keyMask nullable. */
    public static native int peft4j_attention_forward(@Cast("const float*") Pointer q, @Cast("const float*") Pointer k,
                                                      @Cast("const float*") Pointer v,
                                                      @Cast("const float*") Pointer prefixK,
                                                      @Cast("const float*") Pointer prefixV,
                                                      @Cast("const float*") Pointer keyMask, int causal,
                                                      @Cast("float*") Pointer out, @Cast("float*") Pointer lse,
                                                      long batch, long seq, long width, long heads, long prefixLen,
                                                      Pointer stream);

    public static native int peft4j_attention_backward_workspace(long batch, long seq, long width, long heads,
                                                                 long prefixLen, @Cast("int64_t*") long[] floats);

    public static native int peft4j_attention_backward(@Cast("const float*") Pointer dOut,
                                                       @Cast("const float*") Pointer q, @Cast("const float*") Pointer k,
                                                       @Cast("const float*") Pointer v,
                                                       @Cast("const float*") Pointer prefixK,
                                                       @Cast("const float*") Pointer prefixV,
                                                       @Cast("const float*") Pointer keyMask, int causal,
                                                       @Cast("const float*") Pointer out,
                                                       @Cast("const float*") Pointer lse, @Cast("float*") Pointer dq,
                                                       @Cast("float*") Pointer dk, @Cast("float*") Pointer dv,
                                                       @Cast("float*") Pointer dPrefixK,
                                                       @Cast("float*") Pointer dPrefixV,
                                                       @Cast("float*") Pointer workspace, long batch, long seq,
                                                       long width, long heads, long prefixLen, Pointer stream);

    public static native int peft4j_adapter_forward(@Cast("const float*") Pointer x, @Cast("const float*") Pointer residual,
                                                    @Cast("const float*") Pointer wDown,
                                                    @Cast("const float*") Pointer bDown,
                                                    @Cast("const float*") Pointer wUp, @Cast("const float*") Pointer bUp,
                                                    int activation, float s, @Cast("float*") Pointer y,
                                                    @Cast("float*") Pointer z, long n, long d, long m, Pointer stream);

    public static native int peft4j_adapter_backward_workspace(long n, long d, long m, int withScale,
                                                               @Cast("int64_t*") long[] floats);

    public static native int peft4j_adapter_backward(@Cast("const float*") Pointer dy, @Cast("const float*") Pointer x,
                                                     @Cast("const float*") Pointer wDown,
                                                     @Cast("const float*") Pointer wUp,
                                                     @Cast("const float*") Pointer bUp, int activation, float s,
                                                     @Cast("const float*") Pointer z, @Cast("float*") Pointer dx,
                                                     @Cast("float*") Pointer dwDown, @Cast("float*") Pointer dbDown,
                                                     @Cast("float*") Pointer dwUp, @Cast("float*") Pointer dbUp,
                                                     @Cast("float*") Pointer dScale, @Cast("float*") Pointer workspace,
                                                     long n, long d, long m, Pointer stream);

    public static native int peft4j_gemm(@Cast("const float*") Pointer a, int transA, @Cast("const float*") Pointer b,
                                         int transB, @Cast("float*") Pointer c, float alpha, float beta, long batch,
                                         long m, long n, long k, Pointer stream);

    public static native int peft4j_linear_forward(@Cast("const float*") Pointer x, @Cast("const float*") Pointer w,
                                                   @Cast("const float*") Pointer bias, @Cast("float*") Pointer y,
                                                   long n, long in, long out, Pointer stream);

    public static native int peft4j_linear_backward(@Cast("const float*") Pointer dy, @Cast("const float*") Pointer x,
                                                    @Cast("const float*") Pointer w, @Cast("float*") Pointer dx,
                                                    @Cast("float*") Pointer dw, @Cast("float*") Pointer db, long n,
                                                    long in, long out, Pointer stream);

    /** adapterOf: a device array of int32 (−1: no adapter). */
    public static native int peft4j_sgmv_lora(@Cast("const float*") Pointer x, @Cast("const float*") Pointer a,
                                              @Cast("const float*") Pointer b, @Cast("const float*") Pointer scales,
                                              @Cast("const int32_t*") Pointer adapterOf, @Cast("float*") Pointer y,
                                              long n, long in, long out, long r, long adapters, Pointer stream);

    /** The low-rank half of a LoRA forward: u = x̃ Aᵀ, y += s·u Bᵀ, for a base product already in y. */
    public static native int peft4j_lora_low_rank_forward(@Cast("const float*") Pointer x, @Cast("const float*") Pointer a,
                                                          @Cast("const float*") Pointer b, float s,
                                                          @Cast("const float*") Pointer dropMask, @Cast("float*") Pointer y,
                                                          @Cast("float*") Pointer u, long n, long in, long out, long r,
                                                          Pointer stream);

    public static native int peft4j_stream_create(@Cast("void**") PointerPointer<?> stream);

    public static native int peft4j_stream_destroy(Pointer stream);

    public static native int peft4j_host_alloc_pinned(@Cast("void**") PointerPointer<?> staging, long bytes);

    public static native int peft4j_host_free_pinned(Pointer staging);

    public static native int peft4j_event_create(@Cast("void**") PointerPointer<?> event);

    public static native int peft4j_event_destroy(Pointer event);

    /** pinnedSrc: memory from peft4j_host_alloc_pinned; the event is recorded on stream after the copy. */
    public static native int peft4j_copy_to_device_async(@Cast("void*") Pointer deviceDst,
                                                         @Cast("const void*") Pointer pinnedSrc, long bytes,
                                                         Pointer event, Pointer stream);

    public static native int peft4j_event_synchronize(Pointer event);
}
