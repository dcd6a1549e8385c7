package dev.peft4j.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.peft4j.backend.AdamW;
import dev.peft4j.backend.Availability;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.tensor.Device;
import dev.peft4j.tensor.MemoryAccounting;
import dev.peft4j.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The backend's reused device memory (the per-call scratch, the cached tensor tables of AdamW and clipping) gives the
 * reference backend's results when the tensors change between calls and when a call outgrows the scratch, and is
 * all returned when the backend closes. Needs a GPU; skips otherwise, with the reason.
 */
class CudaWorkspacesTest {
    private static final AdamW HP = new AdamW(1e-2f, 0.9f, 0.999f, 1e-8f, 0.01f);

    @BeforeEach
    void needsADevice() {
        Availability device = NativeLibrary.probeDevices();
        assumeTrue(device.available(), () -> "SKIPPED: " + device.reason());
    }

    @Test
    void adamWAndClippingFollowTheTensorsWhenTheyChangeBetweenSteps() {
        long before = MemoryAccounting.liveBytes(Device.CUDA);
        try (Backend ref = Backends.create("reference"); CudaBackend cuda = new CudaBackend(GemmEngine.TILED)) {
            Group refA = new Group(ref, 1, 5, 300), refB = new Group(ref, 2, 7000, 3, 64);
            Group gpuA = new Group(cuda, 1, 5, 300), gpuB = new Group(cuda, 2, 7000, 3, 64);
            Group[][] order = {{refA, gpuA}, {refB, gpuB}, {refA, gpuA}, {refA, gpuA}, {refB, gpuB}};
            long step = 0;
            for (Group[] pair : order) {
                step++;
                float refNorm = ref.clipGradNorm(pair[0].grads, 0.5f);
                float gpuNorm = cuda.clipGradNorm(pair[1].grads, 0.5f);
                assertEquals(refNorm, gpuNorm, 1e-5f * refNorm, "gradient norm of step " + step);
                ref.adamW(pair[0].params, pair[0].grads, pair[0].m, pair[0].v, HP, step);
                cuda.adamW(pair[1].params, pair[1].grads, pair[1].m, pair[1].v, HP, step);
                for (int i = 0; i < pair[0].params.length; i++) {
                    assertArrayEquals(pair[0].params[i].toArray(), pair[1].params[i].toArray(), 1e-5f,
                            "parameter " + i + " after step " + step);
                }
            }
            for (Group g : new Group[] {refA, refB, gpuA, gpuB}) {
                g.close();
            }
        }
        assertEquals(before, MemoryAccounting.liveBytes(Device.CUDA), "live device bytes back to where they were");
    }

    @Test
    void aCallThatOutgrowsTheScratchStillGetsItsTargets() {
        int rows = 70_000; // targets and per-row losses need more than the first scratch buffer of 65,536 floats
        SplittableRandom rng = new SplittableRandom(9);
        float[] logits = new float[rows * 3];
        int[] targets = new int[rows];
        for (int i = 0; i < rows; i++) {
            targets[i] = i % 17 == 0 ? Backend.IGNORE_INDEX : rng.nextInt(3);
            for (int c = 0; c < 3; c++) {
                logits[3 * i + c] = (float) rng.nextDouble(-3, 3);
            }
        }
        long before = MemoryAccounting.liveBytes(Device.CUDA);
        try (Backend ref = Backends.create("reference"); CudaBackend cuda = new CudaBackend(GemmEngine.TILED);
             Tensor rl = ref.fromHost(logits, rows, 3); Tensor rp = ref.allocate(rows, 3);
             Tensor gl = cuda.fromHost(logits, rows, 3); Tensor gp = cuda.allocate(rows, 3);
             Tensor rs = ref.fromHost(new float[] {1, 2, 3}, 1, 3); Tensor rsp = ref.allocate(1, 3);
             Tensor gs = cuda.fromHost(new float[] {1, 2, 3}, 1, 3); Tensor gsp = cuda.allocate(1, 3)) {
            assertEquals(ref.crossEntropyForward(rs, new int[] {2}, rsp), cuda.crossEntropyForward(gs, new int[] {2}, gsp),
                    1e-6f, "a small call first: the scratch is made at its first size");
            float expected = ref.crossEntropyForward(rl, targets, rp);
            assertEquals(expected, cuda.crossEntropyForward(gl, targets, gp), 1e-5f * expected);
            assertArrayEquals(rp.toArray(), gp.toArray(), 1e-6f);
        }
        assertEquals(before, MemoryAccounting.liveBytes(Device.CUDA), "live device bytes back to where they were");
    }

    /** Parameters, gradients and moments of the given sizes, from one seed, on one backend. */
    private static final class Group implements AutoCloseable {
        final Tensor[] params, grads, m, v;

        Group(Backend be, long seed, int... sizes) {
            SplittableRandom rng = new SplittableRandom(seed);
            params = new Tensor[sizes.length];
            grads = new Tensor[sizes.length];
            m = new Tensor[sizes.length];
            v = new Tensor[sizes.length];
            for (int i = 0; i < sizes.length; i++) {
                params[i] = be.fromHost(random(rng, sizes[i]), sizes[i]);
                grads[i] = be.fromHost(random(rng, sizes[i]), sizes[i]);
                m[i] = be.allocate(sizes[i]);
                v[i] = be.allocate(sizes[i]);
            }
        }

        @Override public void close() {
            for (Tensor[] ts : new Tensor[][] {params, grads, m, v}) {
                for (Tensor t : ts) {
                    t.close();
                }
            }
        }
    }

    private static float[] random(SplittableRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rng.nextDouble(-1, 1);
        }
        return v;
    }
}
