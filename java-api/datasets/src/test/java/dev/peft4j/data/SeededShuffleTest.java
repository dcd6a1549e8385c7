package dev.peft4j.data;

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
    void shuffledLeavesTheInputUnchanged() {
        List<String> in = List.of("a", "b", "c", "d");
        List<String> out = SeededShuffle.shuffled(in, 3);
        assertEquals(List.of("a", "b", "c", "d"), in);
        assertEquals(4, out.size());
        assertEquals(in.stream().sorted().toList(), out.stream().sorted().toList());
    }
}
