package dev.peft4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.AdamW;
import dev.peft4j.backend.AdapterGradients;
import dev.peft4j.backend.AdapterWeights;
import dev.peft4j.backend.AttentionGradients;
import dev.peft4j.backend.AttentionInputs;
import dev.peft4j.backend.HostStaging;
import dev.peft4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CPU backend's kernels on tensors that wrap part of a caller's array ({@link Tensor#wrap(float[], int,
 * int...)}) at offsets that differ from tensor to tensor: no call stages a copy ({@link
 * HostStaging#stagedByThisThread()} does not move), every tensor (inputs and outputs) ends bit for bit as the same
 * call leaves it on whole arrays, and the floats around each wrapped range keep their marked NaN. Each call runs
 * twice: every tensor in an array of its own, and all of a call's tensors in one shared array (so a kernel that
 * indexes one tensor's array at another's offset lands in the wrong range).
 */
class WrappedZeroCopyTest extends KernelTestBase {
    /** The margin's NaN, with a payload no kernel computes. */
    private static final int MARK = 0x7fc0_5eed;
    /** Floats of margin before, between and after the wrapped ranges. */
    private static final int GAP = 3;

    /** A backend call on a list of tensors (in the order given to {@link #check}); returns its float result or 0. */
    @FunctionalInterface
    interface Call extends ToDoubleFunction<Tensor[]> {}

    /** Runs the call on whole-array copies of ts, then on wrapped copies (both placements), and compares. */
    private static void check(String name, Call call, Tensor... ts) {
        Tensor[] whole = new Tensor[ts.length];
        for (int i = 0; i < ts.length; i++) {
            whole[i] = copyOf(ts[i]);
        }
        double expected = call.applyAsDouble(whole);
        for (boolean shared : new boolean[] {false, true}) {
            String where = name + (shared ? " (one shared array)" : " (an array per tensor)");
            List<float[]> arrays = new ArrayList<>();
            int[] offsets = new int[ts.length];
            Tensor[] wrapped = place(ts, shared, arrays, offsets);
            long before = HostStaging.stagedByThisThread();
            double got = call.applyAsDouble(wrapped);
            assertEquals(before, HostStaging.stagedByThisThread(), where + ": a wrapped tensor was staged (copied)");
            assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(got), where + ": result");
            for (int i = 0; i < ts.length; i++) {
                assertBits(where + ": tensor " + i, whole[i].toArray(), wrapped[i].toArray());
            }
            assertMargins(where, arrays, wrapped);
        }
    }

    /**
     * Copies of ts wrapped at offsets GAP + i (so consecutive tensors sit at different vector alignments) in their
     * own arrays, or one after another with GAP floats between them in one array; every other float is MARK.
     */
    private static Tensor[] place(Tensor[] ts, boolean shared, List<float[]> arrays, int[] offsets) {
        Tensor[] out = new Tensor[ts.length];
        if (shared) {
            int at = GAP;
            for (int i = 0; i < ts.length; i++) {
                offsets[i] = at + i % 4;
                at = offsets[i] + (int) ts[i].numel() + GAP;
            }
            float[] a = marked(at);
            arrays.add(a);
            for (int i = 0; i < ts.length; i++) {
                out[i] = wrapCopy(a, offsets[i], ts[i]);
            }
        } else {
            for (int i = 0; i < ts.length; i++) {
                offsets[i] = GAP + i % 5;
                float[] a = marked(offsets[i] + (int) ts[i].numel() + GAP);
                arrays.add(a);
                out[i] = wrapCopy(a, offsets[i], ts[i]);
            }
        }
        return out;
    }

    private static float[] marked(int n) {
        float[] a = new float[n];
        Arrays.fill(a, Float.intBitsToFloat(MARK));
        return a;
    }

    private static Tensor wrapCopy(float[] a, int offset, Tensor t) {
        float[] v = t.toArray();
        System.arraycopy(v, 0, a, offset, v.length);
        return Tensor.wrap(a, offset, t.shape());
    }

    private static void assertBits(String what, float[] expected, float[] got) {
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(got[i])) {
                fail(what + ": element " + i + " is " + got[i] + ", on whole arrays " + expected[i]);
            }
        }
    }

    /** Every float of the arrays outside the wrapped ranges still holds MARK. */
    private static void assertMargins(String what, List<float[]> arrays, Tensor[] wrapped) {
        for (float[] a : arrays) {
            boolean[] inside = new boolean[a.length];
            for (Tensor t : wrapped) {
                if (t.array() == a) {
                    Arrays.fill(inside, t.offset(), t.offset() + (int) t.numel(), true);
                }
            }
            for (int i = 0; i < a.length; i++) {
                if (!inside[i] && Float.floatToRawIntBits(a[i]) != MARK) {
                    fail(what + ": the margin at index " + i + " was overwritten with " + a[i]);
                }
            }
        }
    }

    @Test
    void mixedLoraForward() {
        int n = 11, in = 37, out = 21, r = 5, adapters = 3;
        int[] rows = {0, 2, -1, 1, 1, 0, 2, -1, 2, 0, 1};
        check("loraMixedForward", t -> {
            CPU.loraMixedForward(t[0], t[1], t[2], t[3], rows, t[4]);
            return 0;
        }, rnd.uniform(n, in), rnd.uniform(adapters, r, in), rnd.uniform(adapters, out, r), rnd.uniform(adapters),
                rnd.uniform(n, out));
    }

    @ParameterizedTest(name = "bias and residual given: {0}")
    @ValueSource(booleans = {true, false})
    void adapter(boolean full) {
        int n = 13, d = 37, m = 9;
        float s = 1.5f;
        Activation f = Activation.GELU;
        check("adapterForward", t -> {
            CPU.adapterForward(t[0], full ? t[1] : t[6], new AdapterWeights(t[2], full ? t[3] : null, t[4],
                    full ? t[5] : null, f, s), t[6], t[7]);
            return 0;
        }, rnd.uniform(n, d), rnd.uniform(n, d), rnd.uniform(m, d), rnd.uniform(m), rnd.uniform(d, m),
                rnd.uniform(d), rnd.uniform(n, d), rnd.uniform(n, m));
        check("adapterBackward", t -> {
            AdapterGradients g = AdapterGradients.none().withDx(t[5]).withDown(t[6], t[7]).withUp(t[8], t[9])
                    .withDScale(t[10]);
            CPU.adapterBackward(t[0], t[1], new AdapterWeights(t[2], null, t[3], full ? t[4] : null, f, s), t[11], g);
            return 0;
        }, rnd.uniform(n, d), rnd.uniform(n, d), rnd.uniform(m, d), rnd.uniform(d, m), rnd.uniform(d),
                rnd.uniform(n, d), rnd.uniform(m, d), rnd.uniform(m), rnd.uniform(d, m), rnd.uniform(d),
                rnd.uniform(1), rnd.uniform(n, m));
    }

    @ParameterizedTest(name = "causal: {0}")
    @ValueSource(booleans = {true, false})
    void attentionBackward(boolean causal) {
        int b = 2, t = 9, h = 2, dh = 5, prefix = 3, dm = h * dh;
        Tensor q = rnd.uniform(b, t, dm), k = rnd.uniform(b, t, dm), v = rnd.uniform(b, t, dm);
        Tensor pk = rnd.uniform(prefix, dm), pv = rnd.uniform(prefix, dm), mask = rnd.binary(0.7, b, t);
        Tensor out = zeros(b, t, dm), lse = zeros(b, h, t);
        CPU.attentionForward(new AttentionInputs(q, k, v, pk, pv, mask, causal, h), out, lse);
        check("attentionBackward", a -> {
            CPU.attentionBackward(a[0], new AttentionInputs(a[1], a[2], a[3], a[4], a[5], a[6], causal, h), a[7], a[8],
                    AttentionGradients.none().withDq(a[9]).withDk(a[10]).withDv(a[11])
                            .withPrefixGradients(a[12], a[13]));
            return 0;
        }, rnd.uniform(b, t, dm), q, k, v, pk, pv, mask, out, lse, rnd.uniform(b, t, dm), rnd.uniform(b, t, dm),
                rnd.uniform(b, t, dm), rnd.uniform(prefix, dm), rnd.uniform(prefix, dm));
    }

    @Test
    void scaleAndBiasGradient() {
        int rows = 7, d = 37;
        check("scaleForward", t -> {
            CPU.scaleForward(t[0], t[1], t[2]);
            return 0;
        }, rnd.uniform(rows, d), rnd.uniform(d), rnd.uniform(rows, d));
        check("scaleBackward", t -> {
            CPU.scaleBackward(t[0], t[1], t[2], t[3], t[4]);
            return 0;
        }, rnd.uniform(rows, d), rnd.uniform(rows, d), rnd.uniform(d), rnd.uniform(rows, d), rnd.uniform(d));
        check("biasGradient", t -> {
            CPU.biasGradient(t[0], t[1]);
            return 0;
        }, rnd.uniform(rows, d), rnd.uniform(d));
    }

    @Test
    void optimizers() {
        AdamW hp = new AdamW(1e-2f, 0.9f, 0.999f, 1e-8f, 0.01f);
        int d = 37;
        check("maskedBiasUpdate", t -> {
            CPU.maskedBiasUpdate(t[0], t[1], t[2], t[3], t[4], hp, 2, t[5]);
            return 0;
        }, rnd.uniform(7, d), rnd.uniform(d), rnd.binary(0.5, d), rnd.uniform(-0.1f, 0.1f, d),
                rnd.uniform(0.01f, 0.1f, d), rnd.uniform(d));
        check("maskedBiasUpdate without db", t -> {
            CPU.maskedBiasUpdate(t[0], t[1], t[2], t[3], t[4], hp, 2, null);
            return 0;
        }, rnd.uniform(7, d), rnd.uniform(d), rnd.binary(0.5, d), rnd.uniform(-0.1f, 0.1f, d),
                rnd.uniform(0.01f, 0.1f, d));
        int[] sizes = {1, 37, 70001};
        List<Tensor> args = new ArrayList<>();
        for (int size : sizes) { // params, grads, m, v of each tensor
            args.addAll(List.of(rnd.uniform(size), rnd.uniform(size), rnd.uniform(-0.1f, 0.1f, size),
                    rnd.uniform(0.01f, 0.1f, size)));
        }
        check("adamW", t -> {
            Tensor[][] lists = new Tensor[4][sizes.length];
            for (int i = 0; i < t.length; i++) {
                lists[i % 4][i / 4] = t[i];
            }
            CPU.adamW(lists[0], lists[1], lists[2], lists[3], hp, 3);
            return 0;
        }, args.toArray(Tensor[]::new));
        check("clipGradNorm", t -> CPU.clipGradNorm(new Tensor[] {t[0], t[1]}, 0.5f),
                rnd.uniform(77), rnd.uniform(5, 9));
        check("clipGradNorm into a tensor", t -> {
            CPU.clipGradNorm(new Tensor[] {t[0], t[1]}, 0.5f, t[2]);
            return 0;
        }, rnd.uniform(77), rnd.uniform(5, 9), rnd.uniform(1));
    }

    @Test
    void layerNormBackward() {
        int rows = 7, d = 37;
        check("layerNormBackward", t -> {
            CPU.layerNormBackward(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7]);
            return 0;
        }, rnd.uniform(rows, d), rnd.uniform(rows, d), rnd.uniform(d), rnd.uniform(rows),
                rnd.uniform(0.5f, 2f, rows), rnd.uniform(rows, d), rnd.uniform(d), rnd.uniform(d));
    }

    @Test
    void softmaxAndCrossEntropy() {
        int rows = 7, c = 37;
        int[] targets = {3, 0, -100, 36, 17, 17, 5};
        check("softmaxForward", t -> {
            CPU.softmaxForward(t[0], t[1]);
            return 0;
        }, rnd.uniform(rows, c), rnd.uniform(rows, c));
        check("softmaxBackward", t -> {
            CPU.softmaxBackward(t[0], t[1], t[2]);
            return 0;
        }, rnd.uniform(rows, c), rnd.uniform(rows, c), rnd.uniform(rows, c));
        check("crossEntropyForward", t -> CPU.crossEntropyForward(t[0], targets, t[1]),
                rnd.uniform(rows, c), rnd.uniform(rows, c));
        check("crossEntropyForward into a tensor", t -> {
            CPU.crossEntropyForward(t[0], targets, t[1], t[2]);
            return 0;
        }, rnd.uniform(rows, c), rnd.uniform(rows, c), rnd.uniform(1));
        check("crossEntropyBackward", t -> {
            CPU.crossEntropyBackward(t[0], targets, 0.75f, t[1]);
            return 0;
        }, rnd.uniform(rows, c), rnd.uniform(rows, c));
    }

    @Test
    void tokensAndDropout() {
        int vocab = 13, d = 37;
        int[] ids = {4, 0, 12, 4, 7};
        check("embeddingForward", t -> {
            CPU.embeddingForward(t[0], ids, t[1]);
            return 0;
        }, rnd.uniform(vocab, d), rnd.uniform(ids.length, d));
        check("embeddingBackward", t -> {
            CPU.embeddingBackward(t[0], ids, t[1]);
            return 0;
        }, rnd.uniform(ids.length, d), rnd.uniform(vocab, d));
        int b = 3, len = 5;
        check("meanPoolForward", t -> {
            CPU.meanPoolForward(t[0], t[1], t[2]);
            return 0;
        }, rnd.uniform(b, len, d), rnd.binary(0.6, b, len), rnd.uniform(b, d));
        check("meanPoolBackward", t -> {
            CPU.meanPoolBackward(t[0], t[1], t[2]);
            return 0;
        }, rnd.uniform(b, d), rnd.binary(0.6, b, len), rnd.uniform(b, len, d));
        check("dropoutForward", t -> {
            CPU.dropoutForward(t[0], 0.3f, 1234567L, t[1], t[2]);
            return 0;
        }, rnd.uniform(40001), rnd.uniform(40001), rnd.uniform(40001));
    }

    /** The counter the checks above rely on does move when a call stages: an off-heap tensor is still copied. */
    @Test
    void stagingAnOffHeapTensorIsCounted() {
        int rows = 3, d = 37;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate((long) rows * d * Float.BYTES, Float.BYTES);
            float[] xs = rnd.uniform(rows, d).toArray();
            MemorySegment.copy(xs, 0, seg, ValueLayout.JAVA_FLOAT, 0, xs.length);
            Tensor x = Tensor.wrap(seg, rows, d);
            Tensor l = rnd.uniform(d), y = zeros(rows, d), yWhole = zeros(rows, d);
            long before = HostStaging.stagedByThisThread();
            CPU.scaleForward(x, l, y);
            assertTrue(HostStaging.stagedByThisThread() > before, "staging the off-heap x was not counted");
            CPU.scaleForward(Tensor.of(xs, rows, d), l, yWhole);
            assertBits("scaleForward of an off-heap x", yWhole.toArray(), y.toArray());
        }
    }
}
