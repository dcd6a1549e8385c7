package dev.peft4j.cuda;

import java.util.Locale;

/**
 * Which library computes the CUDA backend's dense products (gemm, linearForward, linearBackward): cuBLAS (the
 * default) or peft4j's own tiled kernels of libpeft4j_cuda. Chosen with {@code -Dpeft4j.cuda.gemm=cublas|tiled},
 * so both can be measured on one device. The LoRA forward follows it: cuBLAS for the base product plus peft4j's
 * low-rank kernel, or peft4j's single fused kernel. Adapters and attention use peft4j's fused kernels either way.
 */
public enum GemmEngine {
    /** cublasSgemm / cublasSgemmStridedBatched in full FP32 (no TF32), through the JavaCPP cuda preset. */
    CUBLAS,
    /** peft4j_gemm, peft4j_linear_forward and peft4j_linear_backward of native/include/peft4j.h. */
    TILED;

    /** The system property that picks the engine. */
    public static final String PROPERTY = dev.peft4j.backend.BackendOptions.GEMM_ENGINE_PROPERTY;

    /** The engine named by {@link #PROPERTY}; CUBLAS when unset. */
    public static GemmEngine fromSystemProperty() {
        return parse(System.getProperty(PROPERTY, "cublas"));
    }

    /** "cublas" or "tiled", any case. */
    static GemmEngine parse(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "cublas" -> CUBLAS;
            case "tiled" -> TILED;
            default -> throw new IllegalArgumentException("-D" + PROPERTY + "=" + name
                    + " is not a GEMM engine of the CUDA backend: use cublas or tiled");
        };
    }
}
