package dev.peft4j.data;

import dev.peft4j.text.TextExample;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.train.SeededShuffle;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SplitsTest {

    private static LabeledDataset numbered(int n) {
        List<TextExample> examples = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            examples.add(new TextExample("text " + i, i < n / 2 ? 0 : 1)); // sorted by label, like IMDB
        }
        return new LabeledDataset("numbered", List.of("neg", "pos"), examples);
    }

    private static List<String> texts(LabeledDataset d) {
        return d.examples().stream().map(TextExample::text).toList();
    }

    @Test
    void fractionsCoverEveryExampleOnceWithTheRestGoingToTest() {
        Splits s = numbered(101).split(SplitSpec.fractions(0.8, 0.1, 0.1), 7);
        assertEquals(80, s.train().size());
        assertEquals(10, s.validation().size());
        assertEquals(11, s.test().size());
        Set<String> all = new HashSet<>();
        all.addAll(texts(s.train()));
        all.addAll(texts(s.validation()));
        all.addAll(texts(s.test()));
        assertEquals(101, all.size());
        assertEquals("numbered/train", s.train().name());
        assertEquals(List.of("neg", "pos"), s.test().labelNames());
    }

    @Test
    void partsAreConsecutiveSlicesOfTheSeededShuffle() {
        LabeledDataset d = numbered(20);
        int[] order = SeededShuffle.permutation(20, 11);
        Splits s = d.split(SplitSpec.counts(5, 3, 4), 11);
        for (int i = 0; i < 5; i++) {
            assertEquals("text " + order[i], s.train().get(i).text());
        }
        for (int i = 0; i < 3; i++) {
            assertEquals("text " + order[5 + i], s.validation().get(i).text());
        }
        for (int i = 0; i < 4; i++) {
            assertEquals("text " + order[8 + i], s.test().get(i).text());
        }
    }

    @Test
    void sameSeedSameSplitOtherSeedOtherSplit() {
        LabeledDataset d = numbered(500);
        Splits a = d.split(SplitSpec.fractions(0.7, 0.15, 0.15), 123);
        Splits b = d.split(SplitSpec.fractions(0.7, 0.15, 0.15), 123);
        Splits c = d.split(SplitSpec.fractions(0.7, 0.15, 0.15), 124);
        assertEquals(texts(a.train()), texts(b.train()));
        assertEquals(texts(a.test()), texts(b.test()));
        assertNotEquals(texts(a.train()), texts(c.train()));
    }

    @Test
    void shuffleMixesASortedDataset() {
        Splits s = numbered(1000).split(SplitSpec.counts(400, 0, 100), 5);
        int[] counts = s.train().labelCounts();
        assertTrue(counts[0] > 150 && counts[1] > 150, "both labels well represented: " + counts[0] + "/" + counts[1]);
    }

    @Test
    void countsTakeASubsetAndLimitTrimsEachPart() {
        Splits s = numbered(50).split(SplitSpec.counts(20, 0, 10), 1);
        assertEquals(20, s.train().size());
        assertEquals(0, s.validation().size());
        assertEquals(10, s.test().size());
        Splits small = s.limit(4, 4, 100);
        assertEquals(texts(s.train()).subList(0, 4), texts(small.train()));
        assertEquals(0, small.validation().size());
        assertEquals(10, small.test().size());
    }

    @Test
    void fractionsBelowOneLeaveTheRestOut() {
        assertArrayEquals(new int[] {50, 0, 25}, SplitSpec.fractions(0.5, 0, 0.25).sizes(100));
    }

    @Test
    void badSpecsAreRejectedWithTheirNumbers() {
        var tooMany = assertThrows(IllegalArgumentException.class, () -> numbered(10).split(SplitSpec.counts(8, 2, 1), 0));
        assertTrue(tooMany.getMessage().contains("11") && tooMany.getMessage().contains("10"), tooMany.getMessage());
        var sum = assertThrows(IllegalArgumentException.class, () -> SplitSpec.fractions(0.8, 0.2, 0.1));
        assertTrue(sum.getMessage().contains("> 1"), sum.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SplitSpec.fractions(-0.1, 0.5, 0.5));
        assertThrows(IllegalArgumentException.class, () -> SplitSpec.fractions(Double.NaN, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> SplitSpec.counts(-1, 0, 0));
    }

    @Test
    void datasetRejectsLabelsWithoutNames() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new LabeledDataset("d", List.of("a"), List.of(new TextExample("x", 1))));
        assertTrue(e.getMessage().contains("example 0 has label 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TextExample("x", -2));
        assertArrayEquals(new int[] {1, 0}, new LabeledDataset("d", List.of("a", "b"),
                List.of(new TextExample("x", 0), TextExample.unlabelled("y"))).labelCounts());
    }
}
