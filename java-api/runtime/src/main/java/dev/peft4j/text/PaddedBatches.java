package dev.peft4j.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs a batch of token sequences through a model so that each sequence's result does not depend on the others: the
 * kernels compute every sequence alone, but a sum over keys rounds differently at another padded length, so each
 * sequence is padded to its own length rounded up to {@link #LENGTH_STEP} and run only with sequences of that padded
 * length (one forward pass per length).
 */
final class PaddedBatches {
    /** Sequences are padded to a multiple of this many tokens. */
    static final int LENGTH_STEP = 8;

    /** One forward pass over {@code ids} {@code [B,T]} with key mask {@code [B,T]}; one result row per sequence. */
    interface Forward {
        float[][] run(int b, int t, int[] ids, float[] mask);
    }

    private PaddedBatches() {}

    /** The results of {@code sequences}, in order; {@code maxPositions} caps the padded length. */
    static List<float[]> run(List<int[]> sequences, int maxPositions, int padId, Forward forward) {
        float[][] out = new float[sequences.size()][];
        Map<Integer, List<Integer>> byLength = new TreeMap<>();
        for (int i = 0; i < sequences.size(); i++) {
            int len = sequences.get(i).length;
            if (len > maxPositions) {
                throw new IllegalArgumentException("sequence " + i + " has " + len + " tokens, more than the model's "
                        + maxPositions + " positions");
            }
            int padded = Math.min(maxPositions, -Math.floorDiv(-len, LENGTH_STEP) * LENGTH_STEP);
            byLength.computeIfAbsent(padded, k -> new ArrayList<>()).add(i);
        }
        for (Map.Entry<Integer, List<Integer>> group : byLength.entrySet()) {
            List<Integer> members = group.getValue();
            int b = members.size();
            int t = group.getKey();
            int[] ids = new int[b * t];
            float[] mask = new float[b * t];
            Arrays.fill(ids, padId);
            for (int k = 0; k < b; k++) {
                int[] s = sequences.get(members.get(k));
                System.arraycopy(s, 0, ids, k * t, s.length);
                Arrays.fill(mask, k * t, k * t + s.length, 1f);
            }
            float[][] rows = forward.run(b, t, ids, mask);
            for (int k = 0; k < b; k++) {
                out[members.get(k)] = rows[k];
            }
        }
        return Arrays.asList(out);
    }
}
