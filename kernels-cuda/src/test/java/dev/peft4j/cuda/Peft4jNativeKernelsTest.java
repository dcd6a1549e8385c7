package dev.peft4j.cuda;

import static dev.peft4j.cuda.Peft4jNative.PEFT4J_ERROR_ACTIVATION;
import static dev.peft4j.cuda.Peft4jNative.PEFT4J_ERROR_NEGATIVE_SIZE;
import static dev.peft4j.cuda.Peft4jNative.PEFT4J_ERROR_NOT_FINITE;
import static dev.peft4j.cuda.Peft4jNative.PEFT4J_ERROR_NULL_POINTER;
import static dev.peft4j.cuda.Peft4jNative.PEFT4J_ERROR_OUT_OF_RANGE;
import static dev.peft4j.cuda.Peft4jNative.PEFT4J_ERROR_STEP;
import static dev.peft4j.cuda.Peft4jNative.PEFT4J_ERROR_ZERO_WIDTH;
import static dev.peft4j.cuda.Peft4jNative.PEFT4J_OK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Availability;
import java.util.Arrays;
import java.util.function.ToIntFunction;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The JNI glue of the kernel families past the LoRA forward reaches the C ABI with every argument in its
 * place: each required pointer, set to null alone, gives PEFT4J_ERROR_NULL_POINTER, and each size and scalar
 * reaches its check. The ABI validates before touching CUDA, so this needs the library but no GPU; host
 * pointers stand in for device pointers and are never dereferenced with these arguments.
 */
class Peft4jNativeKernelsTest {
    private static FloatPointer p;

    @BeforeAll
    static void loadLibrary() {
        Availability lib = NativeLibrary.load();
        assumeTrue(lib.available(), () -> "SKIPPED: " + lib.reason());
        p = new FloatPointer(1);
    }

    @AfterAll
    static void free() {
        if (p != null) {
            p.close();
        }
    }

    /**
     * With slot i alone null, call(slots) gives PEFT4J_ERROR_NULL_POINTER; with all slots = p it gives
     * expectedAllSet, a check made after the pointers' (skipped when null: the function has no such check, and
     * valid arguments would launch a kernel on host pointers).
     */
    private static void eachRequiredPointer(String what, int slots, ToIntFunction<Pointer[]> call,
                                            Integer expectedAllSet) {
        Pointer[] args = new Pointer[slots];
        if (expectedAllSet != null) {
            Arrays.fill(args, p);
            assertEquals(expectedAllSet, call.applyAsInt(args), what + " with every pointer set");
        }
        for (int missing = 0; missing < slots; missing++) {
            Arrays.fill(args, p);
            args[missing] = null;
            assertEquals(PEFT4J_ERROR_NULL_POINTER, call.applyAsInt(args), what + ": pointer " + missing + " NULL");
        }
    }

    @Test
    void layerNormArgumentsArriveInPlace() {
        // eps = 0 is out of range: every pointer set reaches that check without launching anything.
        eachRequiredPointer("layer_norm_forward", 5, a -> Peft4jNative.peft4j_layer_norm_forward(a[0], a[1], null, 0f,
                a[2], a[3], a[4], 3, 4, null), PEFT4J_ERROR_OUT_OF_RANGE);
        assertEquals(PEFT4J_ERROR_NOT_FINITE, Peft4jNative.peft4j_layer_norm_forward(p, p, p, Float.NaN, p, p, p, 3, 4, null));
        assertEquals(PEFT4J_ERROR_ZERO_WIDTH, Peft4jNative.peft4j_layer_norm_forward(p, p, p, 1e-5f, p, p, p, 3, 0, null));
        assertEquals(PEFT4J_ERROR_NEGATIVE_SIZE, Peft4jNative.peft4j_layer_norm_forward(p, p, p, 1e-5f, p, p, p, -3, 4, null));
        assertEquals(PEFT4J_OK, Peft4jNative.peft4j_layer_norm_forward(null, p, null, 1e-5f, null, null, null, 0, 4, null));
        // With no output requested nothing is launched, so the inputs' checks are all that runs.
        eachRequiredPointer("layer_norm_backward", 5, a -> Peft4jNative.peft4j_layer_norm_backward(a[0], a[1], a[2], a[3],
                a[4], null, null, null, 3, 4, null), PEFT4J_OK);
        assertEquals(PEFT4J_ERROR_ZERO_WIDTH, Peft4jNative.peft4j_layer_norm_backward(p, p, p, p, p, p, p, p, 2, 0, null));
    }

    @Test
    void activationCodesAreTheOrdinalsOfActivation() {
        int[] codes = {Peft4jNative.PEFT4J_ACTIVATION_IDENTITY, Peft4jNative.PEFT4J_ACTIVATION_RELU,
                Peft4jNative.PEFT4J_ACTIVATION_GELU, Peft4jNative.PEFT4J_ACTIVATION_GELU_TANH,
                Peft4jNative.PEFT4J_ACTIVATION_SWISH, Peft4jNative.PEFT4J_ACTIVATION_TANH};
        Activation[] order = {Activation.IDENTITY, Activation.RELU, Activation.GELU, Activation.GELU_TANH,
                Activation.SWISH, Activation.TANH};
        assertEquals(Activation.values().length, codes.length, "one code per Activation");
        for (int i = 0; i < codes.length; i++) {
            assertEquals(order[i].ordinal(), codes[i], order[i].name());
            assertEquals(PEFT4J_OK, Peft4jNative.peft4j_activation_forward(codes[i], p, p, 0, null), order[i].name());
        }
    }

    @Test
    void activationArgumentsArriveInPlace() {
        int gelu = Peft4jNative.PEFT4J_ACTIVATION_GELU;
        eachRequiredPointer("activation_forward", 2,
                a -> Peft4jNative.peft4j_activation_forward(99, a[0], a[1], 5, null), PEFT4J_ERROR_ACTIVATION);
        eachRequiredPointer("activation_backward", 3,
                a -> Peft4jNative.peft4j_activation_backward(-1, a[0], a[1], a[2], 5, null), PEFT4J_ERROR_ACTIVATION);
        assertEquals(PEFT4J_ERROR_NEGATIVE_SIZE, Peft4jNative.peft4j_activation_forward(gelu, p, p, -1, null));
        assertEquals(PEFT4J_ERROR_NEGATIVE_SIZE, Peft4jNative.peft4j_activation_backward(gelu, p, p, p, -1, null));
    }

    @Test
    void softmaxArgumentsArriveInPlace() {
        eachRequiredPointer("softmax_forward", 2, a -> Peft4jNative.peft4j_softmax_forward(a[0], a[1], 3, 4, null), null);
        eachRequiredPointer("softmax_backward", 3,
                a -> Peft4jNative.peft4j_softmax_backward(a[0], a[1], a[2], 3, 4, null), null);
        assertEquals(PEFT4J_ERROR_NEGATIVE_SIZE, Peft4jNative.peft4j_softmax_forward(p, p, 3, -4, null));
        assertEquals(PEFT4J_ERROR_NEGATIVE_SIZE, Peft4jNative.peft4j_softmax_backward(p, p, p, -3, 4, null));
        assertEquals(PEFT4J_OK, Peft4jNative.peft4j_softmax_forward(null, null, 0, 4, null));
    }

    @Test
    void crossEntropyArgumentsArriveInPlace() {
        assertEquals(dev.peft4j.backend.Backend.IGNORE_INDEX, Peft4jNative.PEFT4J_IGNORE_INDEX);
        eachRequiredPointer("cross_entropy_forward", 5,
                a -> Peft4jNative.peft4j_cross_entropy_forward(a[0], a[1], a[2], a[3], a[4], 3, 4, null), null);
        assertEquals(PEFT4J_ERROR_ZERO_WIDTH, Peft4jNative.peft4j_cross_entropy_forward(p, p, p, p, p, 3, 0, null));
        eachRequiredPointer("cross_entropy_backward", 3,
                a -> Peft4jNative.peft4j_cross_entropy_backward(a[0], a[1], Float.NaN, a[2], 3, 4, null),
                PEFT4J_ERROR_NOT_FINITE);
        assertEquals(PEFT4J_OK, Peft4jNative.peft4j_cross_entropy_backward(null, null, 1f, null, 0, 4, null));
    }

    @Test
    void byteCopiesCheckTheirArguments() {
        assertEquals(PEFT4J_ERROR_NULL_POINTER, Peft4jNative.peft4j_copy_bytes_to_device(null, new int[] {1}, 4));
        assertEquals(PEFT4J_ERROR_NULL_POINTER, Peft4jNative.peft4j_copy_bytes_to_device(null, new long[] {1}, 8));
        assertEquals(PEFT4J_ERROR_NEGATIVE_SIZE, Peft4jNative.peft4j_copy_bytes_to_device(p, new int[] {1}, -4));
        assertEquals(PEFT4J_OK, Peft4jNative.peft4j_copy_bytes_to_device(p, new long[0], 0));
    }

    @Test
    void adamWArgumentsArriveInPlace() {
        // step = 0 is checked after the pointers, so every pointer set reaches it.
        eachRequiredPointer("adamw", 5, a -> Peft4jNative.peft4j_adamw(a[0], a[1], a[2], a[3], a[4], 2, 1, 1e-3f, 0.9f,
                0.999f, 1e-8f, 0.01f, 0, null), PEFT4J_ERROR_STEP);
        float[][] hyper = {{Float.NaN, 0.9f, 0.999f, 1e-8f, 0f}, {1e-3f, Float.POSITIVE_INFINITY, 0.999f, 1e-8f, 0f},
                {1e-3f, 0.9f, Float.NaN, 1e-8f, 0f}, {1e-3f, 0.9f, 0.999f, Float.NaN, 0f}, {1e-3f, 0.9f, 0.999f, 1e-8f, Float.NaN}};
        for (float[] h : hyper) {
            assertEquals(PEFT4J_ERROR_NOT_FINITE, Peft4jNative.peft4j_adamw(p, p, p, p, p, 2, 1, h[0], h[1], h[2], h[3], h[4],
                    1, null), Arrays.toString(h));
        }
        float[][] outOfRange = {{-1e-3f, 0.9f, 0.999f, 1e-8f, 0f}, {1e-3f, 1f, 0.999f, 1e-8f, 0f},
                {1e-3f, 0.9f, -0.5f, 1e-8f, 0f}, {1e-3f, 0.9f, 0.999f, 0f, 0f}, {1e-3f, 0.9f, 0.999f, 1e-8f, -1f}};
        for (float[] h : outOfRange) {
            assertEquals(PEFT4J_ERROR_OUT_OF_RANGE, Peft4jNative.peft4j_adamw(p, p, p, p, p, 2, 1, h[0], h[1], h[2], h[3],
                    h[4], 1, null), Arrays.toString(h));
        }
        assertEquals(PEFT4J_OK, Peft4jNative.peft4j_adamw(null, null, null, null, null, 0, 0, 1e-3f, 0.9f, 0.999f, 1e-8f,
                0f, 1, null));
    }

    @Test
    void clipGradNormArgumentsArriveInPlace() {
        eachRequiredPointer("clip_grad_norm", 4,
                a -> Peft4jNative.peft4j_clip_grad_norm(a[0], a[1], 2, 1, 0f, a[2], a[3], null), PEFT4J_ERROR_OUT_OF_RANGE);
        assertEquals(PEFT4J_ERROR_NOT_FINITE, Peft4jNative.peft4j_clip_grad_norm(p, p, 2, 1, Float.NaN, p, p, null));
        assertEquals(PEFT4J_ERROR_NEGATIVE_SIZE, Peft4jNative.peft4j_clip_grad_norm(p, p, -2, 1, 1f, p, p, null));
    }

    @Test
    void bitFitAndScaleArgumentsArriveInPlace() {
        eachRequiredPointer("bias_gradient", 2, a -> Peft4jNative.peft4j_bias_gradient(a[0], a[1], 3, 4, null), null);
        assertEquals(PEFT4J_ERROR_NEGATIVE_SIZE, Peft4jNative.peft4j_bias_gradient(p, p, 3, -4, null));
        // step = 0 is checked after the pointers; db is optional.
        eachRequiredPointer("masked_bias_update", 5, a -> Peft4jNative.peft4j_masked_bias_update(a[0], a[1], a[2], a[3],
                a[4], null, 3, 4, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 0, null), PEFT4J_ERROR_STEP);
        assertEquals(PEFT4J_ERROR_OUT_OF_RANGE, Peft4jNative.peft4j_masked_bias_update(p, p, p, p, p, p, 3, 4, 1e-3f, 0.9f,
                0.999f, -1e-8f, 0f, 1, null));
        eachRequiredPointer("scale_forward", 3, a -> Peft4jNative.peft4j_scale_forward(a[0], a[1], a[2], 3, 4, null), null);
        // With no output requested nothing is launched.
        eachRequiredPointer("scale_backward", 3,
                a -> Peft4jNative.peft4j_scale_backward(a[0], a[1], a[2], null, null, 3, 4, null), PEFT4J_OK);
    }

    @Test
    void loraBackwardArgumentsArriveInPlace() {
        // s = NaN is checked after the pointers: slots dy, x, w, a, b, u, g with every output requested.
        eachRequiredPointer("lora_backward", 7, a -> Peft4jNative.peft4j_lora_backward(a[0], a[1], a[2], a[3], a[4], a[5],
                Float.NaN, null, p, p, p, a[6], 3, 4, 5, 2, null), PEFT4J_ERROR_NOT_FINITE);
        assertEquals(Peft4jNative.PEFT4J_ERROR_RANK, Peft4jNative.peft4j_lora_backward(p, p, p, p, p, p, 1f, null, p, p, p, p,
                3, 4, 5, 0, null));
        assertEquals(PEFT4J_ERROR_NEGATIVE_SIZE, Peft4jNative.peft4j_lora_backward(p, p, p, p, p, p, 1f, null, p, p, p, p,
                3, -4, 5, 2, null));
        assertEquals(PEFT4J_OK, Peft4jNative.peft4j_lora_backward(p, null, null, null, p, null, 1f, null, null, null, null,
                null, 3, 4, 5, 2, null), "no output requested: nothing launched");
    }

    @Test
    void elementwiseEmbeddingPoolAndDropoutArgumentsArriveInPlace() {
        eachRequiredPointer("fill", 1, a -> Peft4jNative.peft4j_fill(a[0], 1f, 3, null), null);
        eachRequiredPointer("copy", 2, a -> Peft4jNative.peft4j_copy(a[0], a[1], 3, null), null);
        eachRequiredPointer("add", 3, a -> Peft4jNative.peft4j_add(a[0], a[1], a[2], 3, null), null);
        eachRequiredPointer("mul", 3, a -> Peft4jNative.peft4j_mul(a[0], a[1], a[2], 3, null), null);
        eachRequiredPointer("axpy", 2, a -> Peft4jNative.peft4j_axpy(0.5f, a[0], a[1], 3, null), null);
        assertEquals(PEFT4J_ERROR_NOT_FINITE, Peft4jNative.peft4j_axpy(Float.NaN, p, p, 3, null));
        assertEquals(PEFT4J_ERROR_NEGATIVE_SIZE, Peft4jNative.peft4j_add(p, p, p, -3, null));
        eachRequiredPointer("embedding_forward", 3,
                a -> Peft4jNative.peft4j_embedding_forward(a[0], a[1], a[2], 2, 4, 3, null), null);
        eachRequiredPointer("embedding_backward", 5,
                a -> Peft4jNative.peft4j_embedding_backward(a[0], a[1], a[2], a[3], a[4], 1, 2, 4, 3, null), null);
        assertEquals(Peft4jNative.PEFT4J_ERROR_TOO_LARGE,
                Peft4jNative.peft4j_embedding_backward(p, p, p, p, p, 3, 2, 4, 3, null), "more groups than positions");
        eachRequiredPointer("mean_pool_forward", 2,
                a -> Peft4jNative.peft4j_mean_pool_forward(a[0], null, a[1], 2, 3, 4, null), null);
        eachRequiredPointer("mean_pool_backward", 2,
                a -> Peft4jNative.peft4j_mean_pool_backward(a[0], null, a[1], 2, 3, 4, null), null);
        assertEquals(PEFT4J_ERROR_NEGATIVE_SIZE, Peft4jNative.peft4j_mean_pool_forward(p, null, p, 2, -3, 4, null));
        eachRequiredPointer("dropout_forward", 2,
                a -> Peft4jNative.peft4j_dropout_forward(a[0], 0.1f, 7, a[1], null, 3, null), null);
        assertEquals(PEFT4J_ERROR_NOT_FINITE, Peft4jNative.peft4j_dropout_forward(p, Float.NaN, 7, p, p, 3, null));
        assertEquals(PEFT4J_ERROR_OUT_OF_RANGE, Peft4jNative.peft4j_dropout_forward(p, 1f, 7, p, p, 3, null));
    }

    @Test
    void attentionArgumentsArriveInPlace() {
        // q, k, v, out, lse required; prefixes required with L > 0; the head split is checked before the pointers
        eachRequiredPointer("attention_forward", 7, a -> Peft4jNative.peft4j_attention_forward(a[0], a[1], a[2], a[3],
                a[4], null, 0, a[5], a[6], 1, 3, 4, 2, 2, null), null);
        assertEquals(PEFT4J_ERROR_OUT_OF_RANGE,
                Peft4jNative.peft4j_attention_forward(p, p, p, null, null, null, 1, p, p, 1, 3, 5, 2, 0, null));
        long[] floats = {-1};
        assertEquals(PEFT4J_OK, Peft4jNative.peft4j_attention_backward_workspace(2, 3, 4, 2, 5, floats));
        assertEquals(2 * 2 * 3 + 2 * 2 * 5 * 4, floats[0], "δ per query plus a prefix partial per batch row, K and V");
        eachRequiredPointer("attention_backward", 9, a -> Peft4jNative.peft4j_attention_backward(a[0], a[1], a[2], a[3],
                a[4], a[5], null, 1, a[6], a[7], null, null, null, null, null, a[8], 2, 3, 4, 2, 5, null), null);
    }

    @Test
    void adapterArgumentsArriveInPlace() {
        // x, residual, W_d, W_u, y, z required (biases optional); the scale is checked before the pointers
        eachRequiredPointer("adapter_forward", 6, a -> Peft4jNative.peft4j_adapter_forward(a[0], a[1], a[2], null, a[3],
                null, Activation.RELU.ordinal(), 1f, a[4], a[5], 3, 4, 2, null), null);
        assertEquals(PEFT4J_ERROR_NOT_FINITE, Peft4jNative.peft4j_adapter_forward(p, p, p, null, p, null,
                Activation.RELU.ordinal(), Float.NaN, p, p, 3, 4, 2, null));
        assertEquals(PEFT4J_ERROR_ACTIVATION, Peft4jNative.peft4j_adapter_forward(p, p, p, null, p, null, 99, 1f, p, p, 3,
                4, 2, null));
        long[] floats = {-1};
        assertEquals(PEFT4J_OK, Peft4jNative.peft4j_adapter_backward_workspace(3, 4, 2, 1, floats));
        assertEquals(3 * 2 + 3 * 4 + 2 * 4, floats[0], "dz, the scale's pre-activation and its float64 column sums");
        eachRequiredPointer("adapter_backward", 6, a -> Peft4jNative.peft4j_adapter_backward(a[0], a[1], a[2], a[3],
                null, Activation.GELU.ordinal(), 1f, a[4], null, null, null, null, null, null, a[5], 3, 4, 2, null), null);
    }

    @Test
    void productArgumentsArriveInPlace() {
        eachRequiredPointer("gemm", 3, a -> Peft4jNative.peft4j_gemm(a[0], 1, a[1], 0, a[2], 1f, 0f, 2, 3, 4, 5, null), null);
        assertEquals(PEFT4J_ERROR_NOT_FINITE, Peft4jNative.peft4j_gemm(p, 0, p, 0, p, Float.NaN, 0f, 1, 3, 4, 5, null));
        assertEquals(PEFT4J_ERROR_NEGATIVE_SIZE, Peft4jNative.peft4j_gemm(p, 0, p, 0, p, 1f, 0f, 1, 3, 4, -5, null));
        eachRequiredPointer("linear_forward", 3,
                a -> Peft4jNative.peft4j_linear_forward(a[0], a[1], null, a[2], 3, 4, 5, null), null);
        // dx needs w, dW needs x: with only dx requested x may be null
        eachRequiredPointer("linear_backward", 2,
                a -> Peft4jNative.peft4j_linear_backward(a[0], null, a[1], p, null, null, 3, 4, 5, null), null);
    }

    @Test
    void lowRankForwardArgumentsArriveInPlace() {
        // with every pointer set this would launch, so only the missing ones are tried
        eachRequiredPointer("lora_low_rank_forward", 5, a -> Peft4jNative.peft4j_lora_low_rank_forward(a[0], a[1], a[2],
                1f, null, a[3], a[4], 2, 4, 3, 2, null), null);
        assertEquals(PEFT4J_ERROR_NOT_FINITE,
                Peft4jNative.peft4j_lora_low_rank_forward(p, p, p, Float.NaN, null, p, p, 2, 4, 3, 2, null));
        assertEquals(Peft4jNative.PEFT4J_ERROR_RANK,
                Peft4jNative.peft4j_lora_low_rank_forward(p, p, p, 1f, null, p, p, 2, 4, 3, 0, null));
        assertEquals(PEFT4J_ERROR_NEGATIVE_SIZE,
                Peft4jNative.peft4j_lora_low_rank_forward(p, p, p, 1f, null, p, p, -2, 4, 3, 2, null));
    }

    @Test
    void sgmvArgumentsArriveInPlace() {
        eachRequiredPointer("sgmv_lora", 6,
                a -> Peft4jNative.peft4j_sgmv_lora(a[0], a[1], a[2], a[3], a[4], a[5], 2, 4, 3, 2, 5, null), null);
        assertEquals(Peft4jNative.PEFT4J_ERROR_RANK, Peft4jNative.peft4j_sgmv_lora(p, p, p, p, p, p, 2, 4, 3, 0, 5, null));
    }
}
