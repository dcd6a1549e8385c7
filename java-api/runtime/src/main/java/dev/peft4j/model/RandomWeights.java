package dev.peft4j.model;

import dev.peft4j.io.TensorData;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Random BERT weights with Hugging Face names: N(0, 0.02) matrices, unit LayerNorm γ, small biases. */
public final class RandomWeights {
    private RandomWeights() {}

    public static Map<String, TensorData> bert(BertConfig cfg, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, TensorData> w = new HashMap<>();
        int d = cfg.hidden();
        put(w, rng, "embeddings.word_embeddings.weight", 0.02, cfg.vocabSize(), d);
        put(w, rng, "embeddings.position_embeddings.weight", 0.02, cfg.maxPositions(), d);
        if (cfg.typeVocabSize() > 0) {
            put(w, rng, "embeddings.token_type_embeddings.weight", 0.02, cfg.typeVocabSize(), d);
        }
        norm(w, rng, "embeddings.LayerNorm", d);
        for (int i = 0; i < cfg.layers(); i++) {
            String p = "encoder.layer." + i + ".";
            for (String s : new String[] {"attention.self.query", "attention.self.key", "attention.self.value",
                    "attention.output.dense"}) {
                linear(w, rng, p + s, d, d);
            }
            norm(w, rng, p + "attention.output.LayerNorm", d);
            linear(w, rng, p + "intermediate.dense", cfg.intermediate(), d);
            linear(w, rng, p + "output.dense", d, cfg.intermediate());
            norm(w, rng, p + "output.LayerNorm", d);
        }
        if (cfg.pooling() == Pooling.POOLER) {
            linear(w, rng, BertModel.POOLER, d, d);
        }
        return w;
    }

    /** Random GPT-2 weights with Hugging Face names; Conv1D matrices are stored {@code [in, out]} as GPT-2 does. */
    public static Map<String, TensorData> gpt2(Gpt2Config cfg, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, TensorData> w = new HashMap<>();
        int d = cfg.hidden();
        put(w, rng, "wte.weight", 0.02, cfg.vocabSize(), d);
        put(w, rng, "wpe.weight", 0.02, cfg.maxPositions(), d);
        for (int i = 0; i < cfg.layers(); i++) {
            String p = "h." + i + ".";
            norm(w, rng, p + "ln_1", d);
            conv1d(w, rng, p + "attn.c_attn", d, 3 * d);
            conv1d(w, rng, p + "attn.c_proj", d, d);
            norm(w, rng, p + "ln_2", d);
            conv1d(w, rng, p + "mlp.c_fc", d, cfg.intermediate());
            conv1d(w, rng, p + "mlp.c_proj", cfg.intermediate(), d);
        }
        norm(w, rng, "ln_f", d);
        return w;
    }

    private static void conv1d(Map<String, TensorData> w, SplittableRandom rng, String prefix, int in, int out) {
        put(w, rng, prefix + ".weight", 0.02, in, out);
        put(w, rng, prefix + ".bias", 0.02, out);
    }

    private static void linear(Map<String, TensorData> w, SplittableRandom rng, String prefix, int out, int in) {
        put(w, rng, prefix + ".weight", 0.02, out, in);
        put(w, rng, prefix + ".bias", 0.02, out);
    }

    private static void norm(Map<String, TensorData> w, SplittableRandom rng, String prefix, int d) {
        float[] g = Init.normal(rng, d, 0.05);
        for (int i = 0; i < d; i++) {
            g[i] += 1f;
        }
        w.put(prefix + ".weight", new TensorData(new int[] {d}, g));
        put(w, rng, prefix + ".bias", 0.02, d);
    }

    private static void put(Map<String, TensorData> w, SplittableRandom rng, String name, double std, int... shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        w.put(name, new TensorData(shape, Init.normal(rng, n, std)));
    }
}
