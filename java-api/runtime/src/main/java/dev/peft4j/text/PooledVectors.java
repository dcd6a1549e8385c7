package dev.peft4j.text;

import dev.peft4j.backend.Backend;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Pass;
import dev.peft4j.model.SequencePooling;
import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** An encoder's pooled vectors ({@link SequencePooling}, as its config says), without dropout. */
final class PooledVectors {
    /** Sequences run together at most, so that a large held-out set does not make one huge batch. */
    static final int CHUNK = 64;

    private PooledVectors() {}

    /**
     * One forward pass: ids and key mask {@code [B,T]}, hidden {@code [B·T,d]}, pooled {@code [B,d]}, not normalised.
     * Only the real rows are computed (a packed pass, {@code PackedRows}).
     * {@code pooling} is the model's, kept from pass to pass by the one thread that runs them.
     */
    static float[][] forward(BertModel model, SequencePooling pooling, int b, int t, int[] ids, float[] mask) {
        Backend backend = model.backend();
        int d = model.config().hidden();
        try (Tensor keyMask = backend.fromHost(mask, b, t)) {
            Tensor hidden = model.forward(ids, null, Pass.inference(b, t, mask, keyMask));
            float[] flat = pooling.forward(hidden, keyMask, b, t).toArray();
            float[][] out = new float[b][];
            for (int i = 0; i < b; i++) {
                out[i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
            }
            return out;
        }
    }

    /**
     * The pooled vectors of token sequences, in order, {@link #CHUNK} at a time; each is independent of the others
     * (see {@link PaddedBatches}).
     */
    static float[][] of(BertModel model, List<int[]> sequences, int padId) {
        List<float[]> out = new ArrayList<>(sequences.size());
        try (SequencePooling pooling = new SequencePooling(model)) {
            for (int from = 0; from < sequences.size(); from += CHUNK) {
                out.addAll(PaddedBatches.run(sequences.subList(from, Math.min(sequences.size(), from + CHUNK)),
                        model.config().maxPositions(), padId, (b, t, ids, mask) -> forward(model, pooling, b, t, ids, mask)));
            }
        }
        return out.toArray(new float[0][]);
    }
}
