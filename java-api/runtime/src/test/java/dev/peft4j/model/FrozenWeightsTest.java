package dev.peft4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.LoraTarget;
import dev.peft4j.tensor.Tensor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * When a linear layer declares its weight unchanging to the backend ({@link Linear#prepareFrozenWeight}, used by
 * {@link FrozenWeights}) and when it takes that back: only a frozen W read through linearForward is prepared, and a
 * mode switch, a W made trainable, release and close each unprepare it, so the backend never reads a stale copy.
 */
class FrozenWeightsTest {
    private static final int IN = 6;
    private static final int OUT = 4;
    private static final int N = 3;

    /** The reference backend, recording each prepare and unprepare call ("prepare l.weight" style, by tensor). */
    private static final class Recorder {
        final List<String> calls = new ArrayList<>();
        final Backend backend;
        private Tensor w;

        Recorder(Backend inner) {
            backend = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("prepare") || method.getName().equals("unprepare")) {
                            calls.add(method.getName() + (args[0] == w ? " W" : " other"));
                        }
                        try {
                            return method.invoke(inner, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }

    private static Linear layer(Recorder r) {
        SplittableRandom rng = new SplittableRandom(7);
        Parameter w = new Parameter("l.weight", r.backend.fromHost(Init.normal(rng, OUT * IN, 0.5), OUT, IN));
        Parameter b = new Parameter("l.bias", r.backend.fromHost(Init.normal(rng, OUT, 0.5), OUT));
        r.w = w.value();
        return new Linear(r.backend, w, b);
    }

    private static float[] forward(Linear l, Tensor x) {
        return l.forward(x, new Pass(1, N, null, false, 0), 0).toArray();
    }

    @Test
    void aFrozenPlainWeightIsPreparedOnceAndReleasedOnClose() {
        try (Backend ref = Backends.create("reference")) {
            Recorder r = new Recorder(ref);
            Tensor x = ref.fromHost(Init.normal(new SplittableRandom(3), N * IN, 1.0), N, IN);
            float[] before;
            try (Linear l = layer(r)) {
                before = forward(l, x);
                assertTrue(l.prepareFrozenWeight());
                assertTrue(l.prepareFrozenWeight());
                assertEquals(List.of("prepare W"), r.calls, "prepared once");
                assertArrayEquals(before, forward(l, x));
            }
            assertEquals(List.of("prepare W", "unprepare W"), r.calls, "close releases it");
            x.close();
        }
    }

    @Test
    void trainableWeightsAndLoraLayersAreNotPrepared() {
        try (Backend ref = Backends.create("reference")) {
            Recorder r = new Recorder(ref);
            try (Linear trainable = layer(r)) {
                trainable.weight.setTrainable(r.backend, true);
                assertFalse(trainable.prepareFrozenWeight());
            }
            try (Linear lora = layer(r)) {
                lora.attachLora(new LoraSpec(2, 4f, false, 0f, EnumSet.of(LoraTarget.QUERY)), new SplittableRandom(1));
                assertFalse(lora.prepareFrozenWeight(), "the fused LoRA forward does not read a prepared W");
                lora.mergeLora();
                assertTrue(lora.prepareFrozenWeight(), "merged, the forward is the plain layer's");
                lora.unmergeLora();
                assertEquals(List.of("prepare W", "unprepare W"), r.calls, "unmerging changes W: released first");
            }
        }
    }

    @Test
    void aWeightMadeTrainableIsReleasedBeforeTheNextForward() {
        try (Backend ref = Backends.create("reference")) {
            Recorder r = new Recorder(ref);
            Tensor x = ref.fromHost(Init.normal(new SplittableRandom(3), N * IN, 1.0), N, IN);
            try (Linear l = layer(r)) {
                assertTrue(l.prepareFrozenWeight());
                l.weight.setTrainable(r.backend, true);
                forward(l, x);
                assertEquals(List.of("prepare W", "unprepare W"), r.calls);
                l.releasePreparedWeight();
            }
            assertEquals(List.of("prepare W", "unprepare W"), r.calls, "nothing left to release");
            x.close();
        }
    }
}
