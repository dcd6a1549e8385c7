package dev.peft4j.train;

import dev.peft4j.model.Batch;
import java.util.List;

/** Packs examples into {@link Batch}es padded to the longest member (dynamic padding) with a pad id and mask 0. */
public final class Batcher {
    private final int padId;

    public Batcher(int padId) {
        this.padId = padId;
    }

    /** The batch of examples[order[from .. to)]. */
    public Batch batch(List<EncodedExample> examples, int[] order, int from, int to) {
        int b = to - from;
        int t = 1;
        for (int i = from; i < to; i++) {
            t = Math.max(t, examples.get(order[i]).ids().length);
        }
        int[] ids = new int[b * t];
        int[] types = new int[b * t];
        float[] mask = new float[b * t];
        int[] labels = new int[b];
        java.util.Arrays.fill(ids, padId);
        for (int i = 0; i < b; i++) {
            EncodedExample e = examples.get(order[from + i]);
            System.arraycopy(e.ids(), 0, ids, i * t, e.ids().length);
            if (e.types() != null) {
                System.arraycopy(e.types(), 0, types, i * t, e.types().length);
            }
            java.util.Arrays.fill(mask, i * t, i * t + e.ids().length, 1f);
            labels[i] = e.label();
        }
        return new Batch(b, t, ids, types, mask, labels);
    }
}
