package dev.peft4j.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Runs a batch of token sequences through a model in as few padded passes as padding allows, each sequence's result
 * the same as if it ran alone. A pass is {@code [B,T]}: its sequences padded to its longest, rounded up to
 * {@link #LENGTH_STEP}. Sequences are taken longest first, and one joins the current pass while the padding beyond
 * each sequence's own rounded length stays at most {@link #MAX_PADDING} of the pass's rows; else it starts the next
 * (sequences of one rounded length always share a pass). So texts of mixed length make few passes of many rows
 * rather than one pass per length (few rows each leave the cores idle). The forwards pack their passes
 * ({@code PackedRows}): padding costs nothing in the row-wise layers, only query rows in attention and the copies
 * that lay q, k, v out padded, so it may be a large share.
 *
 * <p>Why a result does not depend on its pass: every kernel but attention computes each row alone, in an order that
 * does not depend on the number of rows, and attention sums over a sequence's own keys only (padded keys are masked:
 * they add exact zeros, or are skipped). {@code PaddingInvarianceTest} checks it bit for bit on each backend.
 */
final class PaddedBatches {
    /** Sequences are padded to a multiple of this many tokens. */
    static final int LENGTH_STEP = 8;

    /** The largest share of a pass's rows that may be padding beyond its sequences' own rounded lengths. */
    static final double MAX_PADDING = 0.35;

    /** One forward pass over {@code ids} {@code [B,T]} with key mask {@code [B,T]}; one result row per sequence. */
    interface Forward {
        float[][] run(int b, int t, int[] ids, float[] mask);
    }

    private PaddedBatches() {}

    /** The results of {@code sequences}, in order; {@code maxPositions} caps the padded length. */
    static List<float[]> run(List<int[]> sequences, int maxPositions, int padId, Forward forward) {
        int[] lengths = new int[sequences.size()];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = sequences.get(i).length;
            if (lengths[i] > maxPositions) {
                throw new IllegalArgumentException("sequence " + i + " has " + lengths[i] + " tokens, more than the "
                        + "model's " + maxPositions + " positions");
            }
        }
        float[][] out = new float[sequences.size()][];
        for (List<Integer> members : passes(lengths, maxPositions)) {
            int b = members.size();
            int t = paddedLength(lengths[members.get(0)], maxPositions);
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

    /**
     * The passes: indices into {@code lengths}, each pass longest first, so that its padded length is that of its
     * first sequence. Every index is in exactly one pass.
     */
    static List<List<Integer>> passes(int[] lengths, int maxPositions) {
        Integer[] order = new Integer[lengths.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt((Integer i) -> lengths[i]).reversed()); // stable: ties by index
        List<List<Integer>> passes = new ArrayList<>();
        List<Integer> current = null;
        long tokens = 0; // the pass's sequences' own rounded lengths, summed
        int t = 0;
        for (int i : order) {
            if (current != null) {
                long rows = (long) (current.size() + 1) * t;
                int own = paddedLength(lengths[i], maxPositions);
                if (rows - (tokens + own) <= MAX_PADDING * rows) {
                    current.add(i);
                    tokens += own;
                    continue;
                }
            }
            current = new ArrayList<>();
            current.add(i);
            passes.add(current);
            t = paddedLength(lengths[i], maxPositions);
            tokens = t;
        }
        return passes;
    }

    /** {@code length} rounded up to {@link #LENGTH_STEP}, at most {@code maxPositions}. */
    static int paddedLength(int length, int maxPositions) {
        return Math.min(maxPositions, -Math.floorDiv(-length, LENGTH_STEP) * LENGTH_STEP);
    }
}
