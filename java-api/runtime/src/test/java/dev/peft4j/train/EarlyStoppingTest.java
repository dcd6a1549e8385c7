package dev.peft4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class EarlyStoppingTest {

    private static Metrics accuracy(double a) {
        return new Metrics(1.0, a, a, 10);
    }

    @Test
    void stopsAfterPatienceEvaluationsWithoutABetterAccuracyAndTiesDoNotCount() {
        EarlyStopping s = new EarlyStopping(2);
        assertNull(s.best());
        assertFalse(s.shouldStop(accuracy(0.5), List.of()));
        assertFalse(s.shouldStop(accuracy(0.5), List.of()), "a tie is not better: one evaluation without gain");
        assertEquals(1, s.sinceBest());
        assertTrue(s.shouldStop(accuracy(0.4), List.of()));
        assertEquals(0.5, s.best().accuracy());
    }

    @Test
    void aBetterAccuracyResetsTheCount() {
        EarlyStopping s = new EarlyStopping(2);
        s.shouldStop(accuracy(0.5), List.of());
        s.shouldStop(accuracy(0.4), List.of());
        assertFalse(s.shouldStop(accuracy(0.6), List.of()));
        assertEquals(0, s.sinceBest());
        assertFalse(s.shouldStop(accuracy(0.6), List.of()));
        assertTrue(s.shouldStop(accuracy(0.1), List.of()));
    }

    @Test
    void patienceZeroNeverStops() {
        EarlyStopping s = new EarlyStopping(0);
        s.shouldStop(accuracy(0.9), List.of());
        for (int i = 0; i < 50; i++) {
            assertFalse(s.shouldStop(accuracy(0.1), List.of()));
        }
        assertEquals(0.9, s.best().accuracy());
    }

    @Test
    void aResumedRunKeepsItsCount() {
        EarlyStopping s = new EarlyStopping(3);
        s.resume(accuracy(0.7), new float[0][], 2);
        assertTrue(s.shouldStop(accuracy(0.6), List.of()));
    }
}
