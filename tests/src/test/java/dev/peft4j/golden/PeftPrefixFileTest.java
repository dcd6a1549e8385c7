package dev.peft4j.golden;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.peft4j.adapter.AdapterIo;
import dev.peft4j.adapter.AdapterModel;
import dev.peft4j.adapter.HfCheckpoint;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.BackendProvider;
import dev.peft4j.backend.Backends;
import dev.peft4j.io.SafeTensors;
import dev.peft4j.io.SafeTensorsContent;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Gpt2Model;
import dev.peft4j.model.Pass;
import dev.peft4j.model.SequenceClassifier;
import dev.peft4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A PREFIX_TUNING adapter written the way Hugging Face peft saves one (tools/golden/gen_peft_prefix.py: one tensor
 * {@code prompt_embeddings} {@code [L, layers·2·d]}, no peft4j section) over a tiny BertModel checkpoint, with the last
 * hidden state PyTorch computed as transformers runs prefixes: keys [P_k; K], values [P_v; V], and the tokens
 * numbered after the L prefix positions (token t reads position embedding L + t).
 *
 * <p>Checks: peft4j loads the pair with its tokens' positions starting at L and reproduces the hidden state on every
 * available backend; numbering the tokens from 0 instead is far from it; a peft4j save of the loaded adapter records
 * the offset and loads back to the same states. The same for a SEQ_CLS prefix adapter over a
 * BertForSequenceClassification checkpoint (golden {@code peft-prefix-seq-cls}): its head is saved under
 * {@code base_model.classifier.*}, as peft names a prompt-learning model's modules_to_save, and peft4j reproduces
 * the logits through the pooler and writes the same keys back. And for GPT-2 (golden {@code peft-prefix-gpt2}, a
 * CAUSAL_LM prefix over a Hugging Face GPT-2 checkpoint): the logits, with the tokens at wpe[L + t].
 */
class PeftPrefixFileTest {
    static final double TOLERANCE = 1e-5;
    static final int PREFIX_LENGTH = 3;

    static Stream<String> backends() {
        return Backends.providers().stream().map(BackendProvider::name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void hiddenStatesWithThePeftPrefixMatchPyTorch(String backend) throws IOException {
        try (Backend be = PeftAdapterFileTest.open(backend); BertModel model = base(be)) {
            AdapterIo.load(golden().resolve("adapter"), AdapterModel.of(model), 7);
            assertEquals(PREFIX_LENGTH, model.positionOffset(), "a peft prefix file numbers the tokens after its prefix");
            assertWithin(expected().get("hidden").data(), hidden(model), backend);
        }
    }

    /** The comparison is sharp: the same prefixes with the tokens numbered from 0 are far from PyTorch's states. */
    @Test
    void tokensNumberedFromZeroDoNotMatch() throws IOException {
        try (Backend be = Backends.create("reference"); BertModel model = base(be)) {
            AdapterIo.load(golden().resolve("adapter"), AdapterModel.of(model), 7);
            model.setPositionOffset(0);
            float[] got = hidden(model);
            float[] want = expected().get("hidden").data();
            double worst = 0;
            for (int i = 0; i < want.length; i++) {
                worst = Math.max(worst, Math.abs(got[i] - want[i]));
            }
            assertTrue(worst > 1e-2, "positions from 0 should change the states, largest difference " + worst);
        }
    }

    /** peft4j's own file (with its peft4j section) keeps the offset: {@code peft4j.position_offset}. */
    @Test
    void aPeft4jSaveKeepsThePositionOffset(@TempDir Path tmp) throws IOException {
        Path saved = tmp.resolve("saved");
        try (Backend be = Backends.create("reference"); BertModel model = base(be)) {
            AdapterIo.load(golden().resolve("adapter"), AdapterModel.of(model), 7);
            AdapterIo.save(saved, AdapterModel.of(model), "peft4j-golden/tiny-bert");
        }
        assertTrue(Files.readString(saved.resolve(AdapterIo.CONFIG)).contains("\"position_offset\": " + PREFIX_LENGTH));
        try (Backend be = Backends.create("reference"); BertModel model = base(be)) {
            AdapterIo.load(saved, AdapterModel.of(model), 9);
            assertEquals(PREFIX_LENGTH, model.positionOffset());
            assertWithin(expected().get("hidden").data(), hidden(model), "reference, reloaded");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void logitsWithThePeftPrefixClassifierMatchPyTorch(String backend) throws IOException {
        SafeTensorsContent expected = SafeTensors.read(seqCls().resolve("expected.safetensors"));
        try (Backend be = PeftAdapterFileTest.open(backend);
             SequenceClassifier model = HfCheckpoint.read(seqCls().resolve("base")).classifier(be)) {
            AdapterIo.load(seqCls().resolve("adapter"), AdapterModel.of(model), 7);
            assertEquals(PREFIX_LENGTH, model.encoder().positionOffset());
            float[] logits = model.logits(PeftAdapterFileTest.batch(expected), false, 0).toArray();
            assertWithin(expected.get("logits").data(), logits, backend);
        }
    }

    /** Saved again, the classifier's file has peft's keys (the head under base_model.classifier.) and values. */
    @Test
    void aSavedPrefixClassifierHasPeftsKeysAndValues(@TempDir Path tmp) throws IOException {
        Path saved = tmp.resolve("saved");
        try (Backend be = Backends.create("reference");
             SequenceClassifier model = HfCheckpoint.read(seqCls().resolve("base")).classifier(be)) {
            AdapterIo.load(seqCls().resolve("adapter"), AdapterModel.of(model), 7);
            AdapterIo.save(saved, AdapterModel.of(model), "peft4j-golden/tiny-bert");
        }
        SafeTensorsContent peft = SafeTensors.read(seqCls().resolve("adapter").resolve(AdapterIo.WEIGHTS));
        SafeTensorsContent ours = SafeTensors.read(saved.resolve(AdapterIo.WEIGHTS));
        assertEquals(peft.tensors().keySet(), ours.tensors().keySet());
        for (String key : peft.tensors().keySet()) {
            assertArrayEquals(peft.get(key).data(), ours.get(key).data(), 0f, key);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void gpt2LogitsWithThePeftPrefixMatchPyTorch(String backend) throws IOException {
        Path golden = PeftAdapterFileTest.golden("peft-prefix-gpt2", "gen_peft_prefix.py");
        SafeTensorsContent expected = SafeTensors.read(golden.resolve("expected.safetensors"));
        int b = Integer.parseInt(expected.metadata().get("batch"));
        int t = Integer.parseInt(expected.metadata().get("seq_len"));
        try (Backend be = PeftAdapterFileTest.open(backend);
             Gpt2Model model = HfCheckpoint.read(golden.resolve("base")).gpt2(be);
             Tensor mask = be.fromHost(expected.get("inputs/mask").data(), b, t)) {
            AdapterIo.load(golden.resolve("adapter"), AdapterModel.of(model), 7);
            assertEquals(PREFIX_LENGTH, model.positionOffset());
            float[] logits = model.logits(PeftAdapterFileTest.ints(expected.get("inputs/ids")),
                    new Pass(b, t, mask, false, 0)).toArray();
            assertWithin(expected.get("logits").data(), logits, backend);
        }
    }

    private static Path seqCls() {
        return PeftAdapterFileTest.golden("peft-prefix-seq-cls", "gen_peft_prefix.py");
    }

    private static BertModel base(Backend be) throws IOException {
        return HfCheckpoint.read(golden().resolve("base")).bert(be);
    }

    private static float[] hidden(BertModel model) throws IOException {
        SafeTensorsContent expected = expected();
        int b = Integer.parseInt(expected.metadata().get("batch"));
        int t = Integer.parseInt(expected.metadata().get("seq_len"));
        try (Tensor mask = model.backend().fromHost(expected.get("inputs/mask").data(), b, t)) {
            return model.forward(PeftAdapterFileTest.ints(expected.get("inputs/ids")),
                    PeftAdapterFileTest.ints(expected.get("inputs/types")), new Pass(b, t, mask, false, 0)).toArray();
        }
    }

    /** |Δ| ≤ TOLERANCE · max(1, |want|) per value: the states are layer-normalised and the logits of order 1. */
    private static void assertWithin(float[] want, float[] got, String backend) {
        assertEquals(want.length, got.length, "hidden state size");
        for (int i = 0; i < want.length; i++) {
            double err = Math.abs((double) got[i] - want[i]);
            if (err > TOLERANCE * Math.max(1, Math.abs(want[i]))) {
                fail(backend + ": hidden value " + i + " is " + got[i] + ", PyTorch " + want[i] + " (|Δ| " + err + ")");
            }
        }
    }

    private static SafeTensorsContent expected() throws IOException {
        return SafeTensors.read(golden().resolve("expected.safetensors"));
    }

    private static Path golden() {
        return PeftAdapterFileTest.golden("peft-prefix", "gen_peft_prefix.py");
    }
}
