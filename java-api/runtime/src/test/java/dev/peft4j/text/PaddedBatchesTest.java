package dev.peft4j.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class PaddedBatchesTest {
    @Test
    void mixedLengthsMakeAFewPassesLongestFirst() {
        // rounded to 8: 128 128 112 96 72 56 32 | 16 (the last would push padding past 35 % of the rows)
        int[] lengths = {128, 128, 110, 96, 70, 50, 30, 12};
        assertEquals(List.of(List.of(0, 1, 2, 3, 4, 5, 6), List.of(7)),
                PaddedBatches.passes(lengths, 128));
    }

    @Test
    void sequencesOfOneRoundedLengthAlwaysShareAPass() {
        assertEquals(List.of(List.of(2, 3, 1, 0)), PaddedBatches.passes(new int[] {9, 10, 16, 11}, 512));
        assertEquals(List.of(List.of(0, 1)), PaddedBatches.passes(new int[] {2, 2}, 512), "[CLS][SEP] twice");
    }

    @Test
    void everySequenceRunsOnceAndNoPassPadsMoreThanItsShare() {
        SplittableRandom rng = new SplittableRandom(5);
        for (int round = 0; round < 200; round++) {
            int[] lengths = new int[1 + rng.nextInt(64)];
            for (int i = 0; i < lengths.length; i++) {
                lengths[i] = 1 + rng.nextInt(rng.nextBoolean() ? 128 : 20);
            }
            List<List<Integer>> passes = PaddedBatches.passes(lengths, 128);
            TreeSet<Integer> seen = new TreeSet<>();
            for (List<Integer> pass : passes) {
                int t = PaddedBatches.paddedLength(lengths[pass.get(0)], 128);
                long own = 0;
                for (int i : pass) {
                    assertTrue(seen.add(i), "sequence " + i + " in two passes");
                    assertTrue(lengths[i] <= lengths[pass.get(0)], "a pass starts with its longest sequence");
                    own += PaddedBatches.paddedLength(lengths[i], 128);
                }
                long rows = (long) pass.size() * t;
                assertTrue(rows - own <= PaddedBatches.MAX_PADDING * rows, "pass " + pass + " pads too much");
            }
            assertEquals(lengths.length, seen.size());
        }
    }

    @Test
    void runAnswersInInputOrderWithPaddedIdsAndAKeyMask() {
        int[] long25 = new int[25];
        for (int i = 0; i < long25.length; i++) {
            long25[i] = i + 1;
        }
        List<int[]> sequences = List.of(new int[] {5, 6}, long25, new int[] {7});
        List<String> calls = new ArrayList<>();
        List<float[]> out = PaddedBatches.run(sequences, 512, -1, (b, t, ids, mask) -> {
            calls.add(b + "x" + t);
            float[][] rows = new float[b][];
            for (int k = 0; k < b; k++) {
                float idSum = 0, maskSum = 0;
                int pads = 0;
                for (int j = 0; j < t; j++) {
                    idSum += ids[k * t + j] == -1 ? 0 : ids[k * t + j];
                    pads += ids[k * t + j] == -1 ? 1 : 0;
                    maskSum += mask[k * t + j];
                }
                rows[k] = new float[] {idSum, maskSum, pads};
            }
            return rows;
        });
        assertEquals(List.of("1x32", "2x8"), calls, "25 tokens pad to 32 alone; 2 and 1 share a pass of 8");
        assertEquals(List.of(11f, 2f, 6f), List.of(out.get(0)[0], out.get(0)[1], out.get(0)[2]));
        assertEquals(List.of(325f, 25f, 7f), List.of(out.get(1)[0], out.get(1)[1], out.get(1)[2]));
        assertEquals(List.of(7f, 1f, 7f), List.of(out.get(2)[0], out.get(2)[1], out.get(2)[2]));
    }

    @Test
    void aSequenceLongerThanTheModelIsRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PaddedBatches.run(List.of(new int[3], new int[9]), 8, 0, (b, t, ids, mask) -> new float[b][]));
        assertTrue(e.getMessage().contains("sequence 1") && e.getMessage().contains("9 tokens"), e.getMessage());
    }
}
