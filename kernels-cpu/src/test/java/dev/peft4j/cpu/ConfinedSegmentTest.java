package dev.peft4j.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.AttentionInputs;
import dev.peft4j.backend.HostStaging;
import dev.peft4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The kernels that read off-heap tensors in place run on the backend's worker threads, which may not touch a
 * confined arena's segment. Each such kernel on tensors in a confined arena must give, bit for bit, what it gives
 * on a shared arena's (read in place), by copying on the calling thread (counted by {@link
 * HostStaging#stagedByThisThread()}), instead of failing on a worker with WrongThreadException.
 */
class ConfinedSegmentTest extends KernelTestBase {
    private static final int B = 2, T = 37, D = 48, H = 4, R = 4;

    /** Runs call on copies of ts in one arena of each kind and compares every tensor afterwards. */
    private static void check(String what, Consumer<Tensor[]> call, Tensor... ts) {
        float[][] shared = run(Arena.ofShared(), call, ts, false);
        float[][] confined = run(Arena.ofConfined(), call, ts, true);
        for (int i = 0; i < ts.length; i++) {
            for (int j = 0; j < shared[i].length; j++) {
                if (Float.floatToRawIntBits(shared[i][j]) != Float.floatToRawIntBits(confined[i][j])) {
                    fail(what + ": tensor " + i + " element " + j + " is " + confined[i][j]
                            + " in a confined arena, " + shared[i][j] + " in a shared one");
                }
            }
        }
    }

    private static float[][] run(Arena arena, Consumer<Tensor[]> call, Tensor[] ts, boolean expectStaging) {
        try (arena) {
            Tensor[] wrapped = new Tensor[ts.length];
            for (int i = 0; i < ts.length; i++) {
                float[] v = ts[i].toArray();
                MemorySegment seg = arena.allocate(4L * v.length, 4);
                MemorySegment.copy(v, 0, seg, ValueLayout.JAVA_FLOAT, 0, v.length);
                wrapped[i] = Tensor.wrap(seg, ts[i].shape());
            }
            long before = HostStaging.stagedByThisThread();
            call.accept(wrapped);
            long staged = HostStaging.stagedByThisThread() - before;
            if (expectStaging) {
                assertTrue(staged > 0, "a confined arena's segment was not copied on the calling thread");
            }
            float[][] out = new float[ts.length][];
            for (int i = 0; i < ts.length; i++) {
                out[i] = wrapped[i].toArray();
            }
            return out;
        }
    }

    @Test
    void linearAndInferenceLora() {
        check("linearForward", t -> CPU.linearForward(t[0], t[1], t[2], t[3]),
                rnd.uniform(B * T, D), rnd.uniform(D, D), rnd.uniform(D), zeros(B * T, D));
        check("loraForward (inference)", t -> CPU.loraForward(t[0], t[1], t[2], t[3], t[4], 2f, t[5]),
                rnd.uniform(B * T, D), rnd.uniform(D, D), rnd.uniform(D), rnd.uniform(R, D), rnd.uniform(D, R),
                zeros(B * T, D));
    }

    @Test
    void layerNormAndActivations() {
        check("layerNormForward", t -> CPU.layerNormForward(t[0], t[1], t[2], 1e-12f, t[3], t[4], t[5]),
                rnd.uniform(B * T, D), rnd.uniform(D), rnd.uniform(D), zeros(B * T, D), zeros(B * T), zeros(B * T));
        for (Activation f : Activation.values()) {
            check("activationForward " + f, t -> CPU.activationForward(f, t[0], t[1]),
                    rnd.uniform(5000), zeros(5000));
        }
    }

    @Test
    void attentionForward() {
        check("attentionForward", t -> CPU.attentionForward(
                        new AttentionInputs(t[0], t[1], t[2], null, null, null, false, H), t[3], t[4]),
                rnd.uniform(B, T, D), rnd.uniform(B, T, D), rnd.uniform(B, T, D), zeros(B, T, D), zeros(B, H, T));
    }
}
