package dev.peft4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.io.TensorData;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With a position offset k, token t reads position embedding k + t: the same as a model whose position table is
 * moved up by k rows and whose offset is 0 (BERT's embeddings and GPT-2's wpe).
 */
class PositionOffsetTest {
    static final int K = 3;
    static final int[] IDS = {1, 5, 8, 2, 9, 4, 3, 7};

    @Test
    void bertTokensReadPositionsAfterTheOffset() {
        BertConfig cfg = new BertConfig(11, 8, 2, 2, 12, 10, 2, 1e-5f, Activation.GELU, 0f, Pooling.MEAN);
        Map<String, TensorData> weights = RandomWeights.bert(cfg, 3);
        Map<String, TensorData> moved = movedUp(weights, "embeddings.position_embeddings.weight");
        try (Backend be = Backends.create("reference");
             BertModel shifted = BertModel.create(be, cfg, weights);
             BertModel table = BertModel.create(be, cfg, moved)) {
            shifted.setPositionOffset(K);
            Pass pass = new Pass(2, 4, null, false, 0);
            assertArrayEquals(table.forward(IDS, null, pass).toArray(), shifted.forward(IDS, null, pass).toArray(), 0f);
            assertThrows(IllegalArgumentException.class, () -> shifted.setPositionOffset(cfg.maxPositions()));
            assertThrows(IllegalArgumentException.class, () -> shifted.setPositionOffset(-1));
        }
    }

    /** One model through other lengths and offsets in turn (its position list is kept while they stay the same). */
    @Test
    void bertPositionsFollowEachPassAndOffset() {
        BertConfig cfg = new BertConfig(11, 8, 2, 2, 12, 10, 2, 1e-5f, Activation.GELU, 0f, Pooling.MEAN);
        Map<String, TensorData> weights = RandomWeights.bert(cfg, 3);
        int[][] shapes = {{2, 4, 0}, {2, 4, 0}, {4, 2, 0}, {4, 2, 3}, {2, 4, 3}, {1, 8, 0}};
        try (Backend be = Backends.create("reference"); BertModel reused = BertModel.create(be, cfg, weights)) {
            for (int[] s : shapes) {
                Pass pass = new Pass(s[0], s[1], null, false, 0);
                reused.setPositionOffset(s[2]);
                try (BertModel fresh = BertModel.create(be, cfg, weights)) {
                    fresh.setPositionOffset(s[2]);
                    assertArrayEquals(fresh.forward(IDS, null, pass).toArray(), reused.forward(IDS, null, pass).toArray(),
                            0f, s[0] + "×" + s[1] + " after " + s[2]);
                }
            }
        }
    }

    @Test
    void gpt2TokensReadPositionsAfterTheOffset() {
        Gpt2Config cfg = new Gpt2Config(13, 8, 2, 2, 12, 10, 1e-5f, Activation.GELU_TANH, 0f);
        Map<String, TensorData> weights = RandomWeights.gpt2(cfg, 3);
        Map<String, TensorData> moved = movedUp(weights, "wpe.weight");
        try (Backend be = Backends.create("reference");
             Gpt2Model shifted = Gpt2Model.create(be, cfg, weights);
             Gpt2Model table = Gpt2Model.create(be, cfg, moved)) {
            shifted.setPositionOffset(K);
            Pass pass = new Pass(2, 4, null, false, 0);
            assertArrayEquals(table.logits(IDS, pass).toArray(), shifted.logits(IDS, pass).toArray(), 0f);
            Pass tooLong = new Pass(1, 8, null, false, 0);
            assertThrows(IllegalArgumentException.class, () -> shifted.logits(IDS, tooLong));
        }
    }

    /** The weights with table row t replaced by row t + K (the last K rows are left as they were). */
    private static Map<String, TensorData> movedUp(Map<String, TensorData> weights, String table) {
        Map<String, TensorData> out = new HashMap<>(weights);
        TensorData t = weights.get(table);
        int d = t.shape()[1];
        float[] rows = t.data().clone();
        System.arraycopy(t.data(), K * d, rows, 0, rows.length - K * d);
        out.put(table, new TensorData(t.shape(), rows));
        return out;
    }
}
