package dev.peft4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParseException;
import dev.peft4j.model.BertConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line's small helpers: option checks, memory estimates, error lines, global flags, TSV escaping. */
class ValidationHelpersTest {
    @Test
    void stepCountsOverflowAndMemoryAreRefusedNamingTheOption() {
        assertEquals(12, FinetuneChecks.steps(48, 8, 2, 1L << 30));
        UsageException overflow = assertThrows(UsageException.class,
                () -> FinetuneChecks.steps(48, 8, Integer.MAX_VALUE, 1L << 40));
        assertTrue(overflow.getMessage().contains("--epochs 2147483647") && overflow.getMessage().contains("12884901882"),
                overflow.getMessage());
        UsageException memory = assertThrows(UsageException.class, () -> FinetuneChecks.steps(48, 8, 300_000_000, 4L << 30));
        assertTrue(memory.getMessage().contains("--epochs 300000000") && memory.getMessage().contains("-Xmx"),
                memory.getMessage());
        assertThrows(UsageException.class, () -> OptionChecks.sum("--train + --validation", Integer.MAX_VALUE, 1));
        assertThrows(UsageException.class, () -> OptionChecks.product("x", Long.MAX_VALUE, 2));
        assertThrows(UsageException.class, () -> OptionChecks.positive("--lr", Double.NaN));
    }

    @Test
    void memoryEstimatesNameTheHeapToAskFor() {
        UsageException e = assertThrows(UsageException.class,
                () -> new MemoryEstimate("--layers 100000", 10L << 30).requireFits(1L << 30, 0.5));
        assertTrue(e.getMessage().contains("10.0 GiB") && e.getMessage().contains("-Xmx20g")
                && e.getMessage().contains("1.0 GiB"), e.getMessage());
        new MemoryEstimate("small", 1 << 20).requireFits(1L << 30, 0.5);
        MemoryEstimate bench = BenchChecks.estimate(BertConfig.miniLmL6(), 6, 16, 128);
        assertTrue(bench.bytes() > 50L << 20 && bench.bytes() < 2L << 30, "MiniLM at 16 × 128: " + bench.bytes());
    }

    @Test
    void errorLinesUnwrapAndCarryNoClassNames() {
        assertEquals("/x/plan.json: not found",
                ErrorReport.message(new UncheckedIOException(new NoSuchFileException("/x/plan.json"))));
        String m = ErrorReport.message(new IllegalArgumentException("bad: com.google.gson.stream.MalformedJsonException: "
                + "Unterminated object at line 1 column 5 path $.a\nSee https://github.com/google/gson/blob/main/Troubleshooting.md#x"));
        assertEquals("bad: Unterminated object at line 1 column 5 path $.a", m);
        assertTrue(ErrorReport.message(new OutOfMemoryError("Java heap space")).startsWith("out of memory"));
        assertTrue(ErrorReport.hint(new OutOfMemoryError(), "peft4j finetune").contains("-Xmx"));
        assertTrue(ErrorReport.message(new StackOverflowError()).contains("nests too deeply"));
        assertTrue(ErrorReport.message(new IOException(new JsonParseException("x"))).length() > 0);
    }

    @Test
    void globalFlagsAreTakenFromAnywhereBeforeDoubleDash() {
        GlobalFlags f = GlobalFlags.parse(new String[] {"predict", "--debug", "--run", "r", "--verbose", "--", "--debug"});
        assertTrue(f.debug() && f.verbose());
        assertArrayEquals(new String[] {"predict", "--run", "r", "--", "--debug"}, f.args());
    }

    @Test
    void tsvEscapingKeepsOneFieldOnOneLine() {
        assertEquals("plain text, ünïcode", TsvText.escape("plain text, ünïcode"));
        assertEquals("a\\tb\\nc\\rd\\\\e\\u001b[0m\\u0000\\u0085", TsvText.escape("a\tb\nc\rd\\e\u001b[0m\u0000\u0085"));
        assertEquals(List.of("x"), List.of(TsvText.escape("x")));
    }
}
