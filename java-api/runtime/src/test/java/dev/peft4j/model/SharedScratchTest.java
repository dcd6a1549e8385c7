package dev.peft4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.tensor.Device;
import dev.peft4j.tensor.MemoryAccounting;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SharedScratchTest {
    private static final int D = 16;
    private static final int B = 3;
    private static final int T = 5;

    @Test
    void everyLayerGetsTheSameSlotsInOrderAndDistinctOnesWithinItself() {
        try (Backend be = Backends.create("reference"); SharedScratch shared = new SharedScratch(be)) {
            ScratchSource first = shared.layer();
            ReusedTensor a0 = first.next();
            ReusedTensor a1 = first.next();
            assertNotSame(a0, a1, "one layer's requests must get distinct tensors");
            ScratchSource second = shared.layer();
            assertSame(a0, second.next(), "slot 0 is shared by the layers");
            assertSame(a1, second.next(), "slot 1 is shared by the layers");
            ReusedTensor a2 = second.next();
            assertNotSame(a0, a2);
            assertNotSame(a1, a2);
            assertEquals(3, shared.slots());
        }
    }

    /**
     * The backward of a 5-layer encoder allocates what a 2-layer one does, plus per extra layer only the gradient it
     * hands to the layer below ({@code [N,d]}): the layers' other backward buffers are one shared set. (Two layers,
     * not one, as the base: the lowest layer computes no input gradient, so it leaves some shared slots unused.)
     */
    @Test
    void theBackwardOfMoreLayersNeedsOnlyOneMoreReturnedGradientPerLayer() {
        long two = backwardBytes(2);
        long five = backwardBytes(5);
        long returnedGradient = 4L * B * T * D;
        assertTrue(two > 10 * returnedGradient, "the backward scratch of 2 layers (" + two + " bytes) is many [N,d] buffers");
        assertEquals(3 * returnedGradient, five - two,
                "bytes the backward of 5 layers allocates beyond 2 layers' (2 layers: " + two + ")");
    }

    /**
     * A LoRA layer's forward keeps only what its backward reads: ten {@code [N,d]} tensors (q, k, v, ctx, both
     * LayerNorms' inputs and outputs, two dropout masks), the FFN's pre-activation {@code [N,f]} and per-token
     * statistics (under 32 values a token). The attention output, the FFN output and the GELU output (FFN-out is
     * frozen) go to the shared scratch; with them kept per layer it would be 12 {@code [N,d]} and 2 {@code [N,f]}.
     */
    @Test
    void aLoraLayerKeepsOnlyWhatItsBackwardReads() {
        int f = 4 * D;
        long perLayer = (phaseBytes(5, false) - phaseBytes(2, false)) / 3;
        long bound = 4L * B * T * (10 * D + f + 32);
        assertTrue(perLayer <= bound, "a layer's forward keeps " + perLayer + " bytes, more than " + bound);
        assertTrue(perLayer > 4L * B * T * (10 * D + f), "the layer keeps its ten [N,d] and one [N,f]: " + perLayer);
    }

    /** Live tensor bytes a first backward allocates (after its forward) in a LoRA classifier of {@code layers} layers. */
    private static long backwardBytes(int layers) {
        return phaseBytes(layers, true);
    }

    /**
     * Live tensor bytes the first backward allocates (after its forward), or, without {@code backward}, the first
     * training forward allocates, in a LoRA classifier of {@code layers} layers.
     */
    private static long phaseBytes(int layers, boolean backward) {
        BertConfig cfg = new BertConfig(50, D, layers, 2, 4 * D, 16, 2, 1e-5f, Activation.GELU, 0.1f, Pooling.MEAN);
        try (Backend be = Backends.create("reference");
             SequenceClassifier model = new SequenceClassifier(BertModel.random(be, cfg, 1), 2, 2)) {
            model.encoder().applyPlan(PeftPlan.lora(layers, LoraSpec.defaults()), 3);
            SplittableRandom rng = new SplittableRandom(5);
            int[] ids = new int[B * T];
            float[] mask = new float[B * T];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = 1 + rng.nextInt(49);
                mask[i] = i % T < T - (i / T) ? 1f : 0f;
            }
            Batch batch = new Batch(B, T, ids, new int[B * T], mask, new int[] {0, 1, 1});
            long beforeForward = MemoryAccounting.liveBytes(Device.CPU);
            model.deviceLoss(batch, true, 7);
            long afterForward = MemoryAccounting.liveBytes(Device.CPU);
            if (!backward) {
                return afterForward - beforeForward;
            }
            model.backward(1f);
            return MemoryAccounting.liveBytes(Device.CPU) - afterForward;
        }
    }
}
