package dev.peft4j.golden;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Availability;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.BackendProvider;
import dev.peft4j.backend.Backends;
import dev.peft4j.io.TensorData;
import dev.peft4j.testing.TestPlans;
import dev.peft4j.model.Batch;
import dev.peft4j.model.BertConfig;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Gpt2Config;
import dev.peft4j.model.Gpt2Model;
import dev.peft4j.model.Parameter;
import dev.peft4j.model.Pass;
import dev.peft4j.model.Pooling;
import dev.peft4j.model.SequenceClassifier;
import dev.peft4j.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.opentest4j.AssertionFailedError;

/**
 * Gradients of a tiny random BERT classifier (mean and CLS pooling) and a tiny random GPT-2 causal LM, each with
 * LoRA, serial and parallel adapters, prefix, BitFit and (IA)³ all active (the {@link TestPlans#everything()}), against
 * golden gradients from PyTorch autograd in float64 (tools/golden/gen_model_gradients.py writes the files under
 * src/test/resources/golden). Dropout is off (inference pass). The loss must match to 1e-4 relative and every
 * trainable parameter's gradient to 1e-4 relative in the norm: ‖g − g*‖ / ‖g*‖ ≤ 1e-4 per parameter (see
 * {@link GradientComparison} for the gradients that are exactly zero), on the reference backend and every other
 * available backend.
 */
class GoldenModelGradientsTest {
    static final double TOLERANCE = 1e-4;

    static Stream<String> backends() {
        return Backends.providers().stream().map(BackendProvider::name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void bertMeanPoolingMatchesPyTorch(String backend) {
        checkBert(backend, "bert_mean_everything.safetensors", Pooling.MEAN);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void bertClsPoolingMatchesPyTorch(String backend) {
        checkBert(backend, "bert_cls_everything.safetensors", Pooling.CLS);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void gpt2CausalLmMatchesPyTorch(String backend) {
        GoldenFile g = GoldenFile.load("gpt2_everything.safetensors");
        Gpt2Config cfg = new Gpt2Config(g.meta("vocab"), g.meta("hidden"), g.meta("layers"), g.meta("heads"),
                g.meta("intermediate"), g.meta("max_positions"), Float.parseFloat(g.text("layer_norm_eps")),
                activation(g.text("activation")), 0.1f);
        int b = g.meta("batch");
        int t = g.meta("seq_len");
        try (Backend be = open(backend); Gpt2Model model = Gpt2Model.create(be, cfg, g.weights());
             Tensor mask = be.fromHost(g.floats("mask"), b, t)) {
            model.applyPlan(TestPlans.everything(), 5);
            loadTrainable(g, model.trainableParameters());
            float loss = model.loss(g.ints("ids"), g.floats("mask"), new Pass(b, t, mask, false, 0));
            model.backward(1f);
            compare(g, backend, loss, model.trainableParameters());
        }
    }

    /** The comparison is sharp: one (IA)³ vector left at its init of 1 instead of the golden value fails it. */
    @Test
    void aParameterOffItsGoldenValueIsCaught() {
        GoldenFile g = GoldenFile.load("gpt2_everything.safetensors");
        Gpt2Config cfg = new Gpt2Config(g.meta("vocab"), g.meta("hidden"), g.meta("layers"), g.meta("heads"),
                g.meta("intermediate"), g.meta("max_positions"), Float.parseFloat(g.text("layer_norm_eps")),
                activation(g.text("activation")), 0.1f);
        int b = g.meta("batch");
        int t = g.meta("seq_len");
        try (Backend be = Backends.create("reference"); Gpt2Model model = Gpt2Model.create(be, cfg, g.weights());
             Tensor mask = be.fromHost(g.floats("mask"), b, t)) {
            model.applyPlan(TestPlans.everything(), 5);
            loadTrainable(g, model.trainableParameters());
            Parameter ia3 = model.trainableParameters().stream().filter(p -> p.name().equals("h.0.intermediate.ia3_ff"))
                    .findFirst().orElseThrow();
            float[] ones = new float[(int) ia3.numel()];
            Arrays.fill(ones, 1f);
            ia3.value().copyFrom(ones);
            model.loss(g.ints("ids"), g.floats("mask"), new Pass(b, t, mask, false, 0));
            model.backward(1f);
            GradientComparison cmp = GradientComparison.of(g.grads(), model.trainableParameters());
            AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> cmp.assertWithin(TOLERANCE, "perturbed"));
            assertTrue(e.getMessage().contains("h.0.intermediate.ia3_ff"), e.getMessage());
        }
    }

    private static void checkBert(String backend, String resource, Pooling pooling) {
        GoldenFile g = GoldenFile.load(resource);
        assertEquals(pooling.name().toLowerCase(Locale.ROOT), g.text("pooling"), resource + " pooling");
        BertConfig cfg = new BertConfig(g.meta("vocab"), g.meta("hidden"), g.meta("layers"), g.meta("heads"),
                g.meta("intermediate"), g.meta("max_positions"), g.meta("type_vocab"),
                Float.parseFloat(g.text("layer_norm_eps")), activation(g.text("activation")), 0.1f, pooling);
        Batch batch = new Batch(g.meta("batch"), g.meta("seq_len"), g.ints("ids"), g.ints("types"), g.floats("mask"),
                g.ints("labels"));
        try (Backend be = open(backend);
             SequenceClassifier model = new SequenceClassifier(BertModel.create(be, cfg, g.weights()), g.meta("num_labels"), 1)) {
            model.encoder().applyPlan(TestPlans.everything(), 5);
            loadTrainable(g, model.trainableParameters());
            float loss = model.loss(batch, false, 0);
            model.backward(1f);
            compare(g, backend, loss, model.trainableParameters());
        }
    }

    private static Backend open(String name) {
        BackendProvider provider = Backends.providers().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
        Availability a = provider.availability();
        Assumptions.assumeTrue(a.available(), () -> "backend " + name + " is unavailable: " + a.reason());
        return Backends.create(name);
    }

    /** The model must train exactly the golden file's parameters; their values (random, not the init) come from it. */
    private static void loadTrainable(GoldenFile g, List<Parameter> trainable) {
        Map<String, TensorData> values = g.params();
        TreeSet<String> ours = new TreeSet<>();
        trainable.forEach(p -> ours.add(p.name()));
        assertEquals(new TreeSet<>(values.keySet()), ours, g.resource() + ": trainable parameter names");
        for (Parameter p : trainable) {
            TensorData v = values.get(p.name());
            assertArrayEquals(v.shape(), p.value().shape(), g.resource() + ": shape of " + p.name());
            p.value().copyFrom(v.data());
        }
    }

    private static void compare(GoldenFile g, String backend, float loss, List<Parameter> trainable) {
        double lossError = Math.abs(loss - g.loss()) / Math.abs(g.loss());
        GradientComparison cmp = GradientComparison.of(g.grads(), trainable);
        System.out.printf("%s on %s: loss %.7f vs %.7f (rel %.2g); %s%n", g.resource(), backend, loss, g.loss(),
                lossError, cmp.summary());
        assertTrue(lossError <= TOLERANCE, g.resource() + " on " + backend + ": loss " + loss + " vs golden " + g.loss()
                + ", relative error " + lossError);
        cmp.assertWithin(TOLERANCE, g.resource() + " on " + backend);
    }

    private static Activation activation(String name) {
        return switch (name) {
            case "gelu" -> Activation.GELU;
            case "gelu_tanh" -> Activation.GELU_TANH;
            default -> throw new IllegalArgumentException("unknown activation in golden metadata: " + name);
        };
    }
}
