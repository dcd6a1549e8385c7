package dev.peft4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeededShuffleTest {

    @Test
    void splitMix64MatchesThePublishedReferenceSequenceForSeedZero() {
        SplitMix64 r = new SplitMix64(0);
        assertEquals(0xE220A8397B1DCDAFL, r.nextLong());
        assertEquals(0x6E789E6AA1B965F4L, r.nextLong());
        assertEquals(0x06C45D188009454FL, r.nextLong());
    }

    @Test
    void permutationMatchesAnIndependentPythonImplementation() {
        // Expected values from a separate Python transcription of SplitMix64 + Fisher–Yates (see SeededShuffle).
        assertArrayEquals(new int[] {6, 9, 0, 4, 2, 7, 5, 3, 8, 1}, SeededShuffle.permutation(10, 42));
        assertArrayEquals(new int[] {5, 8, 7, 4, 3, 9, 2, 0, 1, 6}, SeededShuffle.permutation(10, -7));
        assertArrayEquals(new int[] {0}, SeededShuffle.permutation(1, 5));
        assertArrayEquals(new int[] {}, SeededShuffle.permutation(0, 5));
    }

    @Test
    void permutationHoldsEveryIndexOnceAndDependsOnTheSeed() {
        int[] a = SeededShuffle.permutation(1000, 1);
        int[] sorted = a.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            assertEquals(i, sorted[i]);
        }
        assertArrayEquals(a, SeededShuffle.permutation(1000, 1));
        assertFalse(Arrays.equals(a, SeededShuffle.permutation(1000, 2)));
    }

    @Test
    void epochOrderIsTheTrainersShuffleOfEveryEarlierRelease() {
        // Pinned from ClassifierTrainer's former private shuffle (Fisher–Yates drawing from
        // new SplittableRandom(31·seed + epoch)) before it moved here: a changed value changes every loss curve.
        assertArrayEquals(new int[] {9, 3, 1, 5, 4, 6, 0, 8, 7, 2}, SeededShuffle.epochOrder(10, 42, 0));
        assertArrayEquals(new int[] {2, 3, 0, 7, 4, 1, 6, 8, 9, 5}, SeededShuffle.epochOrder(10, 42, 1));
        assertArrayEquals(new int[] {1, 6, 5, 4, 0, 2, 3}, SeededShuffle.epochOrder(7, -3, 2));
        assertArrayEquals(new int[] {2, 4, 10, 9, 3, 8, 7, 5, 11, 1, 0, 6}, SeededShuffle.epochOrder(12, 1, 0));
        assertArrayEquals(new int[] {}, SeededShuffle.epochOrder(0, 1, 0));
    }

    @Test
    void shuffledLeavesTheInputUnchanged() {
        List<String> in = List.of("a", "b", "c", "d");
        List<String> out = SeededShuffle.shuffled(in, 3);
        assertEquals(List.of("a", "b", "c", "d"), in);
        assertEquals(4, out.size());
        assertEquals(in.stream().sorted().toList(), out.stream().sorted().toList());
    }
}
