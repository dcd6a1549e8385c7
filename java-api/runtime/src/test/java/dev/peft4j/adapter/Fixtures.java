package dev.peft4j.adapter;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.peft4j.backend.Activation;
import dev.peft4j.io.SafeTensors;
import dev.peft4j.io.TensorData;
import dev.peft4j.model.Batch;
import dev.peft4j.model.BertConfig;
import dev.peft4j.model.Gpt2Config;
import dev.peft4j.model.Gpt2Model;
import dev.peft4j.model.Parameter;
import dev.peft4j.model.Pass;
import dev.peft4j.model.Pooling;
import dev.peft4j.model.SequenceClassifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Tiny models, inputs and comparisons shared by the adapter and checkpoint tests. */
final class Fixtures {
    static final BertConfig BERT = new BertConfig(30, 16, 2, 2, 24, 12, 2, 1e-12f, Activation.GELU, 0f, Pooling.MEAN);
    static final Gpt2Config GPT2 = new Gpt2Config(30, 12, 2, 3, 20, 10, 1e-5f, Activation.GELU_TANH, 0f);

    private Fixtures() {}

    /** A batch of 2 × 5 tokens, the second sequence padded after 3. */
    static Batch batch() {
        int[] ids = {2, 7, 9, 11, 3, 2, 14, 3, 0, 0};
        float[] mask = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0};
        return new Batch(2, 5, ids, new int[10], mask, new int[] {0, 1});
    }

    static float[] logits(SequenceClassifier c) {
        return c.logits(batch(), false, 0).toArray();
    }

    static float[] logits(Gpt2Model m) {
        return m.logits(new int[] {1, 5, 8, 2, 9, 4, 3, 7}, new Pass(2, 4, null, false, 0)).toArray();
    }

    /** Overwrites every trainable parameter with N(0, 0.3²) values, so nothing sits at its initial value. */
    static void randomiseTrainable(List<Parameter> params, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (Parameter p : params) {
            if (p.trainable()) {
                float[] v = new float[(int) p.numel()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (rng.nextGaussian() * 0.3);
                }
                p.value().copyFrom(v);
            }
        }
    }

    static void writeJson(Path file, JsonObject o) throws IOException {
        Files.writeString(file, o.toString(), StandardCharsets.UTF_8);
    }

    static void writeTensors(Path file, Map<String, TensorData> tensors) throws IOException {
        SafeTensors.write(file, tensors, Map.of("format", "pt"));
    }

    /** A Hugging Face BERT config.json for {@link #BERT}. */
    static JsonObject bertConfigJson(BertConfig c) {
        JsonObject o = new JsonObject();
        o.addProperty("model_type", "bert");
        o.addProperty("hidden_size", c.hidden());
        o.addProperty("num_hidden_layers", c.layers());
        o.addProperty("num_attention_heads", c.heads());
        o.addProperty("intermediate_size", c.intermediate());
        o.addProperty("vocab_size", c.vocabSize());
        o.addProperty("max_position_embeddings", c.maxPositions());
        o.addProperty("type_vocab_size", c.typeVocabSize());
        o.addProperty("layer_norm_eps", c.layerNormEps());
        o.addProperty("hidden_act", "gelu");
        o.addProperty("hidden_dropout_prob", c.hiddenDropout());
        o.addProperty("peft4j_pooling", c.pooling().name());
        return o;
    }

    static JsonObject gpt2ConfigJson(Gpt2Config c) {
        JsonObject o = new JsonObject();
        o.addProperty("model_type", "gpt2");
        o.addProperty("n_embd", c.hidden());
        o.addProperty("n_layer", c.layers());
        o.addProperty("n_head", c.heads());
        o.addProperty("n_inner", c.intermediate());
        o.addProperty("n_positions", c.maxPositions());
        o.addProperty("vocab_size", c.vocabSize());
        o.addProperty("layer_norm_epsilon", c.layerNormEps());
        o.addProperty("activation_function", "gelu_new");
        o.addProperty("resid_pdrop", c.dropout());
        return o;
    }

    /** ‖a − b‖ / ‖b‖ in float64. */
    static double relativeError(float[] a, float[] b) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            num += (a[i] - (double) b[i]) * (a[i] - (double) b[i]);
            den += (double) b[i] * b[i];
        }
        return Math.sqrt(num / den);
    }

    static void assertMessageNames(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message should name '" + p + "': " + e.getMessage());
        }
    }
}
