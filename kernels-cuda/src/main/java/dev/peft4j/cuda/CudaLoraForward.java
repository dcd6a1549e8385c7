package dev.peft4j.cuda;

import dev.peft4j.backend.ShapeMismatchException;
import java.util.Arrays;

/**
 * The fused LoRA linear forward on the GPU for host arrays: Java → JNI → {@code peft4j_lora_forward}.
 * <pre>
 *   x̃ = x ⊙ dropMask (x̃ = x when dropMask is null; the mask acts on the LoRA path only)
 *   u = x̃ Aᵀ                     u [n, r]
 *   y = x Wᵀ + bias + s·u Bᵀ      y [n, out]
 * </pre>
 * x {@code [n,in]}, W {@code [out,in]}, bias {@code [out]} nullable, A {@code [r,in]}, B {@code [out,r]},
 * dropMask {@code [n,in]} nullable; all row-major. Every argument is checked here, before native code runs;
 * the inputs are copied to the device, the kernel runs, and y and u are copied back.
 */
public final class CudaLoraForward {
    /** The problem size: n rows, in inputs, out outputs, rank r. */
    public record Dims(int n, int in, int out, int r) {
        public Dims {
            if (n < 0 || in < 0 || out < 0) {
                throw new IllegalArgumentException("loraForward: sizes must be ≥ 0 but n=" + n + ", in=" + in
                        + ", out=" + out);
            }
            if (r < 1) {
                throw new IllegalArgumentException("loraForward: LoRA rank r must be ≥ 1 but is " + r);
            }
        }
    }

    /** The outputs: y {@code [n,out]} and the saved u {@code [n,r]}. */
    public record Result(float[] y, float[] u) {}

    private CudaLoraForward() {}

    /** Runs the forward on the first CUDA device; throws {@link CudaException} when CUDA is not usable. */
    public static Result run(Dims d, float[] x, float[] w, float[] bias, float[] a, float[] b, float s,
                             float[] dropMask) {
        validate(d, x, w, bias, a, b, s, dropMask);
        NativeLibrary.requireDevice();
        try (DeviceBuffer dx = DeviceBuffer.of(x);
             DeviceBuffer dw = DeviceBuffer.of(w);
             DeviceBuffer dBias = bias == null ? null : DeviceBuffer.of(bias);
             DeviceBuffer da = DeviceBuffer.of(a);
             DeviceBuffer db = DeviceBuffer.of(b);
             DeviceBuffer dMask = dropMask == null ? null : DeviceBuffer.of(dropMask);
             DeviceBuffer dy = DeviceBuffer.allocate((long) d.n() * d.out());
             DeviceBuffer du = DeviceBuffer.allocate((long) d.n() * d.r())) {
            CudaStatus.check(Peft4jNative.peft4j_lora_forward(dx.pointer(), dw.pointer(),
                    dBias == null ? null : dBias.pointer(), da.pointer(), db.pointer(), s,
                    dMask == null ? null : dMask.pointer(), dy.pointer(), du.pointer(),
                    d.n(), d.in(), d.out(), d.r(), null), "peft4j_lora_forward");
            CudaStatus.check(Peft4jNative.peft4j_synchronize(null), "peft4j_lora_forward (synchronize)");
            return new Result(dy.toHost(), du.toHost());
        }
    }

    /** Checks every argument against {@code d}; the messages name the argument, its shape and its length. */
    static void validate(Dims d, float[] x, float[] w, float[] bias, float[] a, float[] b, float s,
                         float[] dropMask) {
        if (d == null) {
            throw new IllegalArgumentException("loraForward: dims is null");
        }
        if (!Float.isFinite(s)) {
            throw new IllegalArgumentException("loraForward: the scale s must be finite but is " + s);
        }
        input("x", x, false, d.n(), d.in());
        input("w", w, false, d.out(), d.in());
        input("bias", bias, true, d.out());
        input("a", a, false, d.r(), d.in());
        input("b", b, false, d.out(), d.r());
        input("dropMask", dropMask, true, d.n(), d.in());
        numel("y", d.n(), d.out());
        numel("u", d.n(), d.r());
    }

    /** The array holds exactly the elements of {@code shape} (or is null where that is allowed). */
    private static void input(String name, float[] array, boolean nullable, int... shape) {
        long expected = numel(name, shape);
        if (array == null) {
            if (!nullable) {
                throw new IllegalArgumentException("loraForward: " + name + " is null");
            }
        } else if (array.length != expected) {
            throw new ShapeMismatchException("loraForward: " + name + " must have shape " + Arrays.toString(shape)
                    + " = " + expected + " elements but has " + array.length);
        }
    }

    /** The element count of {@code shape}, which must fit a Java array. */
    private static long numel(String name, int... shape) {
        long n = 1;
        for (int dim : shape) {
            n *= dim;
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("loraForward: " + name + " " + Arrays.toString(shape) + " has " + n
                    + " elements, more than a Java array holds");
        }
        return n;
    }
}
