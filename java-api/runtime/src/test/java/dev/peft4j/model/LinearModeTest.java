package dev.peft4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.LoraTarget;
import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The mode switches of {@link Linear}: attach, merge, unmerge, and the errors of the modes that cannot do one. */
class LinearModeTest {
    private static final int IN = 6;
    private static final int OUT = 4;
    private static final int N = 3;
    private static final LoraSpec LORA = new LoraSpec(2, 4f, false, 0f, EnumSet.of(LoraTarget.QUERY));

    private static Linear layer(Backend be) {
        SplittableRandom rng = new SplittableRandom(7);
        Parameter w = new Parameter("l.weight", be.fromHost(Init.normal(rng, OUT * IN, 0.5), OUT, IN));
        Parameter b = new Parameter("l.bias", be.fromHost(Init.normal(rng, OUT, 0.5), OUT));
        return new Linear(be, w, b);
    }

    private static float[] forward(Linear l, Tensor x) {
        return l.forward(x, new Pass(1, N, null, false, 0), 0).toArray();
    }

    @Test
    void mergeFoldsTheLoraTermIntoWAndUnmergeTakesItOut() {
        try (Backend be = Backends.create("reference"); Linear l = layer(be);
             Tensor x = be.fromHost(Init.normal(new SplittableRandom(3), N * IN, 1.0), N, IN)) {
            float[] w0 = l.weight.value().toArray();
            float[] plain = forward(l, x);
            l.attachLora(LORA, new SplittableRandom(1));
            l.loraB().value().copyFrom(Init.normal(new SplittableRandom(2), OUT * 2, 0.5));
            float[] withLora = forward(l, x);
            assertFalse(java.util.Arrays.equals(plain, withLora), "a non-zero B must change the output");

            l.mergeLora();
            assertTrue(l.loraMerged());
            assertTrue(l.hasLora());
            assertFalse(java.util.Arrays.equals(w0, l.weight.value().toArray()), "merge must change W");
            assertClose(withLora, forward(l, x));
            IllegalStateException twice = assertThrows(IllegalStateException.class, l::mergeLora);
            assertTrue(twice.getMessage().contains("already merged"), twice.getMessage());
            try (Tensor dy = be.allocate(N, OUT)) {
                IllegalStateException train = assertThrows(IllegalStateException.class, () -> l.backward(dy, true));
                assertTrue(train.getMessage().contains("unmerge"), train.getMessage());
            }
            List<Parameter> params = new ArrayList<>();
            l.collect(params);
            assertEquals(List.of("l.weight", "l.bias", "l.lora_A.weight", "l.lora_B.weight"),
                    params.stream().map(Parameter::name).toList());

            l.unmergeLora();
            assertFalse(l.loraMerged());
            assertClose(w0, l.weight.value().toArray());
            assertClose(withLora, forward(l, x));
            assertThrows(IllegalStateException.class, l::unmergeLora);
            closeParameters(l);
        }
    }

    @Test
    void aLayerWithoutLoraOrWithAGatedOneCannotMerge() {
        try (Backend be = Backends.create("reference"); Linear dense = layer(be); Linear gated = layer(be)) {
            IllegalStateException none = assertThrows(IllegalStateException.class, dense::mergeLora);
            assertTrue(none.getMessage().contains("carries no LoRA"), none.getMessage());
            gated.attachLora(LORA.withGate(true), new SplittableRandom(1));
            IllegalStateException g = assertThrows(IllegalStateException.class, gated::mergeLora);
            assertTrue(g.getMessage().contains("cannot be folded"), g.getMessage());
            List<Parameter> params = new ArrayList<>();
            gated.collect(params);
            assertEquals(List.of("l.weight", "l.bias", "l.lora_A.weight", "l.lora_B.weight", "l.lora_gate.weight",
                    "l.lora_gate.bias"), params.stream().map(Parameter::name).toList());
            closeParameters(dense);
            closeParameters(gated);
        }
    }

    @Test
    void aBackwardBeforeAnyForwardFails() {
        try (Backend be = Backends.create("reference"); Linear l = layer(be)) {
            l.attachLora(LORA, new SplittableRandom(1));
            try (Tensor dy = be.allocate(N, OUT)) {
                assertThrows(IllegalStateException.class, () -> l.backward(dy, true));
            }
            closeParameters(l);
        }
    }

    /** The layer closes its buffers and modes; the parameters belong to whoever built them (here, the test). */
    private static void closeParameters(Linear l) {
        List<Parameter> params = new ArrayList<>();
        l.collect(params);
        params.forEach(Parameter::close);
    }

    private static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5f * Math.max(1f, Math.abs(expected[i])), "element " + i);
        }
    }
}
