package dev.peft4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The warm-up's kernel calls are valid (it swallows failures when run in the background, so run it here). */
class JitWarmUpTest {
    @Test
    void warmUpRoundsRunWithoutError() {
        assertEquals(3, JitWarmUp.exercise(60_000, 3));
    }
}
